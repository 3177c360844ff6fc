"""`spip-bot doctor`: every health check, one line each, and an exit status a container's
health check reads (0: healthy; 1: a problem, each said in one sentence of what to do)."""

from __future__ import annotations

import asyncio
import json
import logging
import sys

from chatbot.app import build_health, read_clock
from chatbot.config import ConfigError, load_settings
from chatbot.services.health import Check, healthy, report_json
from storage.db import make_engine

MARK = {"ok": "[baik]", "problem": "[MASALAH]", "skipped": "[lewati]"}


def checks(network: bool = True) -> list[Check]:
    """The settings first: when they cannot be read nothing else can be checked."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        return [Check("setelan", False, str(exc))]
    level = logging.getLevelName(settings.spip_log_level.upper())
    logging.basicConfig(  # the lines are the answer: only warnings (English) go to stderr
        level=max(logging.WARNING, level if isinstance(level, int) else logging.WARNING),
        format="%(levelname)s %(name)s: %(message)s",
    )
    engine = make_engine(settings.db_url)
    try:
        health = build_health(settings, engine, read_clock(settings, engine))
        return asyncio.run(health.check(network=network))
    finally:
        engine.dispose()


def line(check: Check) -> str:
    mark = MARK["skipped" if check.skipped else "ok" if check.ok else "problem"]
    return f"{mark:<10} {check.name}: {check.sentence}"


def run(as_json: bool = False, local: bool = False) -> int:
    found = checks(network=not local)
    if as_json:
        print(json.dumps(report_json(found), ensure_ascii=False, indent=2))
    else:
        for check in found:
            print(line(check))
        problems = sum(not c.ok for c in found)
        print(
            "Sehat: semua pemeriksaan baik."
            if not problems
            else f"{problems} masalah ditemukan: perbaiki yang bertanda [MASALAH], lalu jalankan "
            "spip-bot doctor lagi."
        )
    sys.stdout.flush()
    return 0 if healthy(found) else 1
