"""One person-facing driver per channel, so a scenario is written once and played on both:
Telegram through the real PTB application (``TelegramHarness``), WhatsApp through the signed
webhook with the Graph API faked on loopback. A driver sends what a person sends (a text, a
tap, a file) and returns what the person then sees: each message's text and its actions."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from aiohttp.test_utils import TestClient
from telegram.ext import ConversationHandler

from chatbot import callbacks
from chatbot.app import Core
from tests.support.fake_graph_api import (
    FakeGraphApi,
    choice_update,
    document_update,
    signed,
    text_update,
    update_with,
)
from tests.support.telegram import Call, TelegramHarness, User, drained
from whatsapp.app import whatsapp_sender

_ids = itertools.count(500)


@dataclass(frozen=True)
class Seen:
    """One message as the person sees it."""

    text: str
    actions: tuple[tuple[str, str], ...] = ()  # (label, callback data)
    document: str = ""  # the file name, for a document
    ref: str = ""  # the message's id on its channel (a reply names it)
    edited: bool = False  # an earlier message brought up to date (Telegram), not a new one

    def item(self, code: str) -> str:
        """The data of the checklist's button for an item (its period named or not)."""
        found = [
            d
            for _, d in self.actions
            if (t := callbacks.parse_kirim_item(d)) is not None and t.code == code
        ]
        assert found, f"no item {code!r} in {self.actions}"
        return found[0]

    def withdrawal(self, code: str) -> str:
        found = [
            d
            for _, d in self.actions
            if (t := callbacks.parse_kirim_withdraw(d)) is not None and t.code == code
        ]
        assert found, f"no withdrawal of {code!r} in {self.actions}"
        return found[0]

    def action(self, prefix: str) -> str:
        """The data of the action starting with ``prefix`` (a scenario taps it)."""
        found = [data for _, data in self.actions if data.startswith(prefix)]
        assert found, f"no action {prefix!r} in {self.actions} under {self.text[:80]!r}"
        return found[0]


@dataclass(frozen=True)
class Who:
    name: str
    address: str  # the channel's id of the person


class Driver(Protocol):
    channel: str
    core: Core

    async def join(self, unit: str, role: str, name: str) -> Who: ...
    async def join_with(self, code: str, name: str) -> tuple[Who, Seen]:
        """Join with an invite code as a person would; who, and the welcome they see."""
        ...

    async def say(self, who: Who, text: str, replying_to: Seen | None = None) -> list[Seen]:
        """A text typed; ``replying_to``: the bot's message it answers (a reply)."""
        ...

    async def press(self, who: Who, data: str) -> list[Seen]: ...
    async def send_file(self, who: Who, name: str, data: bytes, mime: str) -> list[Seen]: ...
    async def send_sticker(self, who: Who) -> list[Seen]: ...
    async def notices(self) -> dict[str, list[Seen]]:
        """The outbox sent through this channel: per person, what reached them."""
        ...

    def restart(self) -> None:
        """The bot stops and starts again: what it held in memory (conversations, the
        WhatsApp flows' drafts) is gone; the database stays."""
        ...

    async def idle(self, who: Who) -> list[Seen]:
        """The person does nothing for the conversation time-out."""
        ...


def command(driver: Driver, name: str) -> str:
    """A command as typed on the channel."""
    return f"/{name}" if driver.channel == "telegram" else name


# ------------------------------------------------------------------ Telegram


def _seen_telegram(call: Call, names: dict[str, str]) -> Seen | None:
    if call.method in ("sendMessage", "editMessageText"):
        ref = str(call.result.get("message_id", "")) if isinstance(call.result, dict) else ""
        return Seen(call.text, tuple(call.buttons), ref=ref, edited=call.method != "sendMessage")
    if call.method == "sendPhoto":
        return Seen(str(call.params.get("caption", "")), (), "gambar")
    if call.method == "sendDocument":
        upload = call.uploads.get("document")
        file_id = str(call.params.get("document", ""))
        name = upload[0] if upload else names.get(file_id, file_id)  # sent again by its id
        return Seen(str(call.params.get("caption", "")), tuple(call.buttons), name or "dokumen")
    return None


