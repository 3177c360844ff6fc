"""Sending the outbox's messages to the people the WhatsApp channel reaches.

WhatsApp lets a business write freely only within 24 hours of the person's last message. Inside
that window a notification goes as it is (its files as documents, its buttons as reply buttons
when this channel can answer them); outside it, as the pre-approved utility template named in
the settings, the notification's text as its one parameter (files wait until the person writes
again and opens `kirim`). Commands are named as typed here (``kirim``, not ``/kirim``).
Meta refusing a free-form message as outside the window (131047) is
answered with the template at once."""

from __future__ import annotations

import logging
import mimetypes
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from pywa.errors import (
    MessageUndeliverable,
    ReEngagementMessage,
    ThrottlingError,
    TooManyMessages,
    WhatsAppError,
)
from pywa.types.templates import TemplateLanguage
from pywa_async.client import WhatsApp
from pywa_async.types.callback import Button

from chatbot import texts
from chatbot.domain.text import pieces
from chatbot.services.outbox import Outcome, SendResult
from chatbot.services.ports import Attachment, QueuedMessage
from storage.files import EvidenceStore
from whatsapp.render import BUTTON_TITLE, BUTTONS

log = logging.getLogger(__name__)
WINDOW = timedelta(hours=24) - timedelta(minutes=10)  # a margin for clocks and queues
HANDLED = ("kr:", "rv:", "kc:", "mn:", "rp:")  # buttons this channel answers; others are left out
TEMPLATE_TEXT_LIMIT = 1000
TEXT_LIMIT = 4096  # a text message's body
INTERACTIVE_BODY_LIMIT = 1024  # the body of a message with reply buttons
MAX_MEDIA_BYTES = 100 * 1024 * 1024  # Meta's limit for a document


def template_parameter(text: str) -> str:
    """Meta refuses new lines, tabs and runs of spaces inside a template parameter."""
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= TEMPLATE_TEXT_LIMIT else flat[: TEMPLATE_TEXT_LIMIT - 1] + "…"


def reply_buttons(rows: tuple[tuple[tuple[str, str], ...], ...]) -> list[Button] | None:
    pairs = [(label, data) for row in rows for label, data in row if data.startswith(HANDLED)]
    pairs = [(label[:BUTTON_TITLE], data) for label, data in pairs][:BUTTONS]
    return [Button(title=label, callback_data=data) for label, data in pairs] or None


async def send_document(
    wa: WhatsApp, to: str, path: Path, file_name: str, max_bytes: int = MAX_MEDIA_BYTES
) -> None:
    """An evidence file as a document, within WhatsApp's size limit and its 24-hour window."""
    size = path.stat().st_size
    if size > max_bytes:
        log.info("file %s (%s bytes) over WhatsApp's limit; not attached", file_name, size)
        return
    mime = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
    try:
        await wa.send_document(
            to=to, document=path.read_bytes(), filename=file_name, mime_type=mime
        )
    except ReEngagementMessage:
        log.info("WhatsApp window closed for %s; file %s not sent", to, file_name)


class WhatsAppSender:
    def __init__(
        self,
        wa: WhatsApp,
        files: EvidenceStore,
        clock: Callable[[], datetime],
        template: str,
        language: str,
        max_media_mb: int = 100,
        rate: float = 80,
    ) -> None:
        self.wa = wa
        self.files = files
        self.clock = clock
        self.max_media_bytes = max_media_mb * 1024 * 1024
        self.limiter = AsyncLimiter(rate, 1)  # messages per second for the business number
        self.template = template
        self.language = TemplateLanguage(language)  # an unknown code fails at start

    def window_open(self, message: QueuedMessage) -> bool:
        seen = message.whatsapp_seen_at
        return seen is not None and self.clock() - seen < WINDOW

    async def __call__(self, message: QueuedMessage, part: Attachment | None) -> SendResult:
        to = message.whatsapp_id
        assert to is not None
        message = replace(message, text=texts.for_whatsapp(message.text))  # commands as typed
        await self.limiter.acquire()
        try:
            if not self.window_open(message):
                if part is not None:
                    return SendResult(Outcome.SENT)  # no free-form files outside the window
                await self._template(to, message.text)
            elif part is not None:
                if not self.files.path(part.sha256).is_file():
                    return SendResult(Outcome.GONE, "not in the evidence store")
                await self._document(to, part)
            else:
                await self._text(to, message)
        except TooManyMessages as exc:  # 131056: to one person too fast (about one per 6 s)
            return SendResult(Outcome.RETRY, f"pair rate: {exc.message}", retry_after=6)
        except ThrottlingError as exc:
            return SendResult(Outcome.RETRY, f"throttled: {exc.message}", retry_after=60)
        except MessageUndeliverable as exc:  # 131026: not (any more) reachable on WhatsApp
            return SendResult(Outcome.FAILED, f"whatsapp {exc.code}: {exc.message}", blocked=True)
        except WhatsAppError as exc:
            return SendResult(Outcome.FAILED, f"whatsapp {exc.code}: {exc.message}")
        except httpx.HTTPError as exc:
            return SendResult(Outcome.RETRY, f"network: {exc!r}")
        return SendResult(Outcome.SENT)

    async def _text(self, to: str, message: QueuedMessage) -> None:
        buttons = reply_buttons(message.buttons)
        # a text with reply buttons is an interactive message: its body holds 1,024 characters;
        # a longer one goes as plain text (4,096 a message), the buttons under a short line
        limit = INTERACTIVE_BODY_LIMIT if buttons else TEXT_LIMIT
        parts = pieces(message.text, TEXT_LIMIT) if len(message.text) > limit else [message.text]
        if buttons and len(message.text) > limit:
            parts.append(texts.WA_CHOOSE_ACTION)
        try:
            for index, part in enumerate(parts):
                last = index == len(parts) - 1
                await self.wa.send_message(to=to, text=part, buttons=buttons if last else None)
        except ReEngagementMessage:
            log.info("WhatsApp window closed for %s; sending the template instead", to)
            await self._template(to, message.text)

    async def _document(self, to: str, part: Attachment) -> None:
        await send_document(
            self.wa, to, self.files.path(part.sha256), part.file_name, self.max_media_bytes
        )

    async def _template(self, to: str, text: str) -> None:
        body: dict[str, Any] = {
            "type": "body",
            "parameters": [{"type": "text", "text": template_parameter(text)}],
        }
        await self.wa.send_template(
            to=to,
            name=self.template,
            language=self.language,
            params=[body],
        )
