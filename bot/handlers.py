"""Telegram handlers: each does one thing; searches run in a worker thread, off the event loop."""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import re
import secrets
from html import escape

from telegram import (
    ChatMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
    User,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import ApplicationHandlerStop

from index import Answer, EnglishOnlyIndex, Hit, ReadoutsError, read_with

from . import buttons, render, votes
from . import cite as citing
from .config import Settings
from .context import Context, Search
from .texts import ENGLISH, Texts, texts_of

log = logging.getLogger(__name__)

SEARCHES_KEPT_PER_CHAT = 20
INLINE_RESULTS = 10
TYPING_AFTER = 0.5  # seconds
SOURCES_PER_PAGE = 10
TIMELINE_RESULTS = 10  # readouts a timeline shows, one passage each: what fits one message with links


def allowed(update: Update, settings: Settings) -> bool:
    """Whether both allow lists let `update` in, whatever kind of update it is.

    A sender that is a chat (a channel, an anonymous group admin) is no user, so it passes the user
    list only when that is empty; an update without a chat (an inline query, a button on an inline
    message) comes from the user's private chat, whose id is the user's.
    """
    sender = update.effective_sender
    user_id = sender.id if isinstance(sender, User) else None
    chat_id = update.effective_chat.id if update.effective_chat else user_id
    users, chats = settings.allowed_user_ids, settings.allowed_chat_ids
    return (not users or user_id in users) and (not chats or chat_id in chats)


def asker(update: Update) -> int:
    """Whom the question limit counts: the user, else the chat that sent the update, else the chat it is in."""
    return (update.effective_sender or update.effective_chat).id


async def gate(update: Update, context: Context) -> None:
    """Refuse anyone outside the allow lists before any other handler runs; note the language of
    those let in, for the updates that do not carry it."""
    if allowed(update, context.services.settings):
        user = update.effective_user
        if user is not None and user.language_code and context.chat_data is not None:
            context.chat_data.language = user.language_code
        return
    chat = update.effective_chat
    log.info("refused update %s from %s in chat %s", update.update_id,
             update.effective_sender and update.effective_sender.id, chat and chat.id)
    private = texts_of(update, context).private
    if update.callback_query:
        await update.callback_query.answer(private)
    elif update.inline_query:
        await update.inline_query.answer([], cache_time=0, is_personal=True)
    elif update.effective_message and (chat is None or chat.type == "private" or _addressed_to_bot(update, context)):
        await update.effective_message.reply_text(private)
    raise ApplicationHandlerStop


def _addressed_to_bot(update: Update, context: Context) -> bool:
    text = (update.effective_message.text or "").lower()
    return text.startswith("/") or f"@{(context.bot.username or '').lower()}" in text


async def start(update: Update, context: Context) -> None:
    """Say what the bot does, with example questions; with a shared link's payload, show its passage."""
    passage_id = buttons.passage_of(context.args[0]) if context.args else None
    if passage_id is not None:
        await citing.show_shared(update, context, passage_id)
        return
    texts = texts_of(update, context)
    await update.effective_message.reply_html(texts.start_html.format(examples=_starters_html(context, texts)))


def _starters_html(context: Context, texts: Texts, newest: int = 3) -> str:
    """The example questions this index can answer (a name none of its readouts holds rules one out),
    then its newest readouts, so a user sees at once what it covers."""
    with context.services.snapshot() as snapshot:
        examples = [q for q in texts.examples if not snapshot.missing(snapshot.parse(q))]
        documents = sorted((d for d in snapshot.documents() if d.date), key=lambda d: d.date or "", reverse=True)
    blocks = []
    if examples:
        blocks.append("\n".join([texts.try_heading, *(f"• <i>{escape(q)}</i>" for q in examples)]))
    lines = [f"• {escape(d.title[:120])} ({escape(d.source[:60])}, {d.date})" for d in documents[:newest]]
    if lines:
        blocks.append("\n".join([texts.newest_heading, *lines]))
    return "\n\n".join(blocks)


async def help_command(update: Update, context: Context) -> None:
    """How to ask, and the commands."""
    await update.effective_message.reply_html(texts_of(update, context).help_html.format(bot=escape(context.bot.username or "bot")))


async def joined(update: Update, context: Context) -> None:
    """Added to a group: say how to ask there."""
    change = update.my_chat_member
    was_in = change.old_chat_member.status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER)
    is_in = change.new_chat_member.status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR)
    if change.chat.type in ("group", "supergroup") and is_in and not was_in:
        greeting = texts_of(update, context).greeting_html.format(bot=escape(context.bot.username or "bot"))
        await context.bot.send_message(change.chat.id, greeting, parse_mode=ParseMode.HTML)