@dataclass
class TelegramDriver:
    core: Core
    bot: TelegramHarness
    channel: str = "telegram"
    users: dict[str, User] = field(default_factory=dict)
    last: dict[str, Call] = field(default_factory=dict)  # each person's last message
    names: dict[str, str] = field(default_factory=dict)  # Telegram file id -> the file's name

    async def join(self, unit: str, role: str, name: str) -> Who:
        reg = self.core.services.registration
        user = User(next(_ids), name.split()[0], " ".join(name.split()[1:]))
        reg.redeem(reg.create_invite(unit, role, name).code, user.id, user.id, user.first_name)
        who = Who(name, str(user.id))
        self.users[who.address] = user
        return who

    async def join_with(self, code: str, name: str) -> tuple[Who, Seen]:
        user = User(next(_ids), name.split()[0], " ".join(name.split()[1:]))
        who = Who(name, str(user.id))
        self.users[who.address] = user
        return who, self._seen(who, await self.bot.send(user, f"/start {code}"))[-1]

    def _seen(self, who: Who, calls: list[Call]) -> list[Seen]:
        mine = [c for c in calls if str(c.chat_id) == who.address]
        for c in mine:
            if c.method == "sendMessage":
                self.last[who.address] = c
        return [s for c in mine if (s := _seen_telegram(c, self.names)) is not None]

    async def say(self, who: Who, text: str, replying_to: Seen | None = None) -> list[Seen]:
        answered = int(replying_to.ref) if replying_to is not None else None
        user = self.users[who.address]
        return self._seen(who, await self.bot.send(user, text, replying_to=answered))

    async def press(self, who: Who, data: str) -> list[Seen]:
        on = self.last.get(who.address)
        return self._seen(who, await self.bot.press(self.users[who.address], data, on=on))

    async def send_file(self, who: Who, name: str, data: bytes, mime: str) -> list[Seen]:
        user = self.users[who.address]
        before = set(self.bot.request.files)
        calls = await self.bot.send_document(user, name, data, mime)
        self.names.update({file_id: name for file_id in set(self.bot.request.files) - before})
        return self._seen(who, calls)

    async def idle(self, who: Who) -> list[Seen]:
        # PTB's time-out job, run by hand rather than waited for (see test_kirim)
        assert self.bot.app.job_queue is not None
        for job in self.bot.app.job_queue.jobs():
            if getattr(job.callback, "__name__", "") == "_trigger_timeout":
                job.schedule_removal()
                await job.run(self.bot.app)
        return self._seen(who, self.bot.take())

    async def send_sticker(self, who: Who) -> list[Seen]:
        return self._seen(who, await self.bot.send_sticker(self.users[who.address]))

    def restart(self) -> None:
        # PTB keeps conversations and user_data in memory only (no persistence is set up)
        for handlers in self.bot.app.handlers.values():
            for handler in handlers:
                if isinstance(handler, ConversationHandler):
                    handler._conversations.clear()
        self.bot.app._user_data.clear()

    async def notices(self) -> dict[str, list[Seen]]:
        received: dict[str, list[Seen]] = {}
        for call in await drained(self.bot):
            seen = _seen_telegram(call, self.names)
            if seen is not None and call.chat_id is not None:
                received.setdefault(str(call.chat_id), []).append(seen)
                if call.method == "sendMessage":
                    self.last[str(call.chat_id)] = call
        return received


# ------------------------------------------------------------------ WhatsApp


def _seen_whatsapp(payload: dict[str, Any]) -> Seen:
    if payload.get("type") == "image":
        return Seen(str(payload["image"].get("caption", "")), (), "gambar")
    if payload.get("type") == "document":
        document = payload["document"]
        return Seen(str(document.get("caption", "")), (), str(document.get("filename", "")))
    if payload.get("type") == "template":
        parameters = payload["template"]["components"][0]["parameters"]
        return Seen(str(parameters[0]["text"]))
    interactive = payload.get("interactive")
    if interactive is None:
        return Seen(str(payload["text"]["body"]))
    action = interactive["action"]
    if interactive["type"] == "list":
        rows = [row for section in action["sections"] for row in section["rows"]]
        actions = tuple((str(r["title"]), str(r["id"])) for r in rows)
    else:
        actions = tuple(
            (str(b["reply"]["title"]), str(b["reply"]["id"])) for b in action["buttons"]
        )
    return Seen(str(interactive["body"]["text"]), actions)


