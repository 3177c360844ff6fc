"""Drive the real PTB Application with real Update JSON; record the bot's HTTP calls.

``RecordingRequest`` is a ``telegram.request.BaseRequest``: PTB serialises every call exactly as
it would for Telegram, and the recorder answers like the Bot API (no network).
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes
from telegram.request import BaseRequest, RequestData

from chatbot.app import Core
from handlers import outbox
from handlers.app import build_application

BOT_ID = 123456789
BOT_USERNAME = "spip_jambi_bot"
_ids = itertools.count(1000)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    result: Any = None
    uploads: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # field -> (name, data)

    @property
    def text(self) -> str:
        return str(self.params.get("text", ""))

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def buttons(self) -> list[tuple[str, str]]:
        markup = self.params.get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        return [
            (b["text"], b.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]


@dataclass
class RecordingRequest(BaseRequest):
    calls: list[Call] = field(default_factory=list)
    history: list[Call] = field(default_factory=list)  # every call, never taken
    fail_with: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # file_id -> content
    failing_downloads: int = 0  # the next N downloads fail with a network error
    # per method, what the next calls meet: an error body (dict with error_code) or an exception
    faults: dict[str, list[dict[str, Any] | Exception]] = field(default_factory=dict)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:  # a file download
            file_id = url.rsplit("/", 1)[-1]
            self.calls.append(Call("download", {"file_id": file_id}))
            if self.failing_downloads:
                self.failing_downloads -= 1
                from telegram.error import NetworkError

                raise NetworkError("connection reset")
            return 200, self.files[file_id]
        name = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        call = Call(name, params)
        if request_data is not None and request_data.contains_files:
            for key, (file_name, content, _mime) in (request_data.multipart_data or {}).items():
                data = content if isinstance(content, bytes) else content.read()
                call.uploads[key] = (file_name, data)
        self.calls.append(call)
        self.history.append(call)
        pending = self.faults.get(name)
        if pending:
            fault = pending.pop(0)
            if isinstance(fault, Exception):
                raise fault
            body = json.dumps({"ok": False, **fault}).encode()
            return int(fault.get("error_code", 400)), body
        if name in self.fail_with:
            error = self.fail_with[name]
            return int(error.get("error_code", 400)), json.dumps({"ok": False, **error}).encode()
        call.result = self._answer(name, params)
        return 200, json.dumps({"ok": True, "result": call.result}).encode()

    def _answer(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "SPIP Jambi",
                "username": BOT_USERNAME,
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if name == "getFile":
            file_id = str(params["file_id"])
            return {
                "file_id": file_id,
                "file_unique_id": "u" + file_id,
                "file_size": len(self.files[file_id]),
                "file_path": f"documents/{file_id}",
            }
        if name == "sendMediaGroup":  # an album: one photo message each
            media = params.get("media")
            items = json.loads(media) if isinstance(media, str) else media or []
            return [self._answer("sendPhoto", {"chat_id": params.get("chat_id", 0)}) for _ in items]
        if name in ("sendMessage", "editMessageText", "sendDocument", "sendPhoto"):
            chat_id = int(params.get("chat_id", 0))
            message: dict[str, Any] = {
                "message_id": int(params.get("message_id", next(_ids))),
                "date": 1_700_000_000,
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "SPIP Jambi"},
                "text": params.get("text", ""),
            }
            if "reply_markup" in params:
                markup = params["reply_markup"]
                markup = json.loads(markup) if isinstance(markup, str) else markup
                if "inline_keyboard" in markup:  # a ForceReply is not part of the message
                    message["reply_markup"] = markup
            return message
        return True


@dataclass(frozen=True)
class User:
    id: int
    first_name: str
    last_name: str = ""
    is_bot: bool = False

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        return data


class TelegramHarness:
    """One bot, fed updates the way Telegram would send them."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.request = RecordingRequest()
        self.app: Application = build_application(  # type: ignore[type-arg]
            core, request=self.request, get_updates_request=RecordingRequest()
        )
        self._update_ids = itertools.count(1)
        self.commands_set: list[Call] = []  # setMyCommands calls, kept out of take()

    async def __aenter__(self) -> TelegramHarness:
        await self.app.initialize()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.shutdown()

    @property
    def calls(self) -> list[Call]:
        return self.request.calls

    def take(self) -> list[Call]:
        """The calls since the last take (bot set-up calls like getMe excluded, and the
        buttons taken off a superseded message: ``request.history`` keeps those)."""
        hidden = ("getMe", "setMyCommands", "editMessageReplyMarkup")
        calls = [c for c in self.request.calls if c.method not in hidden]
        self.commands_set += [c for c in self.request.calls if c.method == "setMyCommands"]
        self.request.calls.clear()
        return calls

    async def feed(self, update: dict[str, Any]) -> list[Call]:
        update = {"update_id": next(self._update_ids), **update}
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.take()

    async def send(
        self,
        user: User,
        text: str,
        chat_type: str = "private",
        chat_id: int | None = None,
        replying_to: int | None = None,
    ) -> list[Call]:
        """A text typed; ``replying_to``: the id of the bot's message it answers."""
        chat: dict[str, Any] = {"id": chat_id or user.id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = user.first_name
        else:
            chat["title"] = "Grup SPIP"
        message: dict[str, Any] = {
            "message_id": next(_ids),
            "date": 1_700_000_000,
            "chat": chat,
            "from": user.as_dict(),
            "text": text,
        }
        if replying_to is not None:
            message["reply_to_message"] = {
                "message_id": replying_to,
                "date": 1_700_000_000,
                "chat": chat,
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "SPIP Jambi"},
                "text": "…",
            }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self.feed({"message": message})

    def _message(self, user: User, **content: Any) -> dict[str, Any]:
        return {
            "message_id": next(_ids),
            "date": 1_700_000_000,
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": user.as_dict(),
            **content,
        }

    async def send_document(
        self,
        user: User,
        file_name: str,
        data: bytes,
        mime_type: str = "application/pdf",
        size: int | None = None,
        media_group_id: str | None = None,
    ) -> list[Call]:
        file_id = f"doc{next(_ids)}"
        self.request.files[file_id] = data
        document = {
            "file_id": file_id,
            "file_unique_id": "u" + file_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data) if size is None else size,
        }
        extra = {"media_group_id": media_group_id} if media_group_id else {}
        return await self.feed({"message": self._message(user, document=document, **extra)})

    async def send_photo(
        self, user: User, data: bytes, media_group_id: str | None = None
    ) -> list[Call]:
        small, large = f"ph{next(_ids)}", f"ph{next(_ids)}"
        self.request.files[small] = data[:10]
        self.request.files[large] = data
        photo = [
            {
                "file_id": small,
                "file_unique_id": "u" + small,
                "width": 90,
                "height": 90,
                "file_size": 10,
            },
            {
                "file_id": large,
                "file_unique_id": "u" + large,
                "width": 1280,
                "height": 960,
                "file_size": len(data),
            },
        ]
        extra = {"media_group_id": media_group_id} if media_group_id else {}
        return await self.feed({"message": self._message(user, photo=photo, **extra)})

    async def send_sticker(self, user: User) -> list[Call]:
        sticker = {
            "file_id": "st1",
            "file_unique_id": "ust1",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
        return await self.feed({"message": self._message(user, sticker=sticker)})

    async def press(self, user: User, data: str, on: Call | None = None) -> list[Call]:
        """Press a button; ``on`` is the bot's message that carries it (its text and keyboard)."""
        message: dict[str, Any] = {
            "message_id": next(_ids),
            "date": 1_700_000_000,
            "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "SPIP Jambi"},
            "text": "…",
        }
        if on is not None:
            message = {**on.result, "chat": message["chat"], "from": message["from"]}
        query = {
            "id": str(next(_ids)),
            "from": user.as_dict(),
            "chat_instance": "ci-1",
            "data": data,
            "message": message,
        }
        return await self.feed({"callback_query": query})

    def context(self) -> Any:
        return ContextTypes.DEFAULT_TYPE(application=self.app)


def as_they_stand(history: list[Call], chat_id: int) -> list[Call]:
    """Every message the bot put in ``chat_id``, as it stands now (its last edit), in the
    order they were first sent."""
    latest: dict[int, Call] = {}
    for call in history:
        if call.chat_id != chat_id:
            continue
        if call.method == "editMessageReplyMarkup":  # the same text, fewer buttons
            message_id = int(call.params["message_id"])
            if message_id in latest:
                before = latest[message_id]
                markup = call.params.get("reply_markup")
                params = {**before.params, "reply_markup": markup}
                latest[message_id] = Call(before.method, params, before.result)
        elif isinstance(call.result, dict) and call.method in (
            "sendMessage",
            "sendDocument",
            "sendPhoto",
            "editMessageText",
        ):
            latest[int(call.result["message_id"])] = call
    return list(latest.values())


def texts_to(calls: list[Call], chat_id: int) -> list[str]:
    return [c.text for c in calls if c.method == "sendMessage" and c.chat_id == chat_id]


async def give_card_step(bot: TelegramHarness, user: User, request: Call) -> list[Call]:
    """A paraf or signature as a person gives it: the request's button, then the
    confirmation's "Ya" (one tap never gives it); the calls of the confirmation."""
    asked = await bot.press(user, request.buttons[0][1], on=request)
    question = next((c for c in asked if c.method == "sendMessage" and c.buttons), None)
    if question is None:  # refused before the question: what was said
        return asked
    assert question.buttons[0][1].startswith("kc:ya:"), question.buttons
    return await bot.press(user, question.buttons[0][1], on=question)


async def drained(bot: TelegramHarness) -> list[Call]:
    """The outbox drained until nothing is left (a drain sends 100 at most): what it sent."""
    taken: list[Call] = []
    while True:
        await outbox.drain(bot.context())
        calls = bot.take()
        if not calls:
            return taken
        taken += calls
