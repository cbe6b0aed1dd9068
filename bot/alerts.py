"""Alerts: /alert saves a search for the chat, /alerts lists them with Remove buttons, and `deliver`
sends each chat one digest per refresh of the new passages its alerts' questions find, once each,
folded as answers are and in the chat's language."""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import secrets
from collections.abc import Sequence
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application

from index import Answer, Answerer, BadQuery, Change, EnglishOnlyIndex, Hit, ReadoutsError

from . import buttons, render
from .config import Settings
from .context import Alert, ChatData, Context, Services
from .texts import Texts, texts_for, texts_of

log = logging.getLogger(__name__)
HITS_PER_ALERT = 3  # passages an alert may quote in one digest; the rest are counted, to be asked for
QUOTE_CHARS = 1500  # a quote's folded paragraph is shortened beyond this (and further when alerts must share one digest)
USAGE = ("Usage: /alert <question>, e.g. /alert Fukushima water release. When new readouts arrive that answer it, "
         "I send them here.")


def sent_key(hit: Hit) -> str:
    """What an alert remembers of a passage it sent: its text, so that the same paragraph in a
    document edited elsewhere is not sent again."""
    return hashlib.sha1(hit.passage.text.encode()).hexdigest()[:16]


def may_receive(settings: Settings, chat_id: int, user_id: int | None) -> bool:
    """Whether the allow lists, as they are now, still let this chat (and who saved the alert) in."""
    users, chats = settings.allowed_user_ids, settings.allowed_chat_ids
    return (not users or user_id in users) and (not chats or chat_id in chats)


async def alert_command(update: Update, context: Context) -> None:
    """/alert <question>: save it for this chat, within the chat's limit, once it reads as a question
    would (its filters too: one that can never match is refused now, not left to never fire)."""
    message, settings = update.effective_message, context.services.settings
    try:
        question, _ = Answerer.cut(" ".join(context.args or []))
    except BadQuery:
        await message.reply_text(USAGE)
        return
    refusal = await _refusal(context.services, question)
    if refusal is not None:
        await message.reply_text(texts_of(update, context).english_only.format(model=refusal.model)
                                 if isinstance(refusal, EnglishOnlyIndex) else str(refusal))
        return
    alerts = context.chat_data.alerts
    if any(alert.question.casefold() == question.casefold() for alert in alerts):
        await message.reply_text("This chat has that alert already. /alerts lists them.")
        return
    if len(alerts) >= settings.alerts_per_chat:
        await message.reply_text(f"This chat has {len(alerts)} alerts, the most it may have. "
                                 "Remove one with /alerts first.")
        return
    sender = update.effective_sender
    alerts.append(Alert(secrets.token_hex(4), question, sender.id if isinstance(sender, User) else None))
    await message.reply_html(f"Saved. When new readouts answer <i>{escape(question)}</i>, I'll send them here. "
                             "/alerts lists this chat's alerts.")


async def _refusal(services: Services, question: str) -> BadQuery | None:
    """Why `question` cannot be searched, as asking it would say (a filter that is no date, no words but
    filters, another script on an English-only index); None when it can. That nothing matches it yet
    is what an alert waits for, so NothingMatches, an empty index and the like are no refusal."""
    try:
        await services.answer(question)
    except BadQuery as error:
        return error
    except ReadoutsError:
        pass
    return None


def alerts_page(chat: ChatData) -> tuple[str, InlineKeyboardMarkup | None]:
    """The chat's alerts, numbered, with a Remove button for each."""
    if not chat.alerts:
        return "This chat has no alerts. Save one with /alert &lt;question&gt;.", None
    lines = [f"<b>Alerts</b> ({len(chat.alerts)}): new readouts that answer these are sent here."]
    lines += [f"{n}. <i>{escape(alert.question[:300])}</i>" for n, alert in enumerate(chat.alerts, start=1)]
    rows = [[InlineKeyboardButton(f"✖ Remove {n}", callback_data=buttons.encode(buttons.Unalert(alert.key)))]
            for n, alert in enumerate(chat.alerts, start=1)]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def alerts_command(update: Update, context: Context) -> None:
    """/alerts: the chat's alerts, each with a Remove button."""
    text, keyboard = alerts_page(context.chat_data or ChatData())
    await update.effective_message.reply_html(text, reply_markup=keyboard)


