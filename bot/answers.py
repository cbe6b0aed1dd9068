"""The answer policy lives in `index` (index/answer.py). This name stays because state files
saved by earlier versions pickled answers as bot.answers.Answer."""
from index import Answer, Answerer

__all__ = ["Answer", "Answerer"]
