"""The WhatsApp baseline: a bare aiohttp webhook of the same shape as ``spip-bot run-whatsapp``
(``whatsapp.server``), for ``bench.whatsapp``. A POST's ``X-Hub-Signature-256`` is checked
against the app secret, the JSON parsed, and what the person sent (a text, a button's or a
row's id, a file's name) answered back with one POST to the Graph API's
``/{phone_id}/messages``, through one shared ``httpx.AsyncClient`` (as pywa does); then 200.

    WHATSAPP_PHONE_ID=... WHATSAPP_TOKEN=... WHATSAPP_APP_SECRET=... WHATSAPP_VERIFY_TOKEN=...
    WHATSAPP_GRAPH_URL=http://127.0.0.1:PORT python -m bench.wa_echo --port N [--path /whatsapp]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
from collections.abc import AsyncIterator, Iterable
from typing import Any

import httpx
from aiohttp import web

GRAPH_VERSION = "v23.0"


def said(message: dict[str, Any]) -> str:
    """What to echo: the text, the id of the button or row tapped, or the file's name."""
    kind = message.get("type")
    if kind == "text":
        return str(message["text"]["body"])
    if kind == "interactive":
        interactive = message["interactive"]
        return str(interactive[interactive["type"]]["id"])
    if kind in ("document", "image"):
        return str(message[kind].get("filename") or message[kind]["id"])
    return "?"


def app(
    phone_id: str,
    token: str,
    app_secret: str,
    verify_token: str,
    graph_url: str,
    path: str = "/whatsapp",
    middlewares: Iterable[Any] = (),
) -> web.Application:
    secret = app_secret.encode()
    messages_url = f"{graph_url}/{GRAPH_VERSION}/{phone_id}/messages"
    clients: list[httpx.AsyncClient] = []

    async def verify(request: web.Request) -> web.Response:
        if request.query.get("hub.verify_token") != verify_token:
            return web.Response(text="", status=403)
        return web.Response(text=request.query.get("hub.challenge", ""))

    async def update(request: web.Request) -> web.Response:
        body = await request.read()
        expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Hub-Signature-256", "")):
            return web.Response(text="Signature mismatch", status=403)
        payload = json.loads(body)
        for entry in payload.get("entry", []):
            for change in entry.get("changes", []):
                for message in change.get("value", {}).get("messages", []):
                    response = await clients[0].post(
                        messages_url,
                        json={
                            "messaging_product": "whatsapp",
                            "recipient_type": "individual",
                            "to": message["from"],
                            "type": "text",
                            "text": {"body": said(message)},
                        },
                    )
                    response.raise_for_status()
        return web.Response(text="ok")

    async def session(_: web.Application) -> AsyncIterator[None]:
        clients.append(httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}))
        yield
        await clients[0].aclose()

    application = web.Application(client_max_size=4 * 1024 * 1024, middlewares=list(middlewares))
    application.router.add_get(path, verify)
    application.router.add_post(path, update)
    application.cleanup_ctx.append(session)
    return application


def main(argv: list[str] | None = None, middlewares: Iterable[Any] = ()) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/whatsapp")
    args = parser.parse_args(argv)
    web.run_app(
        app(
            os.environ["WHATSAPP_PHONE_ID"],
            os.environ["WHATSAPP_TOKEN"],
            os.environ["WHATSAPP_APP_SECRET"],
            os.environ["WHATSAPP_VERIFY_TOKEN"],
            os.environ["WHATSAPP_GRAPH_URL"],
            args.path,
            middlewares,
        ),
        host=args.listen,
        port=args.port,
        print=None,
        access_log=None,
    )


if __name__ == "__main__":
    main()
