"""The bot object of the Telegram channel: PTB's ``ExtBot`` with two differences.

- A button's query answered late ("query is too old", after a restart or a slow minute) is
  refused by Telegram; that refusal is harmless and must not abort the handler (the person's
  press is still handled and answered in the chat).

And the application's update queue is a ``HandledQueue``: putting an update in it returns once
the update has been handled. Telegram counts an update as delivered when the next
``getUpdates`` names a later offset (polling) or when the webhook answers 200; PTB does both
as soon as the update is queued, so a process killed meanwhile loses presses that Telegram will
never send again. With this queue the poller asks for more, and the webhook answers, only after
the handling: a kill leaves the update unacknowledged and Telegram delivers it again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram.error import BadRequest
from telegram.ext import ExtBot

log = logging.getLogger(__name__)
LATE_ANSWER = ("query is too old", "query id is invalid")


class HandledQueue(asyncio.Queue[object]):
    """``put`` returns once everything in the queue, this item included, has been handled
    (the application calls ``task_done`` after handling each update)."""

    async def put(self, item: object) -> None:
        await super().put(item)
        await self.join()


class SpipBot(ExtBot[int]):
    __slots__ = ()

    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return await super().answer_callback_query(*args, **kwargs)
        except BadRequest as exc:
            if any(m in exc.message.lower() for m in LATE_ANSWER):
                log.info("a button was answered too late (%s); handling it anyway", exc.message)
                return False
            raise
