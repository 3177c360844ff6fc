"""Roles of the SOP's swimlanes and what each may do."""

from __future__ import annotations

from enum import StrEnum

from chatbot.domain.errors import UnknownRole
from chatbot.domain.units import UnitKind


class Role(StrEnum):
    SATGAS_KABKOTA = "satgas_kabkota"
    BAGIAN = "bagian"
    SATGAS_PROV = "satgas_prov"
    SUBBAG_HUKUM = "subbag_hukum"
    KABAG_HSDM = "kabag_hsdm"
    SEKRETARIS = "sekretaris"
    DIVISI_HUKUM = "divisi_hukum"
    KETUA = "ketua"
    ADMIN = "admin"

    @classmethod
    def parse(cls, text: str) -> Role:
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise UnknownRole(text) from None


class Permission(StrEnum):
    SUBMIT_EVIDENCE = "submit_evidence"
    SUBMIT_UNIT_CARD = "submit_unit_card"
    VIEW_OWN_STATUS = "view_own_status"
    VIEW_ALL_STATUS = "view_all_status"
    REVIEW_ITEMS = "review_items"
    DRAFT_PROVINCIAL_CARD = "draft_provincial_card"
    PARAF = "paraf"
    SIGN = "sign"
    RECORD_ESPIP = "record_espip"
    HANDOVER = "handover"
    EXPORT_RECAP = "export_recap"
    INVITE = "invite"
    OPEN_PERIOD = "open_period"
    DELEGATE = "delegate"
    MANAGE_PEOPLE = "manage_people"  # deactivate, reactivate, transfer, replace


_P = Permission
_LEADERS = frozenset({_P.VIEW_ALL_STATUS, _P.EXPORT_RECAP})

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.SATGAS_KABKOTA: frozenset({_P.SUBMIT_EVIDENCE, _P.SUBMIT_UNIT_CARD, _P.VIEW_OWN_STATUS}),
    Role.BAGIAN: frozenset({_P.SUBMIT_EVIDENCE, _P.VIEW_OWN_STATUS}),
    Role.SATGAS_PROV: frozenset(
        {
            _P.SUBMIT_EVIDENCE,
            _P.VIEW_OWN_STATUS,
            _P.VIEW_ALL_STATUS,
            _P.REVIEW_ITEMS,
            _P.DRAFT_PROVINCIAL_CARD,
            _P.RECORD_ESPIP,
            _P.HANDOVER,
            _P.EXPORT_RECAP,
        }
    ),
    Role.SUBBAG_HUKUM: _LEADERS | {_P.PARAF},
    Role.KABAG_HSDM: _LEADERS | {_P.PARAF},
    Role.SEKRETARIS: _LEADERS | {_P.SIGN},
    Role.DIVISI_HUKUM: _LEADERS | {_P.SIGN},
    Role.KETUA: _LEADERS | {_P.SIGN},
    Role.ADMIN: _LEADERS | {_P.INVITE, _P.OPEN_PERIOD, _P.DELEGATE, _P.MANAGE_PEOPLE},
}

# The kind of unit a person with the role belongs to: a regency satgas sits in a regency unit,
# a department's staff in that department, everyone else in the provincial secretariat.
# the provincial roles someone can be on leave from (``leave``): the satgas and the chain
PROVINCIAL_ROLES: tuple[Role, ...] = (
    Role.SATGAS_PROV,
    Role.SUBBAG_HUKUM,
    Role.KABAG_HSDM,
    Role.SEKRETARIS,
    Role.DIVISI_HUKUM,
    Role.KETUA,
)
UNIT_KIND_OF_ROLE: dict[Role, UnitKind] = {
    Role.SATGAS_KABKOTA: UnitKind.KABKOTA,
    Role.BAGIAN: UnitKind.BAGIAN,
    **{role: UnitKind.PROVINSI for role in (*PROVINCIAL_ROLES, Role.ADMIN)},
}

# Roles that deliver evidence for their own unit.
# who delivers evidence (the kick-off, the reminders, the checklist): the roles that may
SUBMITTING_ROLES = frozenset(r for r, p in PERMISSIONS.items() if Permission.SUBMIT_EVIDENCE in p)


def can(roles: frozenset[Role] | set[Role], permission: Permission) -> bool:
    return any(permission in PERMISSIONS[role] for role in roles)
