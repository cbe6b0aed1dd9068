"""Citing what the bot quotes: the Cite button under a quote, /citestyle, and the shared link
(t.me/<bot>?start=<payload>) that opens one passage with its citation."""
from __future__ import annotations

from datetime import date
from html import escape

from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup, Update

from index import STYLES, CitationStyle, Hit, Passage, cite, passage_link

from . import buttons, render
from .context import Context
from .texts import Texts, texts_of

COPY_LIMIT = 256  # Telegram's limit for a CopyTextButton's text


def share_link(bot_username: str, passage_id: str) -> str:
    """The deep link that opens one passage in a private chat with the bot."""
    return f"https://t.me/{bot_username}?start={buttons.payload(passage_id)}"


def citation_html(context: Context, texts: Texts, passage: Passage, style: CitationStyle) -> tuple[str, InlineKeyboardMarkup | None]:
    """The citation in `style` as a message to tap and copy (<code>), with a button that copies it
    when a version fits Telegram's limit."""
    link = passage_link(passage, context.services.answerer.retriever.document(passage))
    full = cite(passage, style, accessed=date.today(), link=link)
    html = f"{texts.citation_html.format(style=style)}\n<code>{escape(full, quote=False)}</code>"
    button = copy_button(passage, style, link, texts)
    return html, InlineKeyboardMarkup([[button]]) if button else None


def copy_button(passage: Passage, style: CitationStyle, link: str | None, texts: Texts) -> InlineKeyboardButton | None:
    """A button that copies the whole citation when it fits Telegram's limit, else the reference
    without the quote; None when neither fits. Both keep the link to the quoted words; the <code>
    message holds the whole citation either way."""
    today = date.today()
    whole = cite(passage, style, accessed=today, link=link)
    if len(whole) <= COPY_LIMIT:
        return InlineKeyboardButton(texts.copy_button, copy_text=CopyTextButton(whole))
    reference = cite(passage, style, accessed=today, link=link, quoted=False)
    if len(reference) <= COPY_LIMIT:
        return InlineKeyboardButton(texts.copy_reference_button, copy_text=CopyTextButton(reference))
    return None


def chat_style(context: Context) -> CitationStyle:
    """The chat's citation style; plain where there is no chat (inline) or the style is unknown."""
    style = context.chat_data.cite_style if context.chat_data is not None else None
    return next((known for known in STYLES if known == style), STYLES[0])


async def cite_button(update: Update, context: Context) -> None:
    """Cite n: the passage's citation in the chat's style. On an inline message (no chat to write to)
    the button opens the bot's private chat on the passage instead."""
    query, texts = update.callback_query, texts_of(update, context)
    passage = context.services.answerer.retriever.passage(buttons.decode(query.data).passage)
    if passage is None:
        await query.answer(texts.passage_gone, show_alert=True)
        return
    if query.message is None:
        await query.answer(url=share_link(context.bot.username, passage.id))
        return
    await query.answer()
    html, keyboard = citation_html(context, texts, passage, chat_style(context))
    await context.bot.send_message(query.message.chat.id, html, parse_mode="HTML", reply_markup=keyboard,
                                   disable_web_page_preview=True)


async def show_shared(update: Update, context: Context, passage_id: str) -> None:
    """/start <payload> from a shared link: the passage, verbatim with its source, then its citation."""
    texts = texts_of(update, context)
    retriever = context.services.answerer.retriever
    passage = retriever.passage(passage_id)
    message = update.effective_message
    if passage is None:
        await message.reply_text(texts.passage_gone)
        return
    link = passage_link(passage, retriever.document(passage))
    hit = Hit(passage, score=0.0, rank=1, link=link)
    await message.reply_html(render.hit_html(hit, max_chars=3000), disable_web_page_preview=True)
    html, keyboard = citation_html(context, texts, passage, chat_style(context))
    await message.reply_html(html, reply_markup=keyboard, disable_web_page_preview=True)


def style_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(style.capitalize(), callback_data=buttons.encode(
        buttons.Style(style))) for style in STYLES]])


async def citestyle_command(update: Update, context: Context) -> None:
    """/citestyle [plain|chicago]: set this chat's citation style, or show it with buttons to choose."""
    texts = texts_of(update, context)
    wanted = " ".join(context.args or []).strip()
    if wanted.lower() in STYLES:
        context.chat_data.cite_style = wanted.lower()
        await update.effective_message.reply_text(texts.style_set.format(style=wanted.lower()))
        return
    reply = texts.style_choose.format(style=chat_style(context))
    if wanted:
        reply = texts.not_a_style.format(wanted=wanted[:40], styles=" / ".join(STYLES)) + "\n" + reply
    await update.effective_message.reply_text(reply, reply_markup=style_keyboard())


async def style_button(update: Update, context: Context) -> None:
    """A style chosen with /citestyle's buttons."""
    query, texts = update.callback_query, texts_of(update, context)
    style = buttons.decode(query.data).style
    if context.chat_data is None:
        await query.answer(texts.expired)
        return
    context.chat_data.cite_style = style
    await query.answer(texts.style_set.format(style=style))
