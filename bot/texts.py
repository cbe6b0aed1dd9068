"""The bot's fixed replies and command menu, in English, Chinese and Japanese: a user whose Telegram
language is zh or ja reads them in it. Quotes and citations stay in the readouts' own words."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import BotCommand, Update
from telegram.ext import CallbackContext


@dataclass(frozen=True)
class Texts:
    """One language's fixed replies. Fields holding `{name}` are formatted by the handler that sends them;
    fields sent with parse_mode HTML are marked *_html and escape their own markup."""

    start_html: str  # {examples}: the questions to try and the newest readouts
    try_heading: str
    newest_heading: str
    help_html: str  # {bot}
    examples: tuple[str, ...]
    private: str
    sorry: str
    expired: str
    nothing_found: str
    missing: str  # {names}: "No readout mentions Ruritania."
    or_word: str  # joins the last two missing names
    list_separator: str  # joins the others
    related: str  # heading of the nearest passages shown when there is no answer
    results: str  # {first} {last} {total}
    about_html: str  # {documents} {passages} {span} {model}
    span: str  # {first} {last}: the readouts' dates
    sources_html: str  # {count} {page} {pages}: the heading of a /sources page
    passages: str  # {count}
    date_unknown: str
    no_dates: str
    not_a_style: str  # {wanted} {styles}
    english_only: str  # {model}: a question in Chinese or Japanese asked of an English-only index
    usage_ask: str  # {example}
    slow_down: str  # {per_minute} {seconds}
    not_text: str  # {example}
    unknown_command: str
    greeting_html: str  # {bot}
    thanks_up: str
    thanks_down: str
    passage_gone: str
    passages_gone: str  # {count}: passages of a kept answer that have left the index since it was given
    answer_gone: str  # every passage of a kept answer has left the index
    citation_html: str  # {style}: heading of a citation message
    style_set: str  # {style}
    style_choose: str  # {style}
    export_cited: str  # {count} {format}: caption of an /export file of the passages cited in the chat
    export_answer: str  # {count} {format}: caption of an /export file of the last answer's passages
    export_empty: str
    export_cleared: str
    read_with: str  # {earlier}: the notice on a follow-up read together with the question it answers
    context_button: str  # {n}
    cite_button: str  # {n}
    link_button: str  # {n}
    copy_button: str
    copy_reference_button: str  # copies the citation without its quote
    more_button: str
    previous_button: str
    next_button: str
    timeline_button: str
    timeline_html: str  # {question}: heading of a /timeline message, passages oldest first
    timeline_cut: str  # {count}: passages left out of a /timeline message too long for one
    usage_timeline: str  # {example}
    commands: tuple[tuple[str, str], ...]  # (command, description) for the menu
    alert_digest_html: str  # {count}: heading of the one message an alert refresh sends a chat
    alert_more: str  # {count}: passages of an alert left out of a full digest

    def missing_note(self, names: Sequence[str]) -> str:
        """"No readout mentions Ruritania or Zembla.", in this language."""
        named = names[-1] if len(names) < 2 else self.list_separator.join(names[:-1]) + self.or_word + names[-1]
        return self.missing.format(names=named)

    def menu(self) -> list[BotCommand]:
        return [BotCommand(command, description) for command, description in self.commands]


ENGLISH = Texts(
    start_html=("Hello! I search official diplomatic readouts and quote them verbatim with source and date.\n\n"
                "{examples}\n\nSee /help for more."),
    try_heading="Try:",
    newest_heading="Newest readouts:",
    help_html=(
        "Ask me about diplomatic readouts in plain language. I quote the passages that answer you, "
        "word for word, each with its title, source and date, so you can cite them.\n\n"
        "• In a private chat, just send your question.\n"
        "• In a group, use /ask &lt;question&gt;, mention me, or reply to one of my answers.\n"
        "• Reply to an answer to ask a follow-up (<i>And what did Russia say?</i>).\n"
        "• Inline: type <code>@{bot} question</code> in any chat to share a quote.\n"
        "• Under an answer: <b>Context</b> shows the paragraphs around a passage, <b>Cite</b> gives a citation "
        "to copy, <b>Share</b> a link that opens the passage, and 👍/👎 tell me whether it answered you.\n"
        "• Dates in your question filter the readouts: <i>in 2017</i>, <i>September 2024</i>, <i>since 2022</i>, "
        "<i>before 2023</i>, <i>last year</i>; <i>latest</i> puts the newest first.\n"
        "• Or use filters: <code>after:2023-01-01</code> <code>before:2024</code> <code>source:Xinhua</code>.\n\n"
        "/alert &lt;question&gt; – send this chat new readouts that answer it, as they arrive\n"
        "/alerts – this chat's alerts, to remove them\n"
        "/citestyle – citation style: plain, Chicago (author-date or notes), APA, MLA or Harvard\n"
        "/export – the passages cited here (or the last answer's) as CSL-JSON and RIS files for Zotero\n"
        "/timeline &lt;question&gt; – the passages that answer it, oldest first, one line each "
        "(or <b>By date</b> under an answer)\n"
        "/sources – the readouts I know\n/about – corpus size, dates and model\n/help – this message"
    ),
    examples=(
        "What did China say about the Fukushima water release?",
        "What is the Beijing-Tokyo Forum?",
        "What did Wang Yi tell Taro Kono about the Korean Peninsula?",
    ),
    private="Sorry, this bot is private.",
    sorry="Sorry, something went wrong on my side. Please try again.",
    expired="That button has expired. Please ask again.",
    nothing_found=("I found nothing in the readouts that answers this. Try other words, a person's name or a "
                   "place, or see /sources for what the readouts cover."),
    missing="No readout mentions {names}.",
    or_word=" or ",
    list_separator=", ",
    related="Related passages, not an answer:",
    results="Results {first}–{last} of {total}",
    about_html=("I hold <b>{documents}</b> readouts in <b>{passages}</b> passages, dated {span}.\n"
                "Search model: <code>{model}</code>."),
    span="{first} to {last}",
    sources_html="<b>Readouts indexed</b> ({count}), page {page} of {pages}:",
    passages="{count} passages",
    date_unknown="date unknown",
    no_dates="no dated documents",
    not_a_style="“{wanted}” is not a citation style: choose {styles}.",
    english_only=("This index uses {model}, which reads English only: ask in English, or have it rebuilt with "
                  "the multilingual model (readouts ingest --rebuild --embedder e5-small PATH...)."),
    usage_ask="Usage: /ask <question>, e.g. /ask {example}",
    slow_down="Slow down, please: at most {per_minute} questions a minute. Try again in {seconds} s.",
    not_text="I can only read questions sent as text. Try: {example}",
    unknown_command="I don't know that command. See /help.",
    greeting_html=("Hello! I quote official diplomatic readouts verbatim, with title, source and date.\n\n"
                   "• Ask with <code>/ask question</code>, or mention me: <code>@{bot} question</code>.\n"
                   "• Reply to one of my answers to ask a follow-up.\n"
                   "• /help tells the rest."),
    thanks_up="Thanks! Noted as helpful.",
    thanks_down="Thanks! Noted as not helpful.",
    passage_gone="That passage is no longer in the readouts I hold.",
    passages_gone="Passages of this answer no longer in the readouts I hold: {count}. The others are shown.",
    answer_gone="The passages of this answer are no longer in the readouts I hold. Please ask again.",
    citation_html="<b>Citation</b> ({style}; tap to copy, /citestyle to change):",
    style_set="Citations in this chat are now in the {style} style.",
    style_choose="Citations in this chat are in the {style} style. Choose:",
    export_cited="Passages cited in this chat: {count}, as {format}. Zotero: File → Import…",
    export_answer="The last answer's passages: {count}, as {format} (nothing cited here yet). Zotero: File → Import…",
    export_empty=("Nothing to export yet: press Cite under a quote, or ask a question. /export then sends those "
                  "passages as CSL-JSON and RIS files for Zotero."),
    export_cleared="Forgot the passages cited in this chat; /export now sends the last answer's.",
    read_with="Read together with the question it follows: “{earlier}”",
    context_button="Context {n}",
    cite_button="Cite {n}",
    link_button="Share {n}",
    copy_button="📋 Copy citation",
    copy_reference_button="📋 Copy reference (without the quote)",
    more_button="More results ▶",
    previous_button="◀ Previous",
    next_button="Next ▶",
    timeline_button="📅 By date",
    timeline_html="<b>By date</b>, oldest first: <i>{question}</i>",
    timeline_cut="… and {count} more passages, not shown: too long for one message.",
    usage_timeline="Usage: /timeline <question>, e.g. /timeline {example}",
    commands=(
        ("ask", "Ask a question about the readouts"),
        ("sources", "The readouts I know"),
        ("alert", "Send me new readouts that answer a question"),
        ("alerts", "This chat's alerts, to remove them"),
        ("citestyle", "Citation style: plain, Chicago, APA, MLA, Harvard"),
        ("export", "Cited passages as files for Zotero (CSL-JSON, RIS)"),
        ("timeline", "The passages that answer a question, oldest first"),
        ("about", "Corpus size, dates and search model"),
        ("help", "How to ask"),
        ("start", "What this bot does"),
    ),
    alert_digest_html="🔔 <b>New readouts for your alerts</b> ({count} passages)",
    alert_more="…and {count} more: ask the question to see them all.",
)

CHINESE = Texts(
    start_html=("你好！我检索官方外交通报（会谈、通话和记者会的官方文字），逐字引用原文，并注明标题、来源和日期。\n\n"
                "{examples}\n\n更多说明见 /help。"),
    try_heading="可以这样问：",
    newest_heading="最新收录的通报：",
    help_html=(
        "用自己的话提问即可。我会逐字引用回答你问题的段落，并附上标题、来源和日期，方便引用。\n\n"
        "• 私聊：直接发送问题。\n"
        "• 群组：使用 /ask &lt;问题&gt;，或 @我，或回复我的回答。\n"
        "• 回复我的回答即可追问（<i>那俄罗斯怎么说？</i>）。\n"
        "• 内联：在任何聊天中输入 <code>@{bot} 问题</code> 分享引文。\n"
        "• 回答下方：<b>上下文</b> 显示前后段落，<b>引用</b> 给出可复制的引文，<b>分享</b> 给出打开该段落的链接，"
        "👍/👎 告诉我是否回答了你的问题。\n"
        "• 问题中的日期会筛选通报：<i>2017年</i>、<i>since 2022</i>、<i>before 2023</i>；"
        "也可用筛选词：<code>after:2023-01-01</code> <code>before:2024</code> <code>source:Xinhua</code>。\n\n"
        "/alert &lt;问题&gt; – 有新的相关通报时发送到本聊天\n"
        "/alerts – 本聊天的提醒（可删除）\n"
        "/citestyle – 引文格式：普通、芝加哥（作者-日期或注释）、APA、MLA 或哈佛\n"
        "/export – 把本聊天引用过的段落（或上一个回答的段落）导出为 CSL-JSON 和 RIS 文件，供 Zotero 导入\n"
        "/timeline &lt;问题&gt; – 回答该问题的段落，按日期由早到晚，每段一行（回答下方的 <b>按日期</b> 亦同）\n"
        "/sources – 已收录的通报\n/about – 收录规模、日期和模型\n/help – 本说明"
    ),
    examples=(
        "中方对福岛核污染水排海有何表态？",
        "What did China say about the Fukushima water release?",
        "王毅和河野太郎谈了朝鲜半岛什么问题？",
    ),
    private="抱歉，这是一个私人机器人。",
    sorry="抱歉，我这边出了问题，请再试一次。",
    expired="该按钮已失效，请重新提问。",
    nothing_found="通报中没有找到能回答这个问题的内容。请换个说法，或提供人名、地名；/sources 可查看收录范围。",
    missing="没有任何通报提到 {names}。",
    or_word="或",
    list_separator="、",
    related="相关段落（并非答案）：",
    results="第 {first}–{last} 条，共 {total} 条",
    about_html=("我收录了 <b>{documents}</b> 篇通报，共 <b>{passages}</b> 个段落，日期 {span}。\n"
                "检索模型：<code>{model}</code>。"),
    span="{first} 至 {last}",
    sources_html="<b>已收录的通报</b>（{count} 篇），第 {page}/{pages} 页：",
    passages="{count} 个段落",
    date_unknown="日期不详",
    no_dates="无日期",
    not_a_style="“{wanted}”不是引文格式，请选择 {styles}。",
    english_only=("这个索引使用 {model}，只能读懂英文：请用英文提问，或用多语言模型重建索引"
                  "（readouts ingest --rebuild --embedder e5-small PATH...）。"),
    usage_ask="用法：/ask <问题>，例如 /ask {example}",
    slow_down="请慢一点：每分钟最多 {per_minute} 个问题。请 {seconds} 秒后再试。",
    not_text="我只能读取文字问题。试试：{example}",
    unknown_command="我不认识这个命令。请看 /help。",
    greeting_html=("大家好！我逐字引用官方外交通报，并注明标题、来源和日期。\n\n"
                   "• 用 <code>/ask 问题</code> 提问，或 @我：<code>@{bot} 问题</code>。\n"
                   "• 回复我的回答即可追问。\n"
                   "• 更多说明见 /help。"),
    thanks_up="谢谢！已记为有帮助。",
    thanks_down="谢谢！已记为没有帮助。",
    passage_gone="该段落已不在我收录的通报中。",
    passages_gone="此回答中有 {count} 个段落已不在我收录的通报中；以下是其余段落。",
    answer_gone="此回答的段落已不在我收录的通报中，请重新提问。",
    citation_html="<b>引文</b>（{style}；点按即可复制，/citestyle 可更改格式）：",
    style_set="本聊天的引文格式已设为 {style}。",
    style_choose="本聊天的引文格式为 {style}。请选择：",
    export_cited="本聊天引用过的段落：{count} 段，{format} 格式。Zotero：文件 → 导入…",
    export_answer="上一个回答的段落：{count} 段，{format} 格式（本聊天尚未引用过段落）。Zotero：文件 → 导入…",
    export_empty="暂无可导出的内容：先点按引文下方的“引用”，或提出问题；之后 /export 会把这些段落导出为 CSL-JSON 和 RIS 文件，供 Zotero 导入。",
    export_cleared="已清空本聊天引用过的段落；/export 现在导出上一个回答的段落。",
    read_with="已结合你追问的原问题一起检索：“{earlier}”",
    context_button="上下文 {n}",
    cite_button="引用 {n}",
    link_button="分享 {n}",
    copy_button="📋 复制引文",
    copy_reference_button="📋 复制出处（不含引文）",
    more_button="更多结果 ▶",
    previous_button="◀ 上一页",
    next_button="下一页 ▶",
    timeline_button="📅 按日期",
    timeline_html="<b>按日期</b>（由早到晚）：<i>{question}</i>",
    timeline_cut="……另有 {count} 个段落未显示：一条消息放不下。",
    usage_timeline="用法：/timeline <问题>，例如 /timeline {example}",
    commands=(
        ("ask", "就外交通报提问"),
        ("sources", "已收录的通报"),
        ("alert", "有新的相关通报时通知我"),
        ("alerts", "本聊天的提醒"),
        ("citestyle", "引文格式：普通、芝加哥、APA、MLA、哈佛"),
        ("export", "把引用过的段落导出为 Zotero 文件（CSL-JSON、RIS）"),
        ("timeline", "按日期由早到晚列出回答问题的段落"),
        ("about", "收录规模、日期和检索模型"),
        ("help", "如何提问"),
        ("start", "这个机器人能做什么"),
    ),
    alert_digest_html="🔔 <b>您的提醒有新的通报</b>（{count} 段）",
    alert_more="……还有 {count} 段：提问即可查看全部。",
)

JAPANESE = Texts(
    start_html=("こんにちは！公式の外交記録（会談・電話会談・記者会見の発表）を検索し、原文をそのまま、"
                "タイトル・発表元・日付とともに引用します。\n\n{examples}\n\n詳しくは /help へ。"),
    try_heading="例えば：",
    newest_heading="最新の記録：",
    help_html=(
        "ふだんの言葉で質問してください。答えとなる段落を原文のまま、タイトル・発表元・日付とともに引用します。\n\n"
        "• 個別チャット：質問をそのまま送信。\n"
        "• グループ：/ask &lt;質問&gt;、メンション、または私の回答への返信。\n"
        "• 回答に返信すると追加の質問になります（<i>ではロシアは何と言った？</i>）。\n"
        "• インライン：どのチャットでも <code>@{bot} 質問</code> で引用を共有できます。\n"
        "• 回答の下：<b>前後</b> で前後の段落、<b>引用</b> でコピー用の出典、<b>共有</b> で段落を開くリンク、"
        "👍/👎 で役に立ったかを教えてください。\n"
        "• 質問の中の日付で絞り込めます：<i>2017年</i>、<i>since 2022</i>、<i>before 2023</i>。"
        "フィルター：<code>after:2023-01-01</code> <code>before:2024</code> <code>source:Xinhua</code>。\n\n"
        "/alert &lt;質問&gt; – 新しい関連記録が届いたらこのチャットに送信\n"
        "/alerts – このチャットのアラート（削除できます）\n"
        "/citestyle – 出典の形式：標準、シカゴ（著者-年方式または注方式）、APA、MLA、ハーバード\n"
        "/export – このチャットで引用した段落（なければ直前の回答の段落）を Zotero 用の CSL-JSON・RIS ファイルで送信\n"
        "/timeline &lt;質問&gt; – 答えとなる段落を古い順に1行ずつ（回答の下の <b>日付順</b> も同じ）\n"
        "/sources – 収録している記録\n/about – 収録数・期間・モデル\n/help – この説明"
    ),
    examples=(
        "福島の処理水の放出について中国は何と言った？",
        "What did China say about the Fukushima water release?",
        "王毅外相は河野外務大臣に朝鮮半島について何を伝えた？",
    ),
    private="申し訳ありませんが、このボットは非公開です。",
    sorry="申し訳ありません、こちらで問題が発生しました。もう一度お試しください。",
    expired="このボタンは期限切れです。もう一度質問してください。",
    nothing_found=("記録の中に、この質問に答えるものは見つかりませんでした。言い換えるか、人名や地名を加えてください。"
                   "/sources で収録範囲を確認できます。"),
    missing="{names} に触れた記録はありません。",
    or_word="や",
    list_separator="、",
    related="関連する段落（答えではありません）：",
    results="{total} 件のうち {first}–{last} 件目",
    about_html=("記録 <b>{documents}</b> 件（<b>{passages}</b> 段落）を収録、期間は {span}。\n"
                "検索モデル：<code>{model}</code>。"),
    span="{first}～{last}",
    sources_html="<b>収録している記録</b>（{count} 件）、{pages} ページ中 {page} ページ目：",
    passages="{count} 段落",
    date_unknown="日付不明",
    no_dates="日付なし",
    not_a_style="「{wanted}」は出典の形式ではありません。{styles} から選んでください。",
    english_only=("このインデックスは {model} を使っており、英語しか読めません。英語で質問するか、"
                  "多言語モデルで作り直してください（readouts ingest --rebuild --embedder e5-small PATH...）。"),
    usage_ask="使い方：/ask <質問>　例：/ask {example}",
    slow_down="少しお待ちください：1分間に最大 {per_minute} 件までです。{seconds} 秒後にもう一度どうぞ。",
    not_text="テキストの質問のみ読めます。例：{example}",
    unknown_command="そのコマンドはありません。/help をご覧ください。",
    greeting_html=("こんにちは！公式の外交記録を原文のまま、タイトル・発表元・日付とともに引用します。\n\n"
                   "• <code>/ask 質問</code> で質問するか、メンションしてください：<code>@{bot} 質問</code>。\n"
                   "• 私の回答に返信すると追加の質問になります。\n"
                   "• 詳しくは /help へ。"),
    thanks_up="ありがとうございます！役に立ったと記録しました。",
    thanks_down="ありがとうございます！役に立たなかったと記録しました。",
    passage_gone="その段落は、現在収録している記録にはもうありません。",
    passages_gone="この回答のうち {count} 件の段落は、現在収録している記録にはもうありません。残りを表示します。",
    answer_gone="この回答の段落は、現在収録している記録にはもうありません。もう一度質問してください。",
    citation_html="<b>出典</b>（{style}。タップでコピー、/citestyle で形式を変更）：",
    style_set="このチャットの出典の形式を {style} にしました。",
    style_choose="このチャットの出典の形式は {style} です。選んでください：",
    export_cited="このチャットで引用した段落：{count} 件、{format} 形式。Zotero：ファイル → インポート…",
    export_answer="直前の回答の段落：{count} 件、{format} 形式（このチャットではまだ引用がありません）。Zotero：ファイル → インポート…",
    export_empty="まだ書き出すものがありません。引用の下の「引用」を押すか、質問してください。その後 /export でそれらの段落を Zotero 用の CSL-JSON・RIS ファイルで送ります。",
    export_cleared="このチャットで引用した段落を消去しました。/export は直前の回答の段落を送ります。",
    read_with="元の質問とあわせて検索しました：「{earlier}」",
    context_button="前後 {n}",
    cite_button="引用 {n}",
    link_button="共有 {n}",
    copy_button="📋 出典をコピー",
    copy_reference_button="📋 出典情報をコピー（引用文なし）",
    more_button="さらに表示 ▶",
    previous_button="◀ 前へ",
    next_button="次へ ▶",
    timeline_button="📅 日付順",
    timeline_html="<b>日付順</b>（古い順）：<i>{question}</i>",
    timeline_cut="…ほか {count} 段落は表示していません（1通に収まりません）。",
    usage_timeline="使い方：/timeline <質問>　例：/timeline {example}",
    commands=(
        ("ask", "外交記録について質問する"),
        ("sources", "収録している記録"),
        ("alert", "質問に答える新しい記録を知らせる"),
        ("alerts", "このチャットのアラート"),
        ("citestyle", "出典の形式：標準、シカゴ、APA、MLA、ハーバード"),
        ("export", "引用した段落を Zotero 用ファイルで（CSL-JSON、RIS）"),
        ("timeline", "質問に答える段落を古い順に"),
        ("about", "収録数・期間・検索モデル"),
        ("help", "質問のしかた"),
        ("start", "このボットについて"),
    ),
    alert_digest_html="🔔 <b>アラートに新しい記録があります</b>（{count} 件）",
    alert_more="…ほか {count} 件：質問するとすべて表示されます。",
)

BY_LANGUAGE = {"zh": CHINESE, "ja": JAPANESE}


def texts_for(language_code: str | None) -> Texts:
    """The replies for a Telegram language code ("zh-hans", "ja", "en-GB"...): English unless zh or ja."""
    return BY_LANGUAGE.get((language_code or "").split("-")[0].lower(), ENGLISH)


def texts_of(update: object, context: CallbackContext | None = None) -> Texts:
    """The replies for the user behind an update; when the update does not say the user's language,
    the language last seen in the chat (ChatData.language), else English."""
    user = update.effective_user if isinstance(update, Update) else None
    if user is not None and user.language_code:
        return texts_for(user.language_code)
    return texts_for(getattr(getattr(context, "chat_data", None), "language", None))
