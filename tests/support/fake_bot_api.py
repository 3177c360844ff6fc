"""A fake Telegram Bot API server on loopback (aiohttp) that speaks the real API over HTTP, so
the running `spip-bot` can be played like Telegram would: updates by long polling (or pushed to
a webhook with the secret-token header), messages, edits, callback answers, files both ways,
errors in Telegram's own JSON shape. It records everything for the test to check."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import hashlib
import itertools
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, web

from tests.support.loopback import serve

BOT = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "SPIP Jambi",
    "username": "spip_jambi_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
KNOWN = {
    "getMe",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "sendDocument",
    "sendPhoto",
    "sendMediaGroup",
    "getFile",
    "sendChatAction",
    "setMyCommands",
    "close",
    "logOut",
}


# set-up calls stay clean: a bot that cannot start is a different test
NEVER_FAULTED = {"getMe", "setWebhook", "deleteWebhook", "setMyCommands", "close", "logOut"}


@dataclass
class Faults:
    """Trouble for a share of calls, as Telegram has it: flood control (429 with retry_after),
    5xx answers, slow answers and connections dropped before an answer. A dropped or refused
    call has had no effect (Telegram did not take the request), so a retry is always right. The
    same request is refused at most ``max_per_request`` times in a row, so the bot's retries can
    always win; ``injected`` counts what was done."""

    share: float = 0.15
    seed: int = 7
    kinds: tuple[str, ...] = ("429", "5xx", "slow", "drop")
    max_per_request: int = 2
    retry_after: int = 1
    slow_seconds: float = 0.4
    injected: Counter[str] = field(default_factory=Counter)
    _random: random.Random = field(init=False)
    _refused: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def pick(self, method: str, params: dict[str, Any]) -> str | None:
        if method in NEVER_FAULTED or self._random.random() >= self.share:
            return None
        kind = self._random.choice(self.kinds)
        if kind == "429" and method == "getUpdates":  # flood control is for sending
            kind = "5xx"
        if kind != "slow":
            key = _request_key(method, params)
            if self._refused[key] >= self.max_per_request:
                return None
            self._refused[key] += 1
        self.injected[kind] += 1
        return kind


def _request_key(method: str, params: dict[str, Any]) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, dict) and "data" in value:
            return hashlib.sha256(value["data"]).hexdigest()
        return value

    body = json.dumps({k: plain(v) for k, v in params.items()}, sort_keys=True, default=str)
    return f"{method}:{body}"


@dataclass
class Sent:
    method: str
    chat_id: int
    params: dict[str, Any]
    message: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[tuple[str, str]]:
        markup = self.params.get("reply_markup") or {}
        return [
            (b["text"], b.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]


@dataclass
class FakeBotApi:
    token: str
    updates: list[dict[str, Any]] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    callback_ids: set[str] = field(default_factory=set)
    answered: set[str] = field(default_factory=set)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    port: int = 0
    faults: Faults | None = None
    last_update_id: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(1000))
    _update_ids: Any = field(default_factory=lambda: itertools.count(1))
    _by_chat: dict[int, list[tuple[int, Sent]]] = field(default_factory=dict)
    _arrived: dict[int, asyncio.Event] = field(default_factory=dict)
    _queued: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None

    # ------------------------------------------------------------------ server

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._method)
        app.router.add_get("/bot{token}/{method}", self._method)
        app.router.add_get("/file/bot{token}/{path:.*}", self._download)
        self._runner, self.port = await serve(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    @staticmethod
    def _error(code: int, description: str, **parameters: Any) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return web.json_response(body, status=code)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if request.content_type == "application/json":
            params = await request.json()
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    params[key] = {"file_name": value.filename, "data": value.file.read()}
                else:
                    params[key] = value
        params.update(request.query)
        for key in ("reply_markup", "allowed_updates", "commands", "media"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await self._params(request)
        self.calls.append((method, params))
        if method not in KNOWN:
            self.unknown.append(method)
            return self._error(404, "Not Found: method not found")
        fault = self.faults.pick(method, params) if self.faults else None
        refusal = await self._suffer(request, fault)
        if refusal is not None:
            return refusal
        return web.json_response({"ok": True, "result": await self._answer(method, params)})

    async def _suffer(self, request: web.Request, fault: str | None) -> web.Response | None:
        """The injected fault's answer, or None to answer normally (after a delay if slow)."""
        if fault == "429":
            assert self.faults is not None
            retry = self.faults.retry_after
            return self._error(429, f"Too Many Requests: retry after {retry}", retry_after=retry)
        if fault == "5xx":
            return self._error(502, "Bad Gateway")
        if fault == "drop":
            assert request.transport is not None
            request.transport.abort()
            return web.Response()  # never written: the connection is gone
        if fault == "slow":
            assert self.faults is not None
            await asyncio.sleep(self.faults.slow_seconds)
        return None

    async def _answer(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT
        if method == "getUpdates":
            return await self._get_updates(params)
        if method == "setWebhook":
            self.webhook_url = str(params["url"])
            self.webhook_secret = params.get("secret_token")
            return True
        if method == "deleteWebhook":
            self.webhook_url = self.webhook_secret = None
            return True
        if method == "answerCallbackQuery":
            self.answered.add(str(params["callback_query_id"]))
            return True
        if method == "getFile":
            file_id = str(params["file_id"])
            return {
                "file_id": file_id,
                "file_unique_id": "u" + file_id,
                "file_size": len(self.files[file_id]),
                "file_path": f"documents/{file_id}",
            }
        if method == "sendMediaGroup":  # an album: one photo message each, as Telegram does
            album = []
            for media in params["media"]:
                ref = str(media.get("media", ""))
                photo = (
                    params.get(ref.removeprefix("attach://"))
                    if ref.startswith("attach://")
                    else ref
                )
                one = {"chat_id": params["chat_id"], "photo": photo}
                if media.get("caption"):
                    one["caption"] = media["caption"]
                album.append(self._record("sendPhoto", one))
            return album
        if method in (
            "sendMessage",
            "editMessageText",
            "sendDocument",
            "sendPhoto",
            "editMessageReplyMarkup",
        ):
            return self._record(method, params)
        return True

    def _record(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": int(params.get("message_id") or next(self._ids)),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {k: BOT[k] for k in ("id", "is_bot", "first_name", "username")},
        }
        if "text" in params:
            message["text"] = params["text"]
        if "caption" in params:
            message["caption"] = params["caption"]
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if isinstance(markup, dict) and "inline_keyboard" in markup:  # not a ForceReply
            message["reply_markup"] = markup
        for kind in ("document", "photo"):
            upload = params.get(kind)
            if isinstance(upload, dict):
                file_id = f"up{next(self._ids)}"
                self.files[file_id] = upload["data"]
                message[kind] = (
                    {
                        "file_id": file_id,
                        "file_unique_id": "u" + file_id,
                        "file_name": upload["file_name"],
                        "file_size": len(upload["data"]),
                    }
                    if kind == "document"
                    else [
                        {
                            "file_id": file_id,
                            "file_unique_id": "u" + file_id,
                            "width": 1,
                            "height": 1,
                            "file_size": len(upload["data"]),
                        }
                    ]
                )
        sent = Sent(method, chat_id, params, message)
        self._by_chat.setdefault(chat_id, []).append((len(self.sent), sent))
        self.sent.append(sent)
        self._arrived.setdefault(chat_id, asyncio.Event()).set()
        return message

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        # an early empty answer is valid long polling, and lets the bot stop quickly
        timeout = min(float(params.get("timeout") or 0), 1.0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            self._queued.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queued.wait(), timeout=timeout)
        return list(self.updates)

    async def _download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if file_id not in self.files:
            return self._error(404, "Not Found")
        fault = self.faults.pick("download", {"file_id": file_id}) if self.faults else None
        refusal = await self._suffer(request, "5xx" if fault == "429" else fault)
        return refusal or web.Response(body=self.files[file_id])

    # ------------------------------------------------------------------ people

    async def _deliver(self, update: dict[str, Any]) -> None:
        update = {"update_id": next(self._update_ids), **update}
        self.last_update_id = update["update_id"]
        if self.webhook_url is None:
            self.updates.append(update)
            self._queued.set()
            return
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret or ""}
        async with (
            ClientSession() as session,
            session.post(self.webhook_url, json=update, headers=headers) as response,
        ):
            assert response.status == 200, await response.text()

    def _message(self, user: dict[str, Any], **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": user["id"], "type": "private", "first_name": user["first_name"]},
            "from": user,
            **content,
        }

    async def send_text(self, user: dict[str, Any], text: str) -> None:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        await self._deliver({"message": self._message(user, **content)})

    async def send_document(
        self, user: dict[str, Any], file_name: str, data: bytes, mime: str = "application/pdf"
    ) -> None:
        file_id = f"doc{next(self._ids)}"
        self.files[file_id] = data
        document = {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "file_name": file_name,
            "mime_type": mime,
            "file_size": len(data),
        }
        await self._deliver({"message": self._message(user, document=document)})

    async def send_photo(self, user: dict[str, Any], data: bytes) -> None:
        file_id = f"photo{next(self._ids)}"
        self.files[file_id] = data
        sizes = [
            {
                "file_id": file_id,
                "file_unique_id": "u" + file_id,
                "width": 1280,
                "height": 720,
                "file_size": len(data),
            }
        ]
        await self._deliver({"message": self._message(user, photo=sizes)})

    async def press(self, user: dict[str, Any], message: Sent, data: str) -> None:
        query_id = str(next(self._ids))
        self.callback_ids.add(query_id)
        await self._deliver(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "chat_instance": "ci",
                    "data": data,
                    "message": message.message,
                }
            }
        )

    async def wait_for(
        self, chat_id: int, contains: str | tuple[str, ...], timeout: float = 15.0, after: int = 0
    ) -> Sent:
        """The first message to ``chat_id`` (from index ``after``) whose text holds ``contains``
        (or one of them, given a tuple)."""
        wanted = (contains,) if isinstance(contains, str) else contains
        deadline = time.monotonic() + timeout
        arrived = self._arrived.setdefault(chat_id, asyncio.Event())
        while time.monotonic() < deadline:
            arrived.clear()  # before looking: a message recorded after the look sets it again
            entries = self._by_chat.get(chat_id, [])
            for _, sent in entries[bisect.bisect_left(entries, after, key=lambda e: e[0]) :]:
                if any(w in sent.text for w in wanted):
                    return sent
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrived.wait(), timeout=deadline - time.monotonic())
        seen = [(s.chat_id, s.text[:80]) for s in self.sent[after:]]
        raise AssertionError(f"no message to {chat_id} containing {contains!r}; saw {seen}")

    def unanswered(self) -> set[str]:
        return self.callback_ids - self.answered
