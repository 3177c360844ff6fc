"""Updates are acknowledged to Telegram only once handled: putting one in the application's
queue returns after the application has handled it (polling asks for more, and the webhook
answers 200, only then), so a kill -9 leaves the update to be delivered again."""

from __future__ import annotations

import asyncio

from chatbot.app import Core
from handlers.app import build_application
from handlers.bot import HandledQueue
from tests.support.telegram import RecordingRequest


async def test_put_returns_only_after_the_update_was_handled() -> None:
    queue = HandledQueue()
    handled: list[object] = []

    async def consumer() -> None:
        while True:
            item = await queue.get()
            await asyncio.sleep(0.05)  # handling takes a while
            handled.append(item)
            queue.task_done()

    task = asyncio.create_task(consumer())
    try:
        await queue.put("update 1")
        assert handled == ["update 1"]
        await queue.put("update 2")
        assert handled == ["update 1", "update 2"]
    finally:
        task.cancel()


def test_the_application_uses_it(core: Core) -> None:
    application = build_application(core, request=RecordingRequest())
    assert isinstance(application.update_queue, HandledQueue)
