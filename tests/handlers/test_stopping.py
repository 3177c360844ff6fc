"""Stopping while jobs are due: nothing cancelled half-way, no ERROR in the admin's log."""

from __future__ import annotations

import asyncio
import logging

import pytest
from telegram.ext import ApplicationBuilder, ContextTypes

from handlers.app import SpipApplication
from handlers.request import RetryingRequest
from tests.support.fake_bot_api import FakeBotApi


async def test_a_job_due_while_the_bot_stops_is_not_cancelled_with_an_error(
    bot_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    runs: list[int] = []

    async def tick(context: ContextTypes.DEFAULT_TYPE) -> None:  # due again and again, as
        runs.append(1)  # the outbox's drain is
        await asyncio.sleep(0)

    caplog.set_level(logging.INFO)
    for _ in range(15):
        application = (
            ApplicationBuilder()
            .application_class(SpipApplication)
            .token(bot_api.token)
            .base_url(bot_api.base_url)
            .request(RetryingRequest())
            .get_updates_request(RetryingRequest())
            .build()
        )
        assert application.job_queue is not None
        async with application:
            application.job_queue.run_repeating(tick, interval=0.001, first=0)
            await application.start()
            await asyncio.sleep(0.05)
            await application.stop()
    assert runs  # the jobs ran
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
