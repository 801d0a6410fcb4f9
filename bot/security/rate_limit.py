"""Sliding-window rate limits with bounded memory.

Kept in the process: one Rasa server enforces its own limits. With several servers behind a
load balancer each enforces them separately, so a client can reach N times the limit.
"""

import time
from collections import OrderedDict, deque
from typing import Callable, Deque, Optional


class RateLimit:
    """At most `limit` events per key within `window` seconds."""

    def __init__(
        self, limit: int, window: float = 60.0, max_keys: int = 50_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self.max_keys, self.clock = limit, window, max_keys, clock
        self._events: "OrderedDict[str, Deque[float]]" = OrderedDict()

    def allow(self, key: str, now: Optional[float] = None) -> bool:
        """Records an event for the key; False (and nothing recorded) when over the limit."""
        now = self.clock() if now is None else now
        events = self._events.pop(key, None) or deque()
        while events and now - events[0] >= self.window:
            events.popleft()
        allowed = len(events) < self.limit
        if allowed:
            events.append(now)
        self._events[key] = events  # most recently used last
        while len(self._events) > self.max_keys:
            # The least recently seen key goes: at worst a forgotten client gets a fresh window.
            self._events.popitem(last=False)
        return allowed

    def __len__(self) -> int:
        return len(self._events)