async def about(update: Update, context: Context) -> None:
    """Corpus size, date range and model."""
    with context.services.snapshot() as snapshot:
        documents, passages, model = snapshot.documents(), snapshot.passage_count, snapshot.model
    dates = sorted(d.date for d in documents if d.date)
    texts = texts_of(update, context)
    span = texts.span.format(first=dates[0], last=dates[-1]) if dates else texts.no_dates
    await update.effective_message.reply_html(texts.about_html.format(
        documents=len(documents), passages=passages, span=span, model=escape(model)))


def sources_page(context: Context, page: int, texts: Texts = ENGLISH) -> tuple[str, InlineKeyboardMarkup | None]:
    with context.services.snapshot() as snapshot:
        documents = sorted(snapshot.documents(), key=lambda d: d.date or "", reverse=True)
    pages = max(1, -(-len(documents) // SOURCES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    lines = [texts.sources_html.format(count=len(documents), page=page + 1, pages=pages)]
    for d in documents[page * SOURCES_PER_PAGE : (page + 1) * SOURCES_PER_PAGE]:
        lines.append(f"• <i>{escape(d.title[:200])}</i>\n  {escape(d.source[:100])}, {d.date or texts.date_unknown} "
                     f"({texts.passages.format(count=d.passages)})")
    row = [_button(texts.previous_button, buttons.Sources(page - 1))] if page > 0 else []
    row += [_button(texts.next_button, buttons.Sources(page + 1))] if page + 1 < pages else []
    return "\n".join(lines), InlineKeyboardMarkup([row]) if row else None


def _button(text: str, button: buttons.Button) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=buttons.encode(button))


async def sources(update: Update, context: Context) -> None:
    """The indexed documents, paged."""
    text, keyboard = sources_page(context, 0, texts_of(update, context))
    await update.effective_message.reply_html(text, reply_markup=keyboard)


async def sources_more(update: Update, context: Context) -> None:
    """Turn a page of /sources."""
    query = update.callback_query
    text, keyboard = sources_page(context, buttons.decode(query.data).page, texts_of(update, context))
    await query.answer()
    await _edit(query, text, keyboard)


async def ask_command(update: Update, context: Context) -> None:
    """/ask <question>, anywhere."""
    question = " ".join(context.args or [])
    if not question.strip():
        texts = texts_of(update, context)
        await update.effective_message.reply_text(texts.usage_ask.format(example=texts.examples[0]))
        return
    await answer_question(update, context, question)


async def private_text(update: Update, context: Context) -> None:
    """A plain message in a private chat is a question."""
    await answer_question(update, context, update.effective_message.text or "")


async def mention(update: Update, context: Context) -> None:
    """In a group, a message that mentions the bot is a question."""
    if _mentions_bot(update, context):
        await answer_question(update, context, _without_mention(update, context))


def _mentions_bot(update: Update, context: Context) -> bool:
    handle = f"@{context.bot.username}".lower()
    return any(text.lower() == handle for text in update.effective_message.parse_entities(["mention"]).values())


def _without_mention(update: Update, context: Context) -> str:
    """The message's text with the bot's @handle taken out."""
    text = update.effective_message.text or ""
    username = context.bot.username
    return re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE) if username else text


