"""A fake WhatsApp Cloud API (Graph API) on loopback, and Meta-shaped signed webhook updates,
so the WhatsApp channel can be played offline: messages sent are recorded, media can be
fetched, and a free-form message outside the 24-hour window is refused as Meta refuses it."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web

from tests.support.loopback import serve
from whatsapp.app import GraphTransport

PHONE_ID = "109876543210"
WABA_ID = "200000000000001"
APP_SECRET = "rahasia-aplikasi-meta"


@dataclass
class FakeGraphApi:
    sent: list[dict[str, Any]] = field(default_factory=list)
    sent_ids: list[str] = field(default_factory=list)  # the id given to each message sent
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    window_closed: set[str] = field(default_factory=set)  # wa ids whose 24 hours have passed
    uploads: list[tuple[str, str]] = field(default_factory=list)  # (media id, file name)
    throttle: int = 0  # the next n messages are refused with 131056 (pair rate limit)
    undeliverable: set[str] = field(default_factory=set)  # wa ids refused with 131026
    # the access token the phone number's lookup accepts (None: any), as the health check asks
    token: str | None = None
    port: int = 0
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application(client_max_size=128 * 1024 * 1024)
        app.router.add_post("/{version}/{phone_id}/messages", self._messages)
        app.router.add_post("/{version}/{phone_id}/media", self._upload)
        app.router.add_get(f"/{{version}}/{PHONE_ID}", self._phone)
        app.router.add_get("/{version}/{media_id}", self._media_url)
        app.router.add_get("/download/{media_id}", self._download)
        self._runner, self.port = await serve(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def transport(self) -> httpx.AsyncBaseTransport:
        """An httpx transport sending graph.facebook.com's requests here instead."""
        return GraphTransport(self.url)

    @staticmethod
    def _error(status: int, code: int, message: str) -> web.Response:
        body = {
            "error": {
                "message": message,
                "type": "OAuthException",
                "code": code,
                "error_data": {"messaging_product": "whatsapp", "details": message},
                "fbtrace_id": "AbCdEf",
            }
        }
        return web.json_response(body, status=status)

    async def _messages(self, request: web.Request) -> web.Response:
        if request.match_info["phone_id"] != PHONE_ID:
            return self._error(400, 100, "Unsupported post request")
        payload = await request.json()
        # a business-scoped id is addressed as "recipient", a number as "to"; recorded as "to"
        payload["to"] = payload.get("to") or payload.get("recipient")
        to = str(payload["to"])
        if self.throttle:
            self.throttle -= 1
            return self._error(
                400, 131056, "(Business Account, Consumer Account) pair rate limit hit"
            )
        problem = interactive_problem(payload)
        if problem:  # as the Graph API does: the whole message is refused
            return self._error(400, 131009, f"Parameter value is not valid: {problem}")
        if to in self.undeliverable:
            return self._error(400, 131026, "Message Undeliverable.")
        if payload.get("type") != "template" and to in self.window_closed:
            return self._error(
                400,
                131047,
                "Re-engagement message: more than 24 hours have passed since the recipient "
                "last replied to the sender number.",
            )
        self.sent.append(payload)
        self.sent_ids.append(f"wamid.out{next(self._ids)}")
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": self.sent_ids[-1]}],
            }
        )

    async def _phone(self, request: web.Request) -> web.Response:
        """The phone number's own node, as the Graph API answers ``GET /<version>/<id>``."""
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if self.token is not None and given != self.token:
            return self._error(401, 190, "Invalid OAuth access token - Cannot parse access token")
        return web.json_response(
            {
                "id": PHONE_ID,
                "display_phone_number": "+62 811-0000-1234",
                "verified_name": "KPU Provinsi Jambi",
            }
        )

    async def _upload(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["file"]
        assert isinstance(upload, web.FileField)
        media_id = f"upl{next(self._ids)}"
        self.media[media_id] = (upload.file.read(), upload.content_type)
        self.uploads.append((media_id, upload.filename))
        return web.json_response({"id": media_id})

    async def _media_url(self, request: web.Request) -> web.Response:
        media_id = request.match_info["media_id"]
        if media_id not in self.media:
            return self._error(404, 100, "Unsupported get request")
        data, mime = self.media[media_id]
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": f"http://127.0.0.1:{self.port}/download/{media_id}",
                "mime_type": mime,
                "sha256": hashlib.sha256(data).hexdigest(),
                "file_size": len(data),
                "id": media_id,
            }
        )

    async def _download(self, request: web.Request) -> web.Response:
        data, mime = self.media[request.match_info["media_id"]]
        return web.Response(body=data, content_type=mime)

    def texts_to(self, wa_id: str) -> list[str]:
        return [
            str(
                p.get("text", {}).get("body")
                or p.get("interactive", {}).get("body", {}).get("text", "")
            )
            for p in self.sent
            if str(p["to"]) == wa_id
        ]


