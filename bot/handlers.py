"""Telegram handlers: each does one thing; searches run in a worker thread, off the event loop."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from html import escape

from telegram import (
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

from index import Answer, ReadoutsError

from . import buttons, render
from .config import Settings
from .context import Context

log = logging.getLogger(__name__)

SEARCHES_KEPT_PER_CHAT = 20
TYPING_AFTER = 0.5  # seconds
SOURCES_PER_PAGE = 10
PRIVATE = "Sorry, this bot is private."
SORRY = "Sorry, something went wrong on my side. Please try again."
EXPIRED = "That button has expired. Please ask again."
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
    "/alert &lt;question&gt; – send this chat new readouts that answer it, as they arrive\n"
    "/alerts – this chat's alerts, to remove them\n"
    "/sources – the readouts I know\n/about – corpus size, dates and model\n/help – this message"
)


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
    """Refuse anyone outside the allow lists before any other handler runs."""
    if allowed(update, context.services.settings):
        return
    chat = update.effective_chat
    log.info("refused update %s from %s in chat %s", update.update_id,
             update.effective_sender and update.effective_sender.id, chat and chat.id)
    if update.callback_query:
        await update.callback_query.answer(PRIVATE)
    elif update.inline_query:
        await update.inline_query.answer([], cache_time=0, is_personal=True)
    elif update.effective_message and (chat is None or chat.type == "private" or _addressed_to_bot(update, context)):
        await update.effective_message.reply_text(PRIVATE)
    raise ApplicationHandlerStop


def _addressed_to_bot(update: Update, context: Context) -> bool:
    text = (update.effective_message.text or "").lower()
    return text.startswith("/") or f"@{(context.bot.username or '').lower()}" in text


async def start(update: Update, context: Context) -> None:
    """Say what the bot does, with example questions."""
    examples = "\n".join(f"• <i>{escape(q)}</i>" for q in EXAMPLES)
    await update.effective_message.reply_html(
        f"Hello! I search official diplomatic readouts and quote them verbatim with source and date.\n\n"
        f"Try:\n{examples}\n\nSee /help for more."
    )


async def help_command(update: Update, context: Context) -> None:
    """How to ask, and the commands."""
    await update.effective_message.reply_html(HELP.format(bot=escape(context.bot.username or "bot")))


async def about(update: Update, context: Context) -> None:
    """Corpus size, date range and model."""
    retriever = context.services.answerer.retriever
    documents = retriever.documents()
    dates = sorted(d.date for d in documents if d.date)
    span = f"{dates[0]} to {dates[-1]}" if dates else "no dated documents"
    await update.effective_message.reply_html(
        f"I hold <b>{len(documents)}</b> readouts in <b>{retriever.passage_count}</b> passages, "
        f"dated {span}.\nSearch model: <code>{escape(retriever.model)}</code>."
    )


def sources_page(context: Context, page: int) -> tuple[str, InlineKeyboardMarkup | None]:
    documents = sorted(context.services.answerer.retriever.documents(), key=lambda d: d.date or "", reverse=True)
    pages = max(1, -(-len(documents) // SOURCES_PER_PAGE))
    page = min(max(page, 0), pages - 1)
    lines = [f"<b>Readouts indexed</b> ({len(documents)}), page {page + 1} of {pages}:"]
    for d in documents[page * SOURCES_PER_PAGE : (page + 1) * SOURCES_PER_PAGE]:
        lines.append(f"• <i>{escape(d.title[:200])}</i>\n  {escape(d.source[:100])}, {d.date or 'date unknown'} "
                     f"({d.passages} passages)")
    row = [_button("◀ Previous", buttons.Sources(page - 1))] if page > 0 else []
    row += [_button("Next ▶", buttons.Sources(page + 1))] if page + 1 < pages else []
    return "\n".join(lines), InlineKeyboardMarkup([row]) if row else None


def _button(text: str, button: buttons.Button) -> InlineKeyboardButton:
    return InlineKeyboardButton(text, callback_data=buttons.encode(button))


async def sources(update: Update, context: Context) -> None:
    """The indexed documents, paged."""
    text, keyboard = sources_page(context, 0)
    await update.effective_message.reply_html(text, reply_markup=keyboard)


async def sources_more(update: Update, context: Context) -> None:
    """Turn a page of /sources."""
    query = update.callback_query
    text, keyboard = sources_page(context, buttons.decode(query.data).page)
    await query.answer()
    await _edit(query, text, keyboard)


async def ask_command(update: Update, context: Context) -> None:
    """/ask <question>, anywhere."""
    question = " ".join(context.args or [])
    if not question.strip():
        await update.effective_message.reply_text("Usage: /ask <question>, e.g. /ask " + EXAMPLES[0])
        return
    await answer_question(update, context, question)


async def private_text(update: Update, context: Context) -> None:
    """A plain message in a private chat is a question."""
    await answer_question(update, context, update.effective_message.text or "")


async def mention(update: Update, context: Context) -> None:
    """In a group, a message that mentions the bot is a question."""
    message = update.effective_message
    handle = f"@{context.bot.username}".lower()
    mentions = [text for entity, text in message.parse_entities(["mention"]).items() if text.lower() == handle]
    if mentions:
        question = message.text or ""
        for text in mentions:
            question = question.replace(text, " ")
        await answer_question(update, context, question)


async def not_text(update: Update, context: Context) -> None:
    """Stickers, photos, files: ask for words instead."""
    await update.effective_message.reply_text("I can only read questions sent as text. " + "Try: " + EXAMPLES[0])


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have: point to /help."""
    await update.effective_message.reply_text("I don't know that command. See /help.")


