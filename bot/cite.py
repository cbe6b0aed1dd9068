"""Citing what the bot quotes: the Cite button under a quote, /citestyle (plain, or the official CSL
styles through citeproc-py), /export (the passages cited, as CSL-JSON and RIS files for Zotero), and
the shared link (t.me/<bot>?start=<payload>) that opens one passage with its citation."""
from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from html import escape

from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup, Update

from index import (
    STYLE_LABELS,
    STYLES,
    CitationStyle,
    Cited,
    Hit,
    Passage,
    cite,
    csl_json,
    ris,
    style_named,
)

from . import buttons, render
from .context import Context
from .texts import Texts, texts_of

COPY_LIMIT = 256  # Telegram's limit for a CopyTextButton's text
CITED_KEPT = 100  # passages a chat remembers having cited, for /export
STYLES_PER_ROW = 2


def share_link(bot_username: str, passage_id: str) -> str:
    """The deep link that opens one passage in a private chat with the bot."""
    return f"https://t.me/{bot_username}?start={buttons.payload(passage_id)}"


def citation_html(context: Context, texts: Texts, passage: Passage, style: CitationStyle) -> tuple[str, InlineKeyboardMarkup | None]:
    """The citation in `style` as a message to tap and copy (<code>), with a button that copies it
    when a version fits Telegram's limit. It reads the readout and renders through citeproc: call it
    in a search thread (`citation_message`)."""
    link = context.services.answerer.link(passage)
    full = cite(passage, style, accessed=date.today(), link=link)
    heading = texts.citation_html.format(style=escape(STYLE_LABELS[style], quote=False))
    html = f"{heading}\n<code>{escape(full, quote=False)}</code>"
    button = copy_button(passage, style, link, texts)
    return html, InlineKeyboardMarkup([[button]]) if button else None


async def citation_message(context: Context, texts: Texts, passage: Passage) -> tuple[str, InlineKeyboardMarkup | None]:
    """citation_html in the chat's style, in a search thread; the passage is remembered as cited here."""
    remember_cited(context, passage.id)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(context.services.executor, citation_html, context, texts, passage,
                                      chat_style(context))


def remember_cited(context: Context, passage_id: str) -> None:
    """Keep `passage_id` as the chat's latest cited passage (once, at most CITED_KEPT of them)."""
    if context.chat_data is None:
        return
    cited = context.chat_data.cited
    if passage_id in cited:
        cited.remove(passage_id)
    cited.append(passage_id)
    del cited[:-CITED_KEPT]


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
    """The chat's citation style; plain where there is no chat (inline) or the style is unknown. A chat
    that chose "chicago" in an earlier version cites in Chicago notes (index.style_named)."""
    style = context.chat_data.cite_style if context.chat_data is not None else None
    return style_named(style) or STYLES[0]


async def cite_button(update: Update, context: Context) -> None:
    """Cite n: the passage's citation in the chat's style. On an inline message (no chat to write to)
    the button opens the bot's private chat on the passage instead."""
    query, texts = update.callback_query, texts_of(update, context)
    with context.services.snapshot() as snapshot:
        passage = snapshot.passage(buttons.decode(query.data).passage)
    if passage is None:
        await query.answer(texts.passage_gone, show_alert=True)
        return
    if query.message is None:
        await query.answer(url=share_link(context.bot.username, passage.id))
        return
    await query.answer()
    html, keyboard = await citation_message(context, texts, passage)
    await context.bot.send_message(query.message.chat.id, html, parse_mode="HTML", reply_markup=keyboard,
                                   disable_web_page_preview=True)


async def show_shared(update: Update, context: Context, passage_id: str) -> None:
    """/start <payload> from a shared link: the passage, verbatim with its source, then its citation."""
    texts = texts_of(update, context)
    services = context.services
    with services.snapshot() as snapshot:
        passage = snapshot.passage(passage_id)
        link = services.answerer.link(passage, snapshot) if passage is not None else None
    message = update.effective_message
    if passage is None:
        await message.reply_text(texts.passage_gone)
        return
    hit = Hit(passage, score=0.0, rank=1, link=link)
    await message.reply_html(render.hit_html(hit, max_chars=3000), disable_web_page_preview=True)
    html, keyboard = await citation_message(context, texts, passage)
    await message.reply_html(html, reply_markup=keyboard, disable_web_page_preview=True)