def interactive_problem(payload: dict[str, Any]) -> str:
    """What the Cloud API refuses in an interactive message (its documented limits)."""
    interactive = payload.get("interactive")
    if not interactive:
        body = str(payload.get("text", {}).get("body", ""))
        return "text body over 4096" if len(body) > 4096 else ""
    if len(str(interactive.get("body", {}).get("text", ""))) > 1024:
        return "interactive body over 1024"
    action = interactive.get("action", {})
    if interactive.get("type") == "button":
        buttons = action.get("buttons", [])
        if len(buttons) > 3:
            return "more than 3 buttons"
        if any(len(b["reply"]["title"]) > 20 for b in buttons):
            return "button title over 20"
    if interactive.get("type") == "list":
        if len(str(action.get("button", ""))) > 20:
            return "list button over 20"
        rows = [r for sec in action.get("sections", []) for r in sec.get("rows", [])]
        if len(rows) > 10:
            return "more than 10 rows"
        if any(len(str(sec.get("title", ""))) > 24 for sec in action.get("sections", [])):
            return "section title over 24"
        if any(len(str(r.get("title", ""))) > 24 for r in rows):
            return "row title over 24"
        if any(len(str(r.get("description", ""))) > 72 for r in rows):
            return "row description over 72"
    return ""


_message_ids = itertools.count(1)


def update_with(
    wa_id: str, name: str, message: dict[str, Any], bsuid: str | None = "same"
) -> dict[str, Any]:
    """A Cloud API webhook update carrying one incoming message, as Meta sends it. ``bsuid``:
    the business-scoped user id (by default the same string as ``wa_id``; None: not given, as
    in older webhooks); ``wa_id`` empty: the number hidden (usernames)."""
    contact: dict[str, Any] = {"profile": {"name": name}}
    if wa_id:
        contact["wa_id"] = wa_id
    if bsuid is not None:
        contact["user_id"] = wa_id if bsuid == "same" else bsuid
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": WABA_ID,
                "changes": [
                    {
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550001234",
                                "phone_number_id": PHONE_ID,
                            },
                            "contacts": [contact],
                            "messages": [
                                {
                                    "from": wa_id or str(bsuid),
                                    "id": message.pop("id", f"wamid.in{next(_message_ids)}"),
                                    "timestamp": str(int(time.time())),
                                    **message,
                                }
                            ],
                        },
                        "field": "messages",
                    }
                ],
            }
        ],
    }


def text_update(
    wa_id: str, name: str, body: str, message_id: str | None = None, replying_to: str = ""
) -> dict[str, Any]:
    """A text; ``replying_to``: the id of the bot's message it answers (a swiped reply)."""
    message: dict[str, Any] = {"type": "text", "text": {"body": body}}
    if message_id is not None:
        message["id"] = message_id
    if replying_to:
        message["context"] = {"from": "15550001234", "id": replying_to}
    return update_with(wa_id, name, message)


def signed(update: dict[str, Any], secret: str = APP_SECRET) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(update).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return body, {"X-Hub-Signature-256": f"sha256={signature}", "Content-Type": "application/json"}


def choice_update(wa_id: str, name: str, data: str, kind: str = "button_reply") -> dict[str, Any]:
    """A tap on a reply button (``button_reply``) or a row of a list (``list_reply``)."""
    reply: dict[str, Any] = {"id": data, "title": data[:20]}
    return update_with(
        wa_id,
        name,
        {
            "type": "interactive",
            "interactive": {"type": kind, kind: reply},
            "context": {"from": "15550001234", "id": "wamid.out0"},
        },
    )


def document_update(
    wa_id: str, name: str, media_id: str, filename: str, mime: str = "application/pdf"
) -> dict[str, Any]:
    document = {"id": media_id, "filename": filename, "mime_type": mime, "sha256": "x"}
    return update_with(wa_id, name, {"type": "document", "document": document})
