"""Questions in Chinese or Japanese over English readouts: script detection, names spelled as the
readouts spell them, dictionary glosses, the model's latent terms, and the ranking built on them.

Importing this package costs nothing: the language machinery (pypinyin, cutlet, CC-CEDICT) loads
with the ranker, on the first such question."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from index.text.script import non_latin

if TYPE_CHECKING:
    from index.models.embed import Embedder
    from index.retrieve.ranking import Ranker

__all__ = ["non_latin", "strategy_for"]


def strategy_for(text: str, embedder: Embedder, same_language: Ranker, cross_lingual: Callable[[], Ranker]) -> Ranker:
    """The ranking for a question: across scripts for one in another script than Latin, asked of a
    multilingual index (`cross_lingual` makes it); else the same-language one. An English-only model
    cannot read such a question at all: EnglishOnlyIndex says how to rebuild."""
    from index.errors import EnglishOnlyIndex

    if not non_latin(text):
        return same_language
    if not embedder.multilingual:
        raise EnglishOnlyIndex(embedder.name)
    return cross_lingual()