async def answer_question(update: Update, context: Context, question: str) -> None:
    """Answer `question` in the chat of the update, within the sender's question limit."""
    service = context.services
    message = update.effective_message
    wait = service.limiter.wait_time(asker(update))
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
    except ReadoutsError as error:  # a question that cannot be searched, filters that exclude all, an empty index
        await message.reply_text(str(error))
        return
    if not answer.found:
        await message.reply_html(render.nothing_found_html(answer))
        return
    key = remember(context, answer)
    text, keyboard = answer_page(answer, key, 0, service.settings.results_per_page)
    await message.reply_html(text, reply_markup=keyboard, disable_web_page_preview=True)


def remember(context: Context, answer: Answer) -> str:
    """Keep an answer for its "More results" button; the oldest searches of a chat expire."""
    searches = context.chat_data.searches
    key = secrets.token_hex(4)
    searches[key] = answer
    while len(searches) > SEARCHES_KEPT_PER_CHAT:
        searches.popitem(last=False)
    return key


def answer_page(answer: Answer, key: str, page: int, per_page: int) -> tuple[str, InlineKeyboardMarkup]:
    """One page of hits with its buttons: context for each hit shown, then paging."""
    pages = render.paginate(answer, per_page)
    shown = pages[page]
    context = [_button(f"Context {i + 1}", buttons.Context(key, i)) for i in shown]
    paging = [_button("◀ Previous", buttons.More(key, page - 1))] if page > 0 else []
    paging += [_button("More results ▶", buttons.More(key, page + 1))] if page + 1 < len(pages) else []
    return render.page_html(answer, shown, page, len(pages)), InlineKeyboardMarkup([row for row in (paging, context) if row])


async def more_results(update: Update, context: Context) -> None:
    """Show another page of an earlier answer, in place."""
    query, button = update.callback_query, buttons.decode(update.callback_query.data)
    answer = context.searches.get(button.key)
    if answer is None:
        await query.answer(EXPIRED)
        return
    await query.answer()
    service = context.services
    pages = render.paginate(answer, service.settings.results_per_page)
    page = min(button.page, len(pages) - 1)
    answer = await service.emphasised(answer, pages[page])
    context.searches[button.key] = answer
    text, keyboard = answer_page(answer, button.key, page, service.settings.results_per_page)
    await _edit(query, text, keyboard)


async def more_context(update: Update, context: Context) -> None:
    """Send a quoted passage again with the paragraphs around it."""
    query, button = update.callback_query, buttons.decode(update.callback_query.data)
    answer = context.searches.get(button.key)
    if answer is None or button.index >= len(answer.hits) or not (query.message and query.message.is_accessible):
        await query.answer(EXPIRED)
        return
    await query.answer()
    hit = answer.hits[button.index]
    neighbours = context.services.answerer.retriever.context(hit.passage, around=1)
    await query.message.reply_html(render.context_html(hit, neighbours), disable_web_page_preview=True)


async def expired_button(update: Update, context: Context) -> None:
    """A button the bot did not make, or no longer knows: say so, and stop the spinner."""
    await update.callback_query.answer(EXPIRED)


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


async def error_handler(update: object, context: Context) -> None:
    """Log the traceback, then tell the user something went wrong, without internals."""
    log.error("error while handling an update", exc_info=context.error)
    if not isinstance(update, Update):
        return
    if update.callback_query:  # no spinner left; fails harmlessly when the handler had answered it
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer(SORRY)
    if update.effective_message:
        try:
            await update.effective_message.reply_text(SORRY)
        except Exception:  # noqa: BLE001 - the network may be what failed; the log above has the cause
            log.warning("could not tell the user about the error")
