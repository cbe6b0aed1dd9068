"""Telegram handlers: each does one thing; searches run in a worker thread, off the event loop."""
from __future__ import annotations

import asyncio
import logging
import secrets
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop, ContextTypes

from index.errors import BadQuery, NothingMatches

from . import render
from .answers import Answer, Answerer
from .config import Settings
from .throttle import QuestionLimiter

log = logging.getLogger(__name__)

SEARCHES_KEPT_PER_CHAT = 20
TYPING_AFTER = 0.5  # seconds
SOURCES_PER_PAGE = 10
EXAMPLES = (
    "What did China say about the Fukushima water release?",
    "What is the Beijing-Tokyo Forum?",
    "What did Wang Yi tell Taro Kono about the Korean Peninsula?",
)
HELP = (
    "Ask me about diplomatic readouts in plain language. I quote the passages that answer you, "
    "word for word, each with its title, source and date, so you can cite them.\n\n"
    "• In a private chat, just send your question.\n"
    "• In a group, use /ask &lt;question&gt; or mention me.\n"
    "• Inline: type <code>@{bot} question</code> in any chat to share a quote.\n"
    "• Press <b>More results</b> under an answer for further passages, <b>Context</b> for the paragraphs around one.\n"
    "• Dates in your question filter the readouts: <i>in 2017</i>, <i>September 2024</i>, <i>since 2022</i>, "
    "<i>before 2023</i>, <i>last year</i>; <i>latest</i> puts the newest first.\n"
    "• Or use filters: <code>after:2023-01-01</code> <code>before:2024</code> <code>source:Xinhua</code>.\n\n"
    "/sources – the readouts I know\n/about – corpus size, dates and model\n/help – this message"
)


@dataclass
class Services:
    """What the handlers share; kept in bot_data (which is never persisted)."""

    settings: Settings
    answerer: Answerer
    limiter: QuestionLimiter
    executor: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(max_workers=2, thread_name_prefix="search"))

    async def answer(self, question: str) -> Answer:
        return await asyncio.get_running_loop().run_in_executor(self.executor, self.answerer.answer, question)

    async def emphasised(self, answer: Answer, shown: range) -> Answer:
        return await asyncio.get_running_loop().run_in_executor(self.executor, self.answerer.emphasised, answer, shown)


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.bot_data["services"]


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Refuse anyone outside the allow lists before any other handler runs."""
    settings = services(context).settings
    user, chat = update.effective_user, update.effective_chat
    user_ok = not settings.allowed_user_ids or (user is not None and user.id in settings.allowed_user_ids)
    chat_ok = not settings.allowed_chat_ids or chat is None or chat.id in settings.allowed_chat_ids
    if user_ok and chat_ok:
        return
    log.info("refused update %s from user %s in chat %s", update.update_id, user and user.id, chat and chat.id)
    if update.callback_query:
        await update.callback_query.answer("Sorry, this bot is private.")
    elif update.inline_query:
        await update.inline_query.answer([], cache_time=0)
    elif update.effective_message and (chat is None or chat.type == "private" or _addressed_to_bot(update, context)):
        await update.effective_message.reply_text("Sorry, this bot is private.")
    raise ApplicationHandlerStop


def _addressed_to_bot(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    text = (update.effective_message.text or "").lower()
    return text.startswith("/") or f"@{(context.bot.username or '').lower()}" in text


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what the bot does, with example questions."""
    examples = "\n".join(f"• <i>{escape(q)}</i>" for q in EXAMPLES)
    await update.effective_message.reply_html(
        f"Hello! I search official diplomatic readouts and quote them verbatim with source and date.\n\n"
        f"Try:\n{examples}\n\nSee /help for more."
    )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """How to ask, and the commands."""
    await update.effective_message.reply_html(HELP.format(bot=escape(context.bot.username or "bot")))


