"""The audit log of a period, as people read it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from chatbot.domain.calendar import Period
from chatbot.services.ports import UnitOfWorkFactory


class HistoryService:
    def __init__(self, uow_factory: UnitOfWorkFactory, timezone: ZoneInfo) -> None:
        self.uow_factory = uow_factory
        self.timezone = timezone

    def lines(self, period: Period) -> list[str]:
        """One line per event: time (WIB), what, who (for whom), unit, subject, version, detail."""
        with self.uow_factory() as uow:
            events = uow.audit.for_period(period.code)
            names = {p.id: p.name for p in uow.people.all()}
        lines = []
        for e in events:
            who = names.get(e.actor_id, "sistem") if e.actor_id is not None else "sistem"
            detail = dict(e.detail)
            behalf = detail.pop("atas_nama", None)
            if behalf is not None:
                who += f" (atas nama {names.get(int(behalf), behalf)})"
            parts = [
                e.at.astimezone(self.timezone).strftime("%Y-%m-%d %H:%M"),
                e.kind.value,
                who,
                e.unit_code or "-",
                e.subject or "-",
                f"v{e.version}" if e.version is not None else "-",
            ]
            extra = " ".join(f"{k}={v}" for k, v in sorted(detail.items()))
            lines.append(" | ".join(parts) + (f" | {extra}" if extra else ""))
        return lines
