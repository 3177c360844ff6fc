"""Leave cover: who acts in whose role, for which dates."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from chatbot.domain.roles import Role
from storage.models import (
    DelegationRow,
)


class SqlDelegations:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        role: Role,
        covered_id: int,
        delegate_id: int,
        start: date,
        end: date,
        by: int | None,
        now: datetime,
    ) -> None:
        self.session.add(
            DelegationRow(
                role=role.value,
                covered_id=covered_id,
                delegate_id=delegate_id,
                start=start,
                end=end,
                created_by=by,
                created_at=now,
            )
        )
        self.session.flush()

    def covering(self, delegate_id: int, day: date) -> dict[Role, int]:
        rows = self.session.execute(_COVERING, {"day": day, "delegate_id": delegate_id})
        return {Role(role): covered_id for role, covered_id in rows}

    def covers(self, role: Role, day: date) -> list[tuple[int, int]]:
        return self.covers_roles((role,), day)[role]

    def covers_roles(self, roles: Collection[Role], day: date) -> dict[Role, list[tuple[int, int]]]:
        rows = self.session.execute(_COVERS, {"day": day, "roles": [r.value for r in roles]})
        found: dict[Role, set[tuple[int, int]]] = {role: set() for role in roles}
        for role, covered_id, delegate_id in rows:
            found[Role(role)].add((covered_id, delegate_id))
        return {role: sorted(pairs) for role, pairs in found.items()}


# asked on every update (whom the person covers) and on most review steps: built once
_DAY = bindparam("day", type_=DelegationRow.__table__.c.start.type)  # type: ignore[attr-defined]
_COVERING = sa_select(col(DelegationRow.role), col(DelegationRow.covered_id)).where(
    col(DelegationRow.start) <= _DAY,
    col(DelegationRow.end) >= _DAY,
    col(DelegationRow.delegate_id) == bindparam("delegate_id"),
)
_COVERS = sa_select(
    col(DelegationRow.role), col(DelegationRow.covered_id), col(DelegationRow.delegate_id)
).where(
    col(DelegationRow.start) <= _DAY,
    col(DelegationRow.end) >= _DAY,
    col(DelegationRow.role).in_(bindparam("roles", expanding=True)),
)