def style_keyboard(current: CitationStyle) -> InlineKeyboardMarkup:
    """A button per style, the chat's marked ✓."""
    keys = [InlineKeyboardButton(("✓ " if style == current else "") + STYLE_LABELS[style],
                                 callback_data=buttons.encode(buttons.Style(style))) for style in STYLES]
    return InlineKeyboardMarkup([keys[i:i + STYLES_PER_ROW] for i in range(0, len(keys), STYLES_PER_ROW)])


async def citestyle_command(update: Update, context: Context) -> None:
    """/citestyle [style]: set this chat's citation style (plain, chicago-author-date, chicago-notes,
    apa, mla, harvard, or their names: "Chicago notes"), or show it with buttons to choose."""
    texts = texts_of(update, context)
    wanted = " ".join(context.args or []).strip()
    style = style_named(wanted)
    if style is not None and context.chat_data is not None:
        context.chat_data.cite_style = style
        await update.effective_message.reply_text(texts.style_set.format(style=STYLE_LABELS[style]))
        return
    current = chat_style(context)
    reply = texts.style_choose.format(style=STYLE_LABELS[current])
    if wanted:
        reply = texts.not_a_style.format(wanted=wanted[:40], styles=" / ".join(STYLES)) + "\n" + reply
    await update.effective_message.reply_text(reply, reply_markup=style_keyboard(current))


async def style_button(update: Update, context: Context) -> None:
    """A style chosen with /citestyle's buttons."""
    query, texts = update.callback_query, texts_of(update, context)
    style = style_named(buttons.decode(query.data).style)
    if context.chat_data is None or style is None:
        await query.answer(texts.expired)
        return
    changed = chat_style(context) != style
    context.chat_data.cite_style = style
    await query.answer(texts.style_set.format(style=STYLE_LABELS[style]))
    if changed and query.message is not None and query.message.is_accessible:  # the ✓ moves
        await query.edit_message_reply_markup(style_keyboard(style))


def export_files(context: Context, passages: Sequence[Passage]) -> tuple[bytes, bytes]:
    """The passages, each with the link to its words, as a CSL-JSON file and an RIS file (UTF-8). It
    reads their readouts: call it in a search thread."""
    answerer = context.services.answerer
    with context.services.snapshot() as snapshot:
        cited = [Cited(passage, answerer.link(passage, snapshot)) for passage in passages]
    today = date.today()
    return csl_json(cited, accessed=today).encode(), ris(cited, accessed=today).encode()


async def export_command(update: Update, context: Context) -> None:
    """/export: the passages cited in this chat (Cite, shared links), else the last answer's quotes,
    as two files that Zotero and other reference managers import: CSL-JSON and RIS. /export clear
    forgets the cited passages."""
    texts, message = texts_of(update, context), update.effective_message
    chat_data = context.chat_data
    if " ".join(context.args or []).strip().lower() == "clear":
        if chat_data is not None:
            chat_data.cited.clear()
        await message.reply_text(texts.export_cleared)
        return
    with context.services.snapshot() as snapshot:
        found = [snapshot.passage(passage_id) for passage_id in (chat_data.cited if chat_data is not None else [])]
        passages = [passage for passage in found if passage is not None]
        caption = texts.export_cited
        if not passages and context.searches:
            last = next(reversed(context.searches.values()))
            found = [snapshot.passage(quoted.passage) for quoted in last.quoted]
            passages = [passage for passage in found if passage is not None]
            caption = texts.export_answer
    if not passages:
        await message.reply_text(texts.export_empty)
        return
    loop = asyncio.get_running_loop()
    data, ris_data = await loop.run_in_executor(context.services.executor, export_files, context, passages)
    name = f"readouts-{date.today():%Y-%m-%d}"
    for content, suffix, kind in ((data, "json", "CSL-JSON"), (ris_data, "ris", "RIS")):
        await message.reply_document(content, filename=f"{name}.{suffix}",
                                     caption=caption.format(count=len(passages), format=kind))
