"""The time the program runs by: the real clock, or a training clock that starts at a chosen
instant and then runs at the real pace (``SPIP_CLOCK_START``, for training sessions and the
end-to-end tests). Pure Python: the composition root picks one and hands it to every service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)


class SimulatedClock:
    """``start`` at the real instant ``anchor``, then real time passes: now = start + (real
    now − anchor). Processes that share the anchor (it is kept in the training database) share
    one timeline, so the CLI and the running bot agree on what time it is."""

    def __init__(
        self, start: datetime, anchor: datetime, real: Callable[[], datetime] = utc_now
    ) -> None:
        if start.tzinfo is None or anchor.tzinfo is None:
            raise ValueError("start and anchor must be aware datetimes")
        self.start = start.astimezone(UTC)
        self.anchor = anchor.astimezone(UTC)
        self.real = real

    def __call__(self) -> datetime:
        return self.start + (self.real() - self.anchor)

    def __repr__(self) -> str:
        return f"SimulatedClock(start={self.start.isoformat()}, anchor={self.anchor.isoformat()})"