async def reply(update: Update, context: Context) -> None:
    """A reply to one of the bot's answers is a question, read with the one it answered when it leans
    on it ("And what did Russia say?"). Other replies are plain messages: questions in a private chat,
    in a group only when they mention the bot."""
    message = update.effective_message
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or replied.from_user.id != context.bot.id:
        if message.chat.type == "private":
            await private_text(update, context)
        else:
            await mention(update, context)
        return
    question = _without_mention(update, context)
    earlier = _earlier_subject(context, replied)
    combined = read_with(question, earlier) if earlier else None
    notice = texts_of(update, context).read_with.format(earlier=render.short(earlier or "", 200)) if combined else None
    await answer_question(update, context, combined or question, notice=notice, subject=earlier if combined else None)


def _earlier_subject(context: Context, replied) -> str | None:  # noqa: ANN001
    """What a follow-up to the replied-to message is read with: the question that message answered, or,
    when that was itself a follow-up, the question its chain began with (Search.subject), so that a
    chain of replies never piles up; as its first line shows it when the chat no longer keeps it."""
    shown = context.chat_data.search_in(replied.message_id) if context.chat_data is not None else None
    if shown is not None:
        return shown[1].subject
    first = (replied.text or "").split("\n", 1)[0]
    return first[2:].strip().rstrip("…").strip() if first.startswith("Q:") else None


async def not_text(update: Update, context: Context) -> None:
    """Stickers, photos, files: ask for words instead."""
    texts = texts_of(update, context)
    await update.effective_message.reply_text(texts.not_text.format(example=texts.examples[0]))


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have: point to /help."""
    await update.effective_message.reply_text(texts_of(update, context).unknown_command)


async def answer_question(update: Update, context: Context, question: str, notice: str | None = None,
                          subject: str | None = None) -> None:
    """Answer `question` in the chat of the update, within the sender's question limit; `notice` says
    how the question was read, and `subject` what it was read with (a follow-up read with the question
    it follows)."""
    service = context.services
    message = update.effective_message
    texts = texts_of(update, context)
    wait = service.limiter.wait_time(asker(update))
    if wait:
        await message.reply_text(texts.slow_down.format(per_minute=service.settings.questions_per_minute,
                                                        seconds=max(1, round(wait))))
        return
    search = asyncio.ensure_future(service.answer(question))
    try:
        # "typing…" only when the answer is slow to come: most take milliseconds, and the action
        # would cost a request per question.
        done, _ = await asyncio.wait([search], timeout=TYPING_AFTER)
        if not done:
            await context.bot.send_chat_action(message.chat_id, ChatAction.TYPING)
        answer = await search
    except EnglishOnlyIndex as error:
        await message.reply_text(texts.english_only.format(model=error.model))
        return
    except ReadoutsError as error:  # a question that cannot be searched, filters that exclude all, an empty index
        await message.reply_text(str(error))
        return
    if notice:
        answer = dataclasses.replace(answer, notice=" ".join(filter(None, [notice, answer.notice])))
    key = remember(context, Search.of(answer, subject or answer.question, answer.generation))
    if not answer.found:  # kept all the same: a reply to it is a follow-up too
        sent = await message.reply_html(render.nothing_found_html(answer, texts))
    else:
        text, keyboard = answer_page(answer, key, 0, service.settings.results_per_page, texts, context)
        sent = await message.reply_html(text, reply_markup=keyboard, disable_web_page_preview=True)
    context.chat_data.shown(sent.message_id, key)


def remember(context: Context, search: Search) -> str:
    """Keep a search for its buttons and for replies to it; the oldest searches of a chat expire."""
    searches = context.chat_data.searches
    key = secrets.token_hex(4)
    searches[key] = search
    while len(searches) > SEARCHES_KEPT_PER_CHAT:
        searches.popitem(last=False)
    return key


def answer_page(answer: Answer, key: str, page: int, per_page: int, texts: Texts, context: Context,
                positions: tuple[int, ...] | None = None) -> tuple[str, InlineKeyboardMarkup]:
    """One page of hits with its buttons: paging; for each hit shown, its context, its citation and a
    link to share it; then 👍/👎 when feedback is kept. `positions`: where each hit sits in the kept
    search (which its Context button names), when some of the search's passages have left the index."""
    pages = render.paginate(answer, per_page)
    shown = pages[page]
    rows = [_hit_row(answer, i, positions[i] if positions else i, key, texts, context.bot.username) for i in shown]
    paging = [_button(texts.previous_button, buttons.More(key, page - 1))] if page > 0 else []
    paging += [_button(texts.more_button, buttons.More(key, page + 1))] if page + 1 < len(pages) else []
    feedback = votes.vote_row(key, page) if context.services.feedback is not None else []
    by_date = [_button(texts.timeline_button, buttons.Timeline(key))]
    keyboard = [row for row in (paging, *rows, by_date, feedback) if row]
    return render.page_html(answer, shown, page, len(pages), texts), InlineKeyboardMarkup(keyboard)