async def about(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Corpus size, date range and model."""
    retriever = services(context).answerer.retriever
    documents = retriever.documents()
    dates = sorted(d.date for d in documents if d.date)
    span = f"{dates[0]} to {dates[-1]}" if dates else "no dated documents"
    await update.effective_message.reply_html(
        f"I hold <b>{len(documents)}</b> readouts in <b>{retriever.passage_count}</b> passages, "
        f"dated {span}.\nSearch model: <code>{escape(retriever.model)}</code>."
    )


def sources_page(context: ContextTypes.DEFAULT_TYPE, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    documents = sorted(services(context).answerer.retriever.documents(), key=lambda d: d.date or "", reverse=True)
    pages = max(1, -(-len(documents) // SOURCES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    lines = [f"<b>Readouts indexed</b> ({len(documents)}), page {page + 1} of {pages}:"]
    for d in documents[page * SOURCES_PER_PAGE : (page + 1) * SOURCES_PER_PAGE]:
        lines.append(f"• <i>{escape(d.title[:200])}</i>\n  {escape(d.source[:100])}, {d.date or 'date unknown'} "
                     f"({d.passages} passages)")
    buttons = [InlineKeyboardButton("◀ Previous", callback_data=f"src:{page - 1}")] if page > 0 else []
    buttons += [InlineKeyboardButton("Next ▶", callback_data=f"src:{page + 1}")] if page + 1 < pages else []
    return "\n".join(lines), InlineKeyboardMarkup([buttons]) if buttons else None


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The indexed documents, paged."""
    text, keyboard = sources_page(context, 0)
    await update.effective_message.reply_html(text, reply_markup=keyboard)


async def sources_more(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Turn a page of /sources."""
    query = update.callback_query
    text, keyboard = sources_page(context, int(query.data.split(":")[1]))
    await query.answer()
    await _edit(query, text, keyboard)


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask <question>, anywhere."""
    question = " ".join(context.args or [])
    if not question.strip():
        await update.effective_message.reply_text("Usage: /ask <question>, e.g. /ask " + EXAMPLES[0])
        return
    await answer_question(update, context, question)


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A plain message in a private chat is a question."""
    await answer_question(update, context, update.effective_message.text)


async def mention(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a group, a message that mentions the bot is a question."""
    message = update.effective_message
    handle = f"@{context.bot.username}".lower()
    mentions = [text for entity, text in message.parse_entities(["mention"]).items() if text.lower() == handle]
    if mentions:
        question = message.text
        for text in mentions:
            question = question.replace(text, " ")
        await answer_question(update, context, question)


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, files: ask for words instead."""
    await update.effective_message.reply_text("I can only read questions sent as text. " + "Try: " + EXAMPLES[0])


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text("I don't know that command. See /help.")


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    service = services(context)
    message = update.effective_message
    wait = service.limiter.wait_time(update.effective_user.id)
    if wait:
        await message.reply_text(f"Slow down, please: at most {service.settings.questions_per_minute} questions a "
                                 f"minute. Try again in {max(1, round(wait))} s.")
        return
    search = asyncio.ensure_future(service.answer(question))
    try:
        # "typing…" only when the answer is slow to come: most take milliseconds, and the action
        # would cost a request per question.
        done, _ = await asyncio.wait([search], timeout=TYPING_AFTER)
        if not done:
            await context.bot.send_chat_action(message.chat_id, ChatAction.TYPING)
        answer = await search
    except (BadQuery, NothingMatches) as error:
        await message.reply_text(str(error))
        return
    if not answer.found:
        await message.reply_html(render.nothing_found_html(answer))
        return
    key = remember(context, answer)
    text, keyboard = answer_page(answer, key, 0, service.settings.results_per_page)
    await message.reply_html(text, reply_markup=keyboard, disable_web_page_preview=True)


def remember(context: ContextTypes.DEFAULT_TYPE, answer: Answer) -> str:
    """Keep an answer for its "More results" button; the oldest searches of a chat expire."""
    searches: OrderedDict[str, Answer] = context.chat_data.setdefault("searches", OrderedDict())
    key = secrets.token_hex(4)
    searches[key] = answer
    while len(searches) > SEARCHES_KEPT_PER_CHAT:
        searches.popitem(last=False)
    return key


def answer_page(answer: Answer, key: str, page: int, per_page: int) -> tuple[str, InlineKeyboardMarkup]:
    """One page of hits with its buttons: context for each hit shown, then paging."""
    pages = render.paginate(answer, per_page)
    shown = pages[page]
    context = [InlineKeyboardButton(f"Context {i + 1}", callback_data=f"ctx:{key}:{i}") for i in shown]
    paging = [InlineKeyboardButton("◀ Previous", callback_data=f"more:{key}:{page - 1}")] if page > 0 else []
    paging += [InlineKeyboardButton("More results ▶", callback_data=f"more:{key}:{page + 1}")] if page + 1 < len(pages) else []
    return render.page_html(answer, shown, page, len(pages)), InlineKeyboardMarkup([row for row in (paging, context) if row])


async def more_results(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show another page of an earlier answer, in place."""
    query = update.callback_query
    _, key, page = query.data.split(":")
    answer = (context.chat_data or {}).get("searches", {}).get(key)
    if answer is None:
        await query.answer("That search has expired. Please ask again.")
        return
    await query.answer()
    service = services(context)
    pages = render.paginate(answer, service.settings.results_per_page)
    page = min(max(int(page), 0), len(pages) - 1)
    answer = await service.emphasised(answer, pages[page])
    context.chat_data["searches"][key] = answer
    text, keyboard = answer_page(answer, key, page, service.settings.results_per_page)
    await _edit(query, text, keyboard)


async def more_context(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send a quoted passage again with the paragraphs around it."""
    query = update.callback_query
    _, key, index = query.data.split(":")
    answer = (context.chat_data or {}).get("searches", {}).get(key)
    if answer is None or int(index) >= len(answer.hits):
        await query.answer("That search has expired. Please ask again.")
        return
    await query.answer()
    hit = answer.hits[int(index)]
    neighbours = services(context).answerer.retriever.context(hit.passage, around=1)
    await query.message.reply_html(render.context_html(hit, neighbours), disable_web_page_preview=True)


async def _edit(query, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard,
                                      disable_web_page_preview=True)
    except BadRequest as error:  # a double tap asks for the page already shown
        if "not modified" not in str(error).lower():
            raise


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """@bot question in any chat: offer the top passages, each sending its quote and citation."""
    query = update.inline_query
    service = services(context)
    if not query.query.strip() or service.limiter.wait_time(query.from_user.id):
        await query.answer([], cache_time=0, is_personal=True)
        return
    try:
        answer = await service.answer(query.query)
    except (BadQuery, NothingMatches):
        await query.answer([], cache_time=0)
        return
    results = [
        InlineQueryResultArticle(
            id=hit.passage.id[:64],
            title=f"{hit.passage.title[:80]}",
            description=f"{hit.passage.source}, {hit.passage.date or 'date unknown'} — {hit.passage.text[:120]}",
            input_message_content=InputTextMessageContent(render.hit_html(hit, max_chars=3500), parse_mode=ParseMode.HTML),
        )
        for hit in answer.hits[:10]
    ]
    await query.answer(results, cache_time=60)


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the traceback, then tell the user something went wrong, without internals."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message:
        try:
            await update.effective_message.reply_text("Sorry, something went wrong on my side. Please try again.")
        except Exception:  # noqa: BLE001 - the network may be what failed; the log above has the cause
            log.warning("could not tell the user about the error")
