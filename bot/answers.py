"""The answer policy lives in `index` (index/answer.py); the bot uses it as is."""
from index import Answer, Answerer

__all__ = ["Answer", "Answerer"]
