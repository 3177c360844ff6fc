"""A small Bot API server on loopback that enforces Telegram's limits (30 messages/s overall,
1 message/s per chat) with 429 answers carrying retry_after, for the sending benchmark."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler

BOT = {"id": 1, "is_bot": True, "first_name": "Fake", "username": "fake_bot"}


@dataclass
class Limits:
    overall_per_second: int = 30
    per_chat_seconds: float = 1.0
    sent: int = 0
    refused: int = 0
    window: deque[float] = field(default_factory=deque)
    last_by_chat: dict[int, float] = field(default_factory=dict)
    first: float | None = None
    last: float | None = None

    def admit(self, chat_id: int) -> float | None:
        """None when the message may go; else seconds to wait."""
        now = time.monotonic()
        while self.window and now - self.window[0] >= 1.0:
            self.window.popleft()
        if len(self.window) >= self.overall_per_second:
            return 1.0 - (now - self.window[0])
        last = self.last_by_chat.get(chat_id)
        if last is not None and now - last < self.per_chat_seconds:
            return self.per_chat_seconds - (now - last)
        self.window.append(now)
        self.last_by_chat[chat_id] = now
        self.sent += 1
        self.first = self.first or now
        self.last = now
        return None


class Method(RequestHandler):
    def initialize(self, limits: Limits) -> None:
        self.limits = limits

    def post(self, token: str, method: str) -> None:
        params: dict[str, Any] = {k: self.get_body_argument(k) for k in self.request.body_arguments}
        if method == "getMe":
            self._ok(BOT)
        elif method == "sendMessage":
            chat_id = int(params["chat_id"])
            wait = self.limits.admit(chat_id)
            if wait is not None:
                self.limits.refused += 1
                self.set_status(429)
                retry = max(1, round(wait + 0.5))
                self.finish(
                    {
                        "ok": False,
                        "error_code": 429,
                        "description": f"Too Many Requests: retry after {retry}",
                        "parameters": {"retry_after": retry},
                    }
                )
                return
            self._ok(
                {
                    "message_id": self.limits.sent,
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private"},
                    "text": params.get("text"),
                }
            )
        else:
            self._ok(True)

    def _ok(self, result: object) -> None:
        self.finish({"ok": True, "result": result})


def start(port: int, limits: Limits) -> HTTPServer:
    app = Application([(r"/bot([^/]+)/(\w+)", Method, {"limits": limits})])
    server = HTTPServer(app)
    server.listen(port, address="127.0.0.1")
    return server