def _hit_row(answer: Answer, i: int, position: int, key: str, texts: Texts,
             bot_username: str | None) -> list[InlineKeyboardButton]:
    row = [_button(texts.context_button.format(n=i + 1), buttons.Context(key, position)),
           _button(texts.cite_button.format(n=i + 1), buttons.Cite(answer.hits[i].passage.id))]
    if bot_username:
        row.append(InlineKeyboardButton(texts.link_button.format(n=i + 1),
                                        url=citing.share_link(bot_username, answer.hits[i].passage.id)))
    return row


async def more_results(update: Update, context: Context) -> None:
    """Show another page of an earlier answer, in place, from its passages as the index holds them now."""
    query, button, texts = update.callback_query, buttons.decode(update.callback_query.data), texts_of(update, context)
    search = context.searches.get(button.key)
    if search is None or not search.quoted:  # not kept, or a "found nothing" (which has no pages)
        await query.answer(texts.expired)
        return
    service = context.services
    rebuilt = await service.rebuilt(search)
    if not rebuilt.answer.hits:
        await query.answer(texts.answer_gone, show_alert=True)
        return
    await query.answer()
    answer = rebuilt.answer
    if rebuilt.gone:
        answer = dataclasses.replace(answer, notice=" ".join(filter(None, [
            answer.notice, texts.passages_gone.format(count=rebuilt.gone)])))
    pages = render.paginate(answer, service.settings.results_per_page)
    page = min(button.page, len(pages) - 1)
    answer = await service.emphasised(answer, pages[page])
    for i in pages[page]:  # kept, so that the page costs no embedding when shown again
        search.quoted[rebuilt.positions[i]].emphasis = answer.hits[i].emphasis
    text, keyboard = answer_page(answer, button.key, page, service.settings.results_per_page, texts, context,
                                 rebuilt.positions)
    if query.message is not None and context.chat_data is not None:
        context.chat_data.shown(query.message.message_id, button.key, page)
    await _edit(query, text, keyboard)


async def more_context(update: Update, context: Context) -> None:
    """Send a quoted passage again with the paragraphs around it; say so when it has left the index."""
    query, button, texts = update.callback_query, buttons.decode(update.callback_query.data), texts_of(update, context)
    search = context.searches.get(button.key)
    if search is None or button.index >= len(search.quoted) or not (query.message and query.message.is_accessible):
        await query.answer(texts.expired)
        return
    found = await context.services.in_context(search, button.index, around=1)
    if found is None:
        await query.answer(texts.passage_gone, show_alert=True)
        return
    await query.answer()
    hit, neighbours = found
    await query.message.reply_html(render.context_html(hit, neighbours), disable_web_page_preview=True)


async def timeline_command(update: Update, context: Context) -> None:
    """/timeline <question>: the passages that answer it, oldest first, one line each."""
    question = " ".join(context.args or [])
    if not question.strip():
        texts = texts_of(update, context)
        await update.effective_message.reply_text(texts.usage_timeline.format(example=texts.examples[0]))
        return
    await send_timeline(update, context, question)


async def timeline_button(update: Update, context: Context) -> None:
    """By date, under an answer: its question's passages as a timeline, in a new message."""
    query, texts = update.callback_query, texts_of(update, context)
    search = context.searches.get(buttons.decode(query.data).key)
    if search is None or not (query.message and query.message.is_accessible):
        await query.answer(texts.expired)
        return
    await query.answer()
    await send_timeline(update, context, search.question)


