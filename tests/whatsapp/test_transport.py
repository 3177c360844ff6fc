"""The Graph API's HTTP transport (``whatsapp.app.GraphTransport``, aiohttp under pywa's
httpx): every network fault reaches the outbox as an ``httpx.HTTPError`` (tried again), and a
server that takes the request and never answers is given up on within httpx's time-outs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import httpx
import pytest

from whatsapp.app import graph_session

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Coroutine[Any, Any, None]]


async def _server(handler: Handler) -> AsyncIterator[str]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()


@pytest.fixture
async def garbled() -> AsyncIterator[str]:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 ABC what\r\nno header here\r\n\r\n")  # not HTTP
        await writer.drain()
        writer.close()

    async for url in _server(answer):
        yield url


@pytest.fixture
async def silent() -> AsyncIterator[str]:
    async def never(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(30)  # takes the connection, reads nothing, says nothing
        writer.close()

    async for url in _server(never):
        yield url


async def test_a_garbled_answer_is_an_httpx_error(garbled: str) -> None:
    async with graph_session(garbled) as session:
        with pytest.raises(httpx.HTTPError):
            await session.post("https://graph.facebook.com/v20.0/1/messages", json={"a": 1})


async def test_an_upload_nobody_answers_ends_within_the_time_outs(silent: str) -> None:
    started = time.monotonic()
    async with graph_session(silent) as session:
        with pytest.raises(httpx.TimeoutException):
            await session.post(
                "https://graph.facebook.com/v20.0/1/media",
                files={"file": ("bukti.pdf", b"%PDF-1.4" + b"0" * 32_000_000)},
                timeout=0.2,
            )
    assert time.monotonic() - started < 5  # 4 x 0.2 s and some; not TCP's minutes
