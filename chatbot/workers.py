"""Work heavy by nature, off the event loop: a PDF's first page, a PDF's text, an iPhone
photo converted, a workbook, a package, a scorecard's picture. Each runs in a worker thread,
at most ``limit`` at once for the whole process, so that a burst of them (ten satgas asking for
the recap at the same moment) queues behind the workers while the bot keeps answering."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

SLOW_SECONDS = 5.0  # heavy work longer than this is logged for the admin


class Workers:
    def __init__(self, limit: int = 2) -> None:
        if limit < 1:
            raise ValueError("at least one worker")
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:  # one per event loop (tests run many)
            self._slots, self._loop = asyncio.Semaphore(self.limit), loop
        return self._slots

    async def run(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``work(*args, **kwargs)`` in a worker thread, once a worker is free."""
        async with self._semaphore():
            begun = time.monotonic()
            try:
                return await asyncio.to_thread(work, *args, **kwargs)
            finally:
                took = time.monotonic() - begun
                if took > SLOW_SECONDS:
                    name = getattr(work, "__qualname__", repr(work))
                    log.warning("heavy work %s took %.1f s", name, took)
