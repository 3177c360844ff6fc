"""The HTTP layer to the Bot API, with passing faults retried where that is safe.

Telegram answers now and then with a 5xx, and connections kept alive are sometimes closed under
us. Without a retry, the reply to a person's command would be lost (their decision is saved, but
they would not see it). So a 5xx answer and a connection that failed are tried again, a few
times with a short back-off. A *read time-out* is not retried here: the request may have reached
Telegram, and a second try could show the person the same message twice. 429 (flood control) is
the rate limiter's business (``AIORateLimiter`` waits out ``retry_after``).

The requests go over aiohttp (``AiohttpRequest``, PTB's documented ``BaseRequest`` extension
point) rather than PTB's default httpx: on this machine an httpx POST cost about 0.6 ms of CPU
against aiohttp's 0.1 ms, and every update makes two to four of them; parameters go as a JSON
body (the Bot API takes ``application/json`` for everything but uploads), not form-encoded.

The keyboard of a message the bot sent or edited is not read back from Telegram's answer
(``parse_json_payload``): the bot built it, and PTB would otherwise make an object of every
button of every checklist it sends. The keyboards of the updates it receives (a pressed
notice's buttons) are read as they come.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

log = logging.getLogger(__name__)

JSON = {"Content-Type": "application/json"}


class AiohttpRequest(BaseRequest):
    """The Bot API over one aiohttp session: at most ``connection_pool_size`` connections;
    time-outs as PTB's (``read``, ``write``, ``connect``, ``pool``; uploads get
    ``media_write_timeout``)."""

    def __init__(
        self,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self.pool_size = connection_pool_size
        self._read, self._write = read_timeout, write_timeout
        self._connect, self._pool = connect_timeout, pool_timeout
        self._media_write = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        data = BaseRequest.parse_json_payload(payload)
        result = data.get("result")
        if isinstance(result, dict):  # a message sent or edited: its keyboard is ours
            result.pop("reply_markup", None)
        return data

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _timeout(
        self,
        read: ODVInput[float],
        write: ODVInput[float],
        connect: ODVInput[float],
        pool: ODVInput[float],
        upload: bool,
    ) -> aiohttp.ClientTimeout:
        read = self._read if isinstance(read, DefaultValue) else read
        default_write = self._media_write if upload else self._write
        write = default_write if isinstance(write, DefaultValue) else write
        connect = self._connect if isinstance(connect, DefaultValue) else connect
        pool = self._pool if isinstance(pool, DefaultValue) else pool
        # aiohttp's ``connect`` is the wait for a pooled connection and the connecting; it
        # has no write time-out of its own: the sending counts in ``total``
        waiting = None if connect is None or pool is None else connect + pool
        parts = (waiting, read, write)
        total = None if any(p is None for p in parts) else sum(p for p in parts if p)
        return aiohttp.ClientTimeout(total=total, connect=waiting, sock_read=read)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        upload = request_data is not None and request_data.contains_files
        body: aiohttp.FormData | bytes | None = None
        headers = None
        if request_data is not None and upload:
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                form.add_field(name, value)
            for name, part in request_data.multipart_data.items():
                file_name, content, *rest = part
                form.add_field(
                    name, content, filename=file_name, content_type=rest[0] if rest else None
                )
            body = form
        elif request_data is not None and request_data.parameters:
            body, headers = request_data.json_payload, JSON
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, upload)
        try:
            async with self._session.request(
                method, url, data=body, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{exc.__class__.__name__}: {exc}") from exc


class RetryingRequest(AiohttpRequest):
    def __init__(
        self, *args: object, attempts: int = 4, backoff: float = 0.25, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.attempts = attempts
        self.backoff = backoff

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        for attempt in range(1, self.attempts + 1):
            last = attempt == self.attempts
            try:
                code, payload = await super().do_request(
                    url,
                    method,
                    request_data,
                    read_timeout=read_timeout,
                    write_timeout=write_timeout,
                    connect_timeout=connect_timeout,
                    pool_timeout=pool_timeout,
                )
            except TimedOut:
                raise
            except NetworkError as exc:
                if last:
                    raise
                log.warning("%s: %s; trying again (%s/%s)", endpoint, exc, attempt, self.attempts)
            else:
                if code < 500 or last:
                    return code, payload
                log.warning(
                    "%s: HTTP %s; trying again (%s/%s)", endpoint, code, attempt, self.attempts
                )
            await asyncio.sleep(self.backoff * 2 ** (attempt - 1))
        raise AssertionError("unreachable")
