"""Completeness of a unit: accepted required items over required items."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chatbot.domain.checklist import ChecklistItem
from chatbot.domain.workflow import ItemState, ItemStatus


@dataclass(frozen=True, slots=True)
class Progress:
    required: int
    accepted: int
    missing: tuple[ChecklistItem, ...]  # required items not yet accepted
    returned: tuple[ChecklistItem, ...]
    waiting: tuple[ChecklistItem, ...]  # delivered, waiting for review

    @property
    def percent(self) -> int:
        return 100 if self.required == 0 else (100 * self.accepted) // self.required

    @property
    def complete(self) -> bool:
        return self.accepted == self.required

    @property
    def to_do(self) -> tuple[ChecklistItem, ...]:
        """Required items the unit still has to deliver: empty or returned, not waiting."""
        return tuple(i for i in self.missing if i not in self.waiting)


def unit_progress(items: Sequence[ChecklistItem], states: Mapping[str, ItemState]) -> Progress:
    required = [i for i in items if i.required]

    def status(item: ChecklistItem) -> ItemStatus:
        state = states.get(item.code)
        return state.status if state else ItemStatus.KOSONG

    accepted = {i.code for i in required if i.code in states and states[i.code].complete}
    return Progress(
        required=len(required),
        accepted=len(accepted),
        missing=tuple(i for i in required if i.code not in accepted),
        returned=tuple(i for i in items if status(i) is ItemStatus.DIKEMBALIKAN),
        waiting=tuple(i for i in items if status(i) is ItemStatus.DIKIRIM),
    )
