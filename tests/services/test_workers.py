"""The workers of heavy work: off the event loop, never more at once than the bound."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from chatbot.workers import Workers


async def test_heavy_work_runs_in_threads_at_most_limit_at_once() -> None:
    workers = Workers(2)
    running, most = 0, 0
    lock = threading.Lock()
    loop_thread = threading.current_thread()
    ticks = 0

    def heavy(n: int) -> tuple[int, bool]:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)  # not Event.wait: it never returns under faketime
        with lock:
            running -= 1
        return n * n, threading.current_thread() is not loop_thread

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.005)
            ticks += 1

    beat = asyncio.create_task(ticker())
    results = await asyncio.gather(*(workers.run(heavy, n) for n in range(5)))
    beat.cancel()
    assert results == [(n * n, True) for n in range(5)]
    assert most == 2
    assert ticks >= 5  # the loop kept running while the work was done


async def test_an_error_of_the_work_reaches_the_caller_and_frees_its_worker() -> None:
    workers = Workers(1)

    def broken() -> None:
        raise ValueError("rusak")

    with pytest.raises(ValueError, match="rusak"):
        await workers.run(broken)
    assert await workers.run(lambda: 7) == 7


def test_at_least_one_worker() -> None:
    with pytest.raises(ValueError):
        Workers(0)