@dataclass
class WhatsAppDriver:
    core: Core
    webhook: TestClient[Any, Any]
    graph: FakeGraphApi
    wa: Any  # the pywa client, for the outbox's sender
    flows: Any  # the channel's flows (whatsapp.handlers.Flows)
    channel: str = "whatsapp"
    read: int = 0  # graph.sent already returned

    async def _post(self, update: dict[str, Any]) -> None:
        body, headers = signed(update)
        response = await self.webhook.post("/whatsapp", data=body, headers=headers)
        assert response.status == 200

    def _new(self) -> list[dict[str, Any]]:
        new = self.graph.sent[self.read :]
        self.read = len(self.graph.sent)
        return new

    def _new_with_ids(self) -> list[tuple[dict[str, Any], str]]:
        new = list(zip(self.graph.sent[self.read :], self.graph.sent_ids[self.read :], strict=True))
        self.read = len(self.graph.sent)
        return new

    def _seen(self, who: Who) -> list[Seen]:
        return [
            replace(_seen_whatsapp(p), ref=ref)
            for p, ref in self._new_with_ids()
            if str(p["to"]) == who.address
        ]

    async def join(self, unit: str, role: str, name: str) -> Who:
        reg = self.core.services.registration
        who = Who(name, f"62812{next(_ids):07d}")
        await self._post(text_update(who.address, name, reg.create_invite(unit, role, name).code))
        self._new()  # the welcome
        return who

    async def join_with(self, code: str, name: str) -> tuple[Who, Seen]:
        who = Who(name, f"62812{next(_ids):07d}")
        return who, (await self.say(who, code))[-1]

    async def say(self, who: Who, text: str, replying_to: Seen | None = None) -> list[Seen]:
        answered = replying_to.ref if replying_to is not None else ""
        await self._post(text_update(who.address, who.name, text, replying_to=answered))
        return self._seen(who)

    async def press(self, who: Who, data: str) -> list[Seen]:
        await self._post(choice_update(who.address, who.name, data))
        return self._seen(who)

    async def send_file(self, who: Who, name: str, data: bytes, mime: str) -> list[Seen]:
        media = f"MEDIA-{next(_ids)}"
        self.graph.media[media] = (data, mime)
        await self._post(document_update(who.address, who.name, media, name, mime))
        return self._seen(who)

    async def send_sticker(self, who: Who) -> list[Seen]:
        sticker = {
            "id": f"ST-{next(_ids)}",
            "mime_type": "image/webp",
            "sha256": "x",
            "animated": False,
        }
        await self._post(
            update_with(who.address, who.name, {"type": "sticker", "sticker": sticker})
        )
        return self._seen(who)

    def restart(self) -> None:
        self.flows.kirim.drafts.clear()
        self.flows.review.pending.clear()

    async def idle(self, who: Who) -> list[Seen]:
        clock = self.core.clock
        assert hasattr(clock, "advance")  # the tests' clock
        clock.advance(seconds=self.core.services.conversation_timeout.total_seconds())
        await self.flows.kirim.expire_idle()  # what the app's sweeper runs every few seconds
        self.flows.review.expire_idle()
        return self._seen(who)

    async def notices(self) -> dict[str, list[Seen]]:
        self._new()
        sender = whatsapp_sender(self.core, self.wa)
        while (await self.core.services.outbox.drain(sender, channel="whatsapp")).sent:
            pass  # a drain sends 100 at most: until nothing is left
        received: dict[str, list[Seen]] = {}
        for payload in self._new():
            received.setdefault(str(payload["to"]), []).append(_seen_whatsapp(payload))
        return received
