"""The HTTP layer to the Bot API, with passing faults retried where that is safe.

Telegram answers now and then with a 5xx, and connections kept alive are sometimes closed under
us. Without a retry, the reply to a person's command would be lost (their decision is saved, but
they would not see it). So a 5xx answer and a connection that failed are tried again, a few
times with a short back-off. A *read time-out* is not retried here: the request may have reached
Telegram, and a second try could show the person the same message twice. 429 (flood control) is
the rate limiter's business (``AIORateLimiter`` waits out ``retry_after``).
"""

from __future__ import annotations

import asyncio
import logging

from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

log = logging.getLogger(__name__)


class RetryingRequest(HTTPXRequest):
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
