"""A bot process with a CPU clock on every update, for ``bench.updates`` and ``bench.whatsapp``.

    SPIP_BENCH_CPU_LOG=file python -m bench.instrumented spip   # what `spip-bot run` runs
    SPIP_BENCH_CPU_LOG=file python -m bench.instrumented echo   # the bare PTB echo bot
    SPIP_BENCH_CPU_LOG=file python -m bench.instrumented whatsapp ARGS  # `spip-bot run-whatsapp`
    SPIP_BENCH_CPU_LOG=file python -m bench.instrumented wa-echo ARGS   # bench.wa_echo

``Application.process_update`` is wrapped to write ``<update_id> <cpu ns> <queries>`` per
update: the process's CPU time (all threads) from the start of the update's handling to its
end, the reply sent included, and the SQL statements it ran (any thread; the outbox's sending
meanwhile is included, the benchmark waits for it between updates). It is read inside the
process because the kernel here credits another process's CPU time only at 4 ms ticks.
With ``SPIP_BENCH_PROFILE=folder`` each update is also profiled (cProfile, the event loop's
thread) into ``folder/<update_id>.prof``.

The WhatsApp modes time the webhook's POST instead (``webhook_timer``, an aiohttp middleware):
from the request handed to the handler (the body not read yet) to the response returned, and
write ``<message id> <cpu ns> <queries> <commits>``. pywa handles an update inside the request (its
``webhook_update_handler`` awaits the handlers, which await their replies to the Graph API and
the work they put in threads), so that span holds all of the update's work; the outbox's
notices are sent later by the outbox loop, which the benchmark waits for between updates. Only
the statements run in the request's own context are counted (threads it starts included, the
outbox loop not).
"""

from __future__ import annotations

import asyncio
import contextvars
import cProfile
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aiohttp import web
    from telegram.ext import Application


def asked_from(depth: int = 3) -> str:
    """The innermost ``depth`` functions of the project on the stack (file:line function)."""
    import traceback

    mine = ("/chatbot/", "/storage/", "/handlers/", "/whatsapp/")
    frames = [f for f in traceback.extract_stack() if any(m in f.filename for m in mine)]
    return " < ".join(
        f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(frames[-depth:])
    )


def instrument(path: str, profiles: str = "", count_queries: bool = False) -> None:
    from telegram.ext import Application  # not in the WhatsApp modes: no PTB loaded there

    log = open(path, "a", buffering=1)  # noqa: SIM115 - open for the life of the process
    process_update = Application.process_update
    queries = [0]

    statements = os.environ.get("SPIP_BENCH_SQL_LOG", "")
    sql_log = open(statements, "a", buffering=1) if statements else None  # noqa: SIM115

    where = bool(os.environ.get("SPIP_BENCH_SQL_WHERE"))

    def counted(*args: Any) -> None:
        queries[0] += 1
        if sql_log is not None:  # the statement's first line, to see what an update asks
            line = " ".join(str(args[2]).split())[:160]
            if where:  # and the project's functions that asked it, innermost first
                line += "  <- " + asked_from()
            sql_log.write(line + "\n")

    if count_queries:  # not in the echo bot: it would load SQLAlchemy for nothing
        from sqlalchemy import Engine, event

        event.listen(Engine, "before_cursor_execute", counted)

    async def timed(self: Application, update: object) -> None:  # type: ignore[type-arg]
        profile = cProfile.Profile(time.process_time) if profiles else None
        start, asked = time.process_time_ns(), queries[0]
        if profile is not None:
            profile.enable()
        try:
            await process_update(self, update)
        finally:
            if profile is not None:
                profile.disable()
            update_id: Any = getattr(update, "update_id", -1)
            log.write(f"{update_id} {time.process_time_ns() - start} {queries[0] - asked}\n")
            if sql_log is not None:
                sql_log.write(f"--- update {update_id}\n")
            if profile is not None:
                profile.dump_stats(os.path.join(profiles, f"{update_id}.prof"))

    Application.process_update = timed  # type: ignore[method-assign]


