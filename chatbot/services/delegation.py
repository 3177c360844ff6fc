"""Leave cover: an admin lets one person act in another's role for a date range."""

from __future__ import annotations

from datetime import date, timedelta

from chatbot import texts
from chatbot.domain.duties import Duties, cover_conflict
from chatbot.domain.errors import CoverConflict, InvalidDelegation, NotYourRole
from chatbot.domain.events import Event, EventKind
from chatbot.domain.leave import COVERABLE_ROLES, COVERING_UNITS
from chatbot.domain.people import Person
from chatbot.domain.roles import Permission, Role
from chatbot.services import acting, notify
from chatbot.services.ports import Clock, UnitOfWorkFactory
from chatbot.services.views import Delegated

__all__ = ["Delegated", "DelegationService"]


class DelegationService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        chain_roles: tuple[Role, ...] = (),
        duties: Duties | None = None,
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.chain_roles = chain_roles  # the card's paraf and signature roles
        self.duties = duties or Duties()

    def delegate(
        self,
        role_text: str,
        covered_id: int,
        delegate_id: int,
        start: date,
        end: date,
        by: Person | None = None,
    ) -> Delegated:
        """``by`` is the admin in the chat; None for the command line."""
        if by is not None and not by.may(Permission.DELEGATE):
            raise NotYourRole(Permission.DELEGATE.value)
        role = Role.parse(role_text)
        label = texts.ROLE_LABEL[role]
        if role not in COVERABLE_ROLES:
            coverable = ", ".join(texts.ROLE_LABEL[r] for r in COVERABLE_ROLES)
            raise InvalidDelegation(
                f"peran {label} tidak dapat diwakilkan; yang dapat diwakilkan: {coverable}"
            )
        if end < start:
            raise InvalidDelegation("tanggal selesai sebelum tanggal mulai")
        now = self.clock()
        with self.uow_factory() as uow:
            covered = uow.people.get(covered_id)
            delegate = uow.people.get(delegate_id)
            if covered is None or delegate is None:
                raise InvalidDelegation("pengguna tidak dikenal")
            if role not in covered.roles:
                raise InvalidDelegation(f"{covered.name} tidak memegang peran {label}")
            if covered.id == delegate.id:
                raise InvalidDelegation("seseorang tidak dapat mewakili dirinya sendiri")
            if not delegate.active:
                raise InvalidDelegation(f"akses {delegate.name} telah diakhiri (nonaktif)")
            if delegate.unit.kind not in COVERING_UNITS:
                raise InvalidDelegation(
                    f"{delegate.name} bukan pegawai Sekretariat KPU Provinsi ({delegate.unit.name})"
                )
            day = start
            while day <= end:  # the same cover recorded already (a second "Ya", say)
                if (covered.id, delegate.id) in uow.delegations.covers(role, day):
                    raise InvalidDelegation(
                        f"{delegate.name} sudah tercatat mewakili {covered.name} sebagai {label} "
                        f"pada {texts.tanggal(day)}"
                    )
                day += timedelta(days=1)
            held = set(delegate.roles)
            day = start
            while day <= end and len(held) < len(Role):  # and what they cover meanwhile
                held |= set(uow.delegations.covering(delegate.id, day))
                day += timedelta(days=1)
            conflict = cover_conflict(role, held, self.chain_roles, self.duties)
            if conflict is not None:
                raise CoverConflict(
                    conflict.value, delegate=delegate.name, held=conflict, role=role
                )
            by_id = by.id if by else None
            uow.delegations.add(role, covered.id, delegate.id, start, end, by_id, now)
            acting.forget()  # what this step read of who covers what is read again
            uow.audit.append(
                Event(
                    EventKind.DELEGASI_DIBUAT,
                    now,
                    by.id if by else None,
                    subject=f"peran:{role.value}",
                    detail={
                        "wakil": str(delegate.id),
                        "atas_nama": str(covered.id),
                        "mulai": start.isoformat(),
                        "selesai": end.isoformat(),
                    },
                )
            )
            result = Delegated(role, covered, delegate, start, end)
            notify.delegation(uow, now, result)
            uow.commit()
        return result
