"""The WhatsApp side of the health check: the phone number id looked up on the Graph API
(``WHATSAPP_GRAPH_URL``, else graph.facebook.com) with the access token, as pywa's calls do."""

from __future__ import annotations

from typing import Any

import httpx

from chatbot.services.health import Probe, ProbeStatus

TIMEOUT = 5.0  # seconds: `spip-bot doctor` stays quick when Meta does not answer
TOKEN_ERRORS = {190, 102}  # OAuthException: the access token is invalid or expired


async def phone_number(graph_url: str, phone_id: str, token: str) -> Probe:
    from pywa.utils import Version  # the Graph API version pywa speaks

    url = f"{graph_url.rstrip('/')}/v{Version.GRAPH_API}/{phone_id}"
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.get(
                url,
                params={"fields": "display_phone_number,verified_name"},
                headers={"Authorization": f"Bearer {token}"},
            )
    except httpx.HTTPError as exc:  # connection, DNS, time-out
        return Probe(ProbeStatus.UNREACHABLE, type(exc).__name__)
    try:
        body: Any = response.json()
    except ValueError:
        body = {}
    error = body.get("error", {}) if isinstance(body, dict) else {}
    if response.status_code == 200 and isinstance(body, dict):
        return Probe(ProbeStatus.OK, str(body.get("display_phone_number") or phone_id))
    detail = f"{response.status_code} {error.get('code', '')} {error.get('message', '')}"
    if response.status_code == 401 or error.get("code") in TOKEN_ERRORS:
        return Probe(ProbeStatus.REJECTED, detail.strip())
    if response.status_code in (400, 404) and error.get("code") == 100:
        return Probe(ProbeStatus.NOT_FOUND, detail.strip())  # unsupported get request
    return Probe(ProbeStatus.FAILED, detail.strip())