# the statements of the request being timed, in its context (and the threads it starts)
_request_queries: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "request_queries", default=None
)
# the request's profiles of the work it put in threads (``asyncio.to_thread``)
_thread_profiles: contextvars.ContextVar[list[cProfile.Profile] | None] = contextvars.ContextVar(
    "thread_profiles", default=None
)


def message_id(body: bytes) -> str:
    """The id of the (first) message a webhook update carries, else ``-``."""
    try:
        value = json.loads(body)["entry"][0]["changes"][0]["value"]
        return str(value["messages"][0]["id"])
    except (ValueError, KeyError, IndexError, TypeError):
        return "-"


def _profile_threads() -> None:
    """``asyncio.to_thread``'s work profiled too (cProfile sees one thread): the request's
    thread profiles are added to its own. Each profile runs on its thread's own CPU clock
    (``time.thread_time``): on the process clock, a worker thread's CPU would be counted again
    in the event loop's ``select`` while it waits."""
    to_thread = asyncio.to_thread

    async def profiled(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        profiles = _thread_profiles.get()
        if profiles is None:
            return await to_thread(func, *args, **kwargs)

        def run() -> Any:
            profile = cProfile.Profile(time.thread_time)
            profiles.append(profile)
            return profile.runcall(func, *args, **kwargs)

        return await to_thread(run)

    asyncio.to_thread = profiled


def webhook_timer(path: str, profiles: str = "", count_queries: bool = False) -> Any:
    """An aiohttp middleware writing each POST's CPU and statements to ``path``."""
    from aiohttp import web

    log = open(path, "a", buffering=1)  # noqa: SIM115 - open for the life of the process
    if count_queries:
        from sqlalchemy import Engine, event

        def counted(*_: Any) -> None:
            queries = _request_queries.get()
            if queries is not None:
                queries[0] += 1

        def committed(*_: Any) -> None:
            queries = _request_queries.get()
            if queries is not None:
                queries[1] += 1

        event.listen(Engine, "before_cursor_execute", counted)
        event.listen(Engine, "commit", committed)
    if profiles:
        _profile_threads()

    @web.middleware
    async def timed(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.method != "POST":
            return await handler(request)
        queries: list[int] = [0, 0]  # statements, commits
        threads: list[cProfile.Profile] = []
        counting, threading = _request_queries.set(queries), _thread_profiles.set(threads)
        profile = cProfile.Profile(time.thread_time) if profiles else None
        start = time.process_time_ns()
        if profile is not None:
            profile.enable()
        try:
            return await handler(request)
        finally:
            if profile is not None:
                profile.disable()
            spent = time.process_time_ns() - start
            _request_queries.reset(counting)
            _thread_profiles.reset(threading)
            update = message_id(await request.read())  # read by the handler: kept
            log.write(f"{update} {spent} {queries[0]} {queries[1]}\n")
            if profile is not None:
                import pstats

                stats = pstats.Stats(profile)
                for extra in threads:
                    stats.add(extra)
                stats.dump_stats(os.path.join(profiles, f"{update}.prof"))

    return timed


def main() -> None:
    mode, args = (sys.argv[1:2] or ["spip"])[0], sys.argv[2:]
    path, profiles = os.environ["SPIP_BENCH_CPU_LOG"], os.environ.get("SPIP_BENCH_PROFILE", "")
    if mode == "whatsapp":
        from whatsapp import server

        web_app, timer = server.web_app, webhook_timer(path, profiles, count_queries=True)

        def timed_app(*given: Any, **named: Any) -> web.Application:
            app = web_app(*given, **named)
            app.middlewares.append(timer)
            return app

        server.web_app = timed_app
        from chatbot.cli import main as spip

        sys.exit(spip(["run-whatsapp", *args]))
    if mode == "wa-echo":
        from bench import wa_echo

        wa_echo.main(args, middlewares=[webhook_timer(path, profiles)])
        return
    echo = mode == "echo"
    instrument(path, profiles, not echo)
    if echo:
        from bench import echo_bot

        echo_bot.main()
    else:
        from chatbot.cli import main as spip

        sys.exit(spip(["run"]))


if __name__ == "__main__":
    main()
