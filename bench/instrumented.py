"""A bot process with a CPU clock on every update, for ``bench.updates``.

    SPIP_BENCH_CPU_LOG=file python -m bench.instrumented spip   # what `spip-bot run` runs
    SPIP_BENCH_CPU_LOG=file python -m bench.instrumented echo   # the bare PTB echo bot

``Application.process_update`` is wrapped to write ``<update_id> <cpu ns>`` per update: the
process's CPU time (all threads) from the start of the update's handling to its end, the reply
sent included. It is read inside the process because the kernel here credits another process's
CPU time only at 4 ms ticks.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from telegram.ext import Application


def instrument(path: str) -> None:
    log = open(path, "a", buffering=1)  # noqa: SIM115 - open for the life of the process
    process_update = Application.process_update

    async def timed(self: Application, update: object) -> None:  # type: ignore[type-arg]
        start = time.process_time_ns()
        try:
            await process_update(self, update)
        finally:
            update_id: Any = getattr(update, "update_id", -1)
            log.write(f"{update_id} {time.process_time_ns() - start}\n")

    Application.process_update = timed  # type: ignore[method-assign]


def main() -> None:
    instrument(os.environ["SPIP_BENCH_CPU_LOG"])
    if sys.argv[1:] == ["echo"]:
        from bench import echo_bot

        echo_bot.main()
    else:
        from chatbot.cli import main as spip

        sys.exit(spip(["run"]))


if __name__ == "__main__":
    main()
