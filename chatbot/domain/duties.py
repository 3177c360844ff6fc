"""Separation of duties (SPIP internal control): nobody decides on their own delivery, and
within one version of the provincial card nobody gives two of its paraf and signatures, in
their own role or covering another's. On by default (``SPIP_SEPARATE_DUTIES``)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from chatbot.domain.roles import Role


@dataclass(frozen=True, slots=True)
class Duties:
    separate: bool = True
    # who decides a delivery whose submitter is the only reviewer (the provincial satgas
    # delivering the province's own items); None: nobody, it waits for another reviewer
    second_reviewer: Role | None = Role.KABAG_HSDM


@dataclass(frozen=True, slots=True)
class Reviewers:
    """Who decides one delivery: the people, and whether they are its second reviewers."""

    people: tuple[int, ...]
    second: bool = False


def reviewers_of(
    submitter: int, reviewers: Sequence[int], second: Sequence[int], duties: Duties
) -> Reviewers:
    """The reviewers other than the delivery's submitter; when that leaves nobody, the
    second reviewers (never the submitter either)."""
    if not duties.separate:
        return Reviewers(tuple(reviewers))
    others = tuple(r for r in reviewers if r != submitter)
    if others or duties.second_reviewer is None:
        return Reviewers(others)
    return Reviewers(tuple(s for s in second if s != submitter), second=True)


def cover_conflict(
    role: Role, delegate_roles: Collection[Role], chain_roles: Collection[Role], duties: Duties
) -> Role | None:
    """A delegation of ``role`` to someone who already holds or covers another role of the
    card's chain would let one person give two of its paraf and signatures: that role."""
    if not duties.separate or role not in chain_roles:
        return None
    return next((r for r in delegate_roles if r in chain_roles and r is not role), None)
