"""The Telegram adapter: parse the update, call one service, render the reply."""

from __future__ import annotations

from telegram.ext import Application

from handlers import admin, antrian, common, desk, kirim, periode, review, start, status


def register(application: Application) -> None:  # type: ignore[type-arg]
    """Every handler, in order: the gate first, the fallbacks last."""
    common.register_gate(application)
    review.register(application)
    desk.register(application)
    antrian.register(application)
    status.register(application)
    kirim.register(application)
    start.register(application)
    admin.register(application)
    periode.register(application)
    common.register_fallbacks(application)
    application.add_error_handler(common.on_error)
