"""Loading the org file and the checklist catalogue into the database (``spip-bot init``)."""

from __future__ import annotations

from dataclasses import dataclass

from chatbot.domain.checklist import Catalogue
from chatbot.domain.events import Event, EventKind
from chatbot.domain.units import Unit
from chatbot.services.ports import Clock, LoadResult, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class ReferenceLoad:
    units: LoadResult
    checklist: LoadResult
    kept: str | None = None  # the province's own checklist file, kept (not reloaded)


def load_reference_data(
    uow_factory: UnitOfWorkFactory,
    units: list[Unit],
    catalogue: Catalogue | None,
    clock: Clock,
    source: str | None = None,
) -> ReferenceLoad:
    """Upsert units and the checklist; rows missing from the files are deactivated, not deleted.
    ``catalogue`` None keeps the one loaded before; ``source`` names the admin's own file.

    Running it again with the same files changes nothing.
    """
    with uow_factory() as uow:
        (catalogue or uow.catalogue.load()).check_units(units)
        unit_result = uow.units.replace_all(units)
        checklist_result = (
            uow.catalogue.replace(catalogue, clock(), source) if catalogue else LoadResult()
        )
        changed = any(
            (r.added, r.updated, r.deactivated) != (0, 0, 0)
            for r in (unit_result, checklist_result)
        )
        if changed:
            uow.audit.append(
                Event(
                    kind=EventKind.DATA_DIMUAT,
                    at=clock(),
                    actor_id=None,
                    detail={
                        "unit": f"+{unit_result.added} ~{unit_result.updated} "
                        f"-{unit_result.deactivated}",
                        "butir": f"+{checklist_result.added} ~{checklist_result.updated} "
                        f"-{checklist_result.deactivated}",
                    },
                )
            )
        uow.commit()
    return ReferenceLoad(units=unit_result, checklist=checklist_result)
