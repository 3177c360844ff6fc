"""The bot object of the Telegram channel: PTB's ``ExtBot`` with two differences.

- A button's query answered late ("query is too old", after a restart or a slow minute) is
  refused by Telegram; that refusal is harmless and must not abort the handler (the person's
  press is still handled and answered in the chat).
- ``getUpdates`` acknowledges the updates fetched before it (its offset tells Telegram they were
  received). PTB fetches the next batch while the last one is still being handled, so a process
  killed in between loses presses Telegram will never send again. Here the next ``getUpdates``
  waits until every update fetched so far has been handled, so a kill leaves them unacknowledged
  and Telegram delivers them again to the next start.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import BadRequest
from telegram.ext import ExtBot

log = logging.getLogger(__name__)
LATE_ANSWER = ("query is too old", "query id is invalid")


class SpipBot(ExtBot[None]):
    __slots__ = ("handled_queue",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with self._unfrozen():  # PTB freezes its objects' attributes
            self.handled_queue: asyncio.Queue[object] | None = None  # the application's

    def acknowledge_after(self, queue: asyncio.Queue[object]) -> None:
        """Acknowledge updates only once ``queue`` (the application's) has handled them."""
        with self._unfrozen():
            self.handled_queue = queue

    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return await super().answer_callback_query(*args, **kwargs)
        except BadRequest as exc:
            if any(m in exc.message.lower() for m in LATE_ANSWER):
                log.info("a button was answered too late (%s); handling it anyway", exc.message)
                return False
            raise

    async def get_updates(self, *args: Any, **kwargs: Any) -> Any:
        if self.handled_queue is not None:
            await self.handled_queue.join()  # everything fetched so far has been handled
        return await super().get_updates(*args, **kwargs)
