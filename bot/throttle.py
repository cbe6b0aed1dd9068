"""Per-user question limit: a sliding one-minute window (outgoing flood limits are PTB's AIORateLimiter's job)."""
from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable


class QuestionLimiter:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self.clock = clock
        self._asked: defaultdict[int, deque[float]] = defaultdict(deque)

    def wait_time(self, user_id: int) -> float:
        """0 if the user may ask now (and counts the question), else the seconds until they may."""
        now = self.clock()
        asked = self._asked[user_id]
        while asked and now - asked[0] >= 60:
            asked.popleft()
        if len(asked) >= self.per_minute:
            return 60 - (now - asked[0])
        asked.append(now)
        return 0.0