async def remove_alert(update: Update, context: Context) -> None:
    """A Remove button: drop that alert and show the list as it is now."""
    query = update.callback_query
    key = buttons.decode(query.data).key
    chat = context.chat_data
    if chat is None or not any(alert.key == key for alert in chat.alerts):
        await query.answer("That alert was removed already.")
        return
    chat.alerts[:] = [alert for alert in chat.alerts if alert.key != key]
    await query.answer("Alert removed.")
    text, keyboard = alerts_page(chat)
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as error:
        if "not modified" not in str(error).lower():
            raise


async def deliver(application: Application, change: Change) -> int:
    """Run every chat's alerts over the documents `change` brought and send each chat one digest of
    what the answer policy quotes that its alerts have not sent before; the number of messages sent."""
    services: Services = application.bot_data.services
    sent = 0
    for chat_id, chat in list(application.chat_data.items()):
        found: list[tuple[Alert, Answer]] = []
        for alert in list(getattr(chat, "alerts", ())):
            if may_receive(services.settings, chat_id, alert.user_id):
                answer = await _fresh(services, alert, change)
                if answer is not None:
                    found.append((alert, answer))
        if found:
            sent += await _send_digest(application, chat_id, texts_for(getattr(chat, "language", None)), found)
    await application.update_persistence()
    return sent


async def _fresh(services: Services, alert: Alert, change: Change) -> Answer | None:
    """The alert's answer over the changed documents, kept to the passages it has not sent, the first
    `HITS_PER_ALERT` of them marked and linked as an answer's first page is; None when there are none."""
    try:
        answer = await services.answer(alert.question, within=change.documents)
    except ReadoutsError:
        return None
    fresh = tuple(hit for hit in answer.hits if sent_key(hit) not in alert.sent)
    if not fresh:
        return None
    answer = dataclasses.replace(answer, hits=fresh, notice=None)
    return await services.emphasised(answer, range(min(HITS_PER_ALERT, len(fresh))))


def digest_html(texts: Texts, found: Sequence[tuple[Alert, Answer]]) -> tuple[str, list[list[Hit]]]:
    """One message for a chat: under each alert's question its new passages, folded as an answer's are,
    and how many more it found; the passages each alert quotes, to be remembered. Every alert is named;
    quotes come round by round (each alert's first, then each one's second), and their folded
    paragraphs are shortened so that every alert's first quote fits the message where it can."""
    heads = [f"🔍 <i>{escape(render.short(alert.question, 200))}</i>" for alert, _ in found]
    room = render.TELEGRAM_LIMIT - len(texts.alert_digest_html) - 10
    room -= sum(len(head) + 2 + len(_more_html(texts, len(answer.hits))) for head, (_, answer) in zip(heads, found))
    firsts = [answer.hits[0] for _, answer in found if answer.hits]
    fold = QUOTE_CHARS
    if sum(len(render.hit_html(hit, max_chars=fold)) + 2 for hit in firsts) > room:
        bare = sum(len(render.hit_html(hit, max_chars=0)) + 2 for hit in firsts)
        fold = max(0, (room - bare) // max(1, len(firsts)))
    quotes: list[list[str]] = [[] for _ in found]
    quoted: list[list[Hit]] = [[] for _ in found]
    full = [False] * len(found)
    for round_ in range(HITS_PER_ALERT):
        for i, (_, answer) in enumerate(found):
            if full[i] or round_ >= len(answer.hits):
                continue
            quote = "\n\n" + render.hit_html(answer.hits[round_], max_chars=fold)
            if len(quote) > room:
                full[i] = True
                continue
            room -= len(quote)
            quotes[i].append(quote)
            quoted[i].append(answer.hits[round_])
    blocks = [head + "".join(shown) + _more_html(texts, len(answer.hits) - len(hits))
              for head, shown, hits, (_, answer) in zip(heads, quotes, quoted, found)]
    return "\n\n".join([texts.alert_digest_html.format(count=sum(map(len, quoted))), *blocks]), quoted


def _more_html(texts: Texts, count: int) -> str:
    return "\n<i>" + escape(texts.alert_more.format(count=count)) + "</i>" if count else ""


async def _send_digest(application: Application, chat_id: int, texts: Texts,
                       found: list[tuple[Alert, Answer]]) -> int:
    """The chat's digest (digest_html); the passages it quotes are remembered before it goes (never twice)."""
    text, quoted = digest_html(texts, found)
    if not any(quoted):
        return 0
    for (alert, _), hits in zip(found, quoted):
        for hit in hits:
            alert.remember(sent_key(hit))
    application.mark_data_for_update_persistence(chat_ids=chat_id)
    try:
        await application.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, disable_web_page_preview=True)
    except TelegramError as error:
        log.warning("could not send an alert to chat %s (%s)", chat_id, error)
        return 0
    return 1
