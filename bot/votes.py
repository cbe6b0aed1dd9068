"""👍/👎 on an answer, by its buttons or by a reaction to its message, kept in the index's feedback log
with the question and the passages shown (index.FeedbackLog; `readouts feedback` sums it up)."""
from __future__ import annotations

import asyncio
import hashlib
import logging
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, ReactionTypeEmoji, Update, User

from index import Answer, Feedback, ReadoutsError, voter_key

from . import buttons, render
from .context import Context, Search
from .texts import texts_of

log = logging.getLogger(__name__)
UP, DOWN = "👍", "👎"


def vote_row(key: str, page: int) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(UP, callback_data=buttons.encode(buttons.Vote(key, 1, page))),
            InlineKeyboardButton(DOWN, callback_data=buttons.encode(buttons.Vote(key, 0, page)))]


async def record(context: Context, search: Search, key: str, page: int, up: bool, user: User | None,
                 via: str) -> bool:
    """Append one vote on page `page` of a kept answer to the feedback log, with the passages that page
    shows (of those the index still holds), off the event loop; False when it could not be kept."""
    services = context.services
    if services.feedback is None:
        return False
    answer: Answer = (await services.rebuilt(search)).answer
    pages = render.paginate(answer, services.settings.results_per_page)
    shown = pages[min(page, len(pages) - 1)] if pages else range(0)
    salt = hashlib.sha256(services.settings.token.encode()).hexdigest()
    entry = Feedback(
        time=datetime.now(UTC).isoformat(timespec="seconds"), question=answer.question,
        passages=tuple(answer.hits[i].passage.id for i in shown), vote="up" if up else "down", answer=key,
        voter=voter_key(user.id, salt) if user else "anonymous", via=via, passage=None)
    try:
        await asyncio.get_running_loop().run_in_executor(services.executor, services.feedback.record, entry)
    except ReadoutsError as error:
        log.warning("feedback not kept: %s", error)
        return False
    return True


async def vote_button(update: Update, context: Context) -> None:
    """👍 or 👎 under an answer."""
    query, texts = update.callback_query, texts_of(update, context)
    button = buttons.decode(query.data)
    search = context.searches.get(button.key)
    if search is None or not search.quoted:  # not kept, or a "found nothing" (which has no vote buttons)
        await query.answer(texts.expired)
        return
    kept = await record(context, search, button.key, button.page, bool(button.up), update.effective_user, "button")
    await query.answer((texts.thanks_up if button.up else texts.thanks_down) if kept else texts.sorry)


async def reaction(update: Update, context: Context) -> None:
    """A 👍 or 👎 reaction to one of the bot's answer messages counts as a vote; other emoji do not."""
    change = update.message_reaction
    emoji = {r.emoji for r in change.new_reaction if isinstance(r, ReactionTypeEmoji)}
    if context.chat_data is None or not emoji & {UP, DOWN}:
        return
    shown = context.chat_data.search_in(change.message_id)
    if shown is not None and shown[1].quoted:  # an answer, not a "found nothing"
        key, search, page = shown
        await record(context, search, key, page, UP in emoji, change.user, "reaction")