def timeline_answer(context: Context, question: str) -> Answer:
    """The answer policy's timeline of `question` (up to TIMELINE_RESULTS readouts, spread over their
    dates), each passage with its best sentence marked and its link made: a timeline shows them all at
    once. Runs in a search thread."""
    answerer = context.services.answerer
    answer = answerer.timeline(question, TIMELINE_RESULTS)
    return answerer.emphasised(answer, range(len(answer.hits)))


async def send_timeline(update: Update, context: Context, question: str) -> None:
    """A timeline of `question` sent to the update's chat, within the sender's question limit."""
    service, message, texts = context.services, update.effective_message, texts_of(update, context)
    wait = service.limiter.wait_time(asker(update))
    if wait:
        await message.reply_text(texts.slow_down.format(per_minute=service.settings.questions_per_minute,
                                                        seconds=max(1, round(wait))))
        return
    try:
        answer = await asyncio.get_running_loop().run_in_executor(service.executor, timeline_answer, context, question)
    except EnglishOnlyIndex as error:
        await message.reply_text(texts.english_only.format(model=error.model))
        return
    except ReadoutsError as error:
        await message.reply_text(str(error))
        return
    html = render.timeline_html(answer, texts) if answer.found else render.nothing_found_html(answer, texts)
    await message.reply_html(html, disable_web_page_preview=True)


async def expired_button(update: Update, context: Context) -> None:
    """A button the bot did not make, or no longer knows: say so, and stop the spinner."""
    await update.callback_query.answer(texts_of(update, context).expired)


async def _edit(query, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard,
                                      disable_web_page_preview=True)
    except BadRequest as error:  # a double tap asks for the page already shown
        if "not modified" not in str(error).lower():
            raise


async def inline_query(update: Update, context: Context) -> None:
    """@bot question in any chat: offer the top passages, each sending its quote and citation."""
    query = update.inline_query
    service = context.services
    if not query.query.strip() or service.limiter.wait_time(asker(update)):
        await query.answer([], cache_time=0, is_personal=True)
        return
    try:
        answer = await service.answer(query.query)
    except ReadoutsError:
        await query.answer([], cache_time=0)
        return
    answer = await service.linked(answer, range(min(INLINE_RESULTS, len(answer.hits))))
    results = [
        InlineQueryResultArticle(
            id=hit.passage.id[:64],
            title=f"{hit.passage.title[:80]}",
            description=(f"{hit.passage.speaker} · " if hit.passage.speaker else "")
            + f"{hit.passage.source}, {hit.passage.date or 'date unknown'} — {hit.passage.text[:120]}",
            input_message_content=InputTextMessageContent(render.hit_html(hit, max_chars=3000), parse_mode=ParseMode.HTML),
            reply_markup=_inline_keyboard(hit, texts_of(update, context)),
        )
        for hit in answer.hits[:INLINE_RESULTS]
    ]
    await query.answer(results, cache_time=60)


def _inline_keyboard(hit: Hit, texts: Texts) -> InlineKeyboardMarkup:
    """Under a shared quote: Cite (it opens the bot's chat on the passage, citation and all) and, when
    one fits, a button that copies the citation or its reference (cite.copy_button)."""
    row = [_button(texts.cite_button.format(n="").strip(), buttons.Cite(hit.passage.id))]
    copy = citing.copy_button(hit.passage, "plain", hit.link, texts)
    if copy:
        row.append(copy)
    return InlineKeyboardMarkup([row])


async def error_handler(update: object, context: Context) -> None:
    """Log the traceback, then tell the user something went wrong, without internals."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return
    sorry = texts_of(update, context).sorry
    if update.callback_query:  # no spinner left; fails harmlessly when the handler had answered it
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer(sorry)
    if update.effective_message:
        try:
            await update.effective_message.reply_text(sorry)
        except Exception:  # noqa: BLE001 - the network may be what failed; the log above has the cause
            log.warning("could not tell the user about the error")
