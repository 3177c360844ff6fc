"""Typed errors of the domain. Channels map each code to a message in their own words."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the SOP refused an action. ``code`` is stable; channels render it."""

    code = "domain"

    def __init__(self, detail: str = "", **context: object) -> None:
        super().__init__(detail or self.code)
        self.detail = detail
        self.context = context


class NotYourRole(DomainError):
    code = "not_your_role"


class NotYourUnit(DomainError):
    code = "not_your_unit"


class AlreadyDecided(DomainError):
    code = "already_decided"


class StaleVersion(DomainError):
    code = "stale_version"


class PeriodClosed(DomainError):
    code = "period_closed"


class ReasonRequired(DomainError):
    code = "reason_required"


class NoteRequired(DomainError):
    code = "note_required"


class TextTooLong(DomainError):
    """A reason or a note over the maximum said in the prompt (``context["limit"]``)."""

    code = "text_too_long"


class ItemLocked(DomainError):
    """The item is approved: it cannot be changed any more."""

    code = "item_locked"


class InvalidTransition(DomainError):
    """The action does not apply to the current state (e.g. approving an empty item)."""

    code = "invalid_transition"


class PreconditionMissing(DomainError):
    """A step of the SOP needs an earlier one first (e.g. hand-over before 100%)."""

    code = "precondition_missing"


class UnitsIncomplete(PreconditionMissing):
    """The hand-over needs every unit at 100% and every regency card accepted; the service
    names the units still short in ``context["short"]``."""

    code = "units_incomplete"


class InvalidData(DomainError):
    """An editable data file (org, checklist, chain) is malformed."""

    code = "invalid_data"


class InviteInvalid(DomainError):
    """Unknown, used or expired invite code."""

    code = "invite_invalid"


class InviteUsed(InviteInvalid):
    code = "invite_used"


class InviteExpired(InviteInvalid):
    code = "invite_expired"


class AlreadyLinked(DomainError):
    """The WhatsApp account belongs to another person already."""

    code = "already_linked"


class UnknownUnit(DomainError):
    code = "unknown_unit"


class UnknownRole(DomainError):
    code = "unknown_role"


class RoleNotForUnit(DomainError):
    code = "role_not_for_unit"


class UnknownPeriod(DomainError):
    code = "unknown_period"


class AlreadyInOtherUnit(DomainError):
    """A Telegram account already belongs to a person of another unit."""

    code = "already_in_other_unit"


class ConcurrentChange(DomainError):
    """Someone else changed the same record at the same moment; nothing was applied."""

    code = "concurrent_change"


class NotOwed(DomainError):
    """The item is not on the unit's checklist."""

    code = "not_owed"


class InvalidDelegation(DomainError):
    """Leave cover that cannot be: unknown people, a role the covered person lacks, bad dates."""

    code = "invalid_delegation"


class OwnDelivery(DomainError):
    """Separation of duties: the reviewer delivered this version themselves
    (``context["instead"]``: who decides it)."""

    code = "own_delivery"


class DutyTaken(DomainError):
    """Separation of duties: this person already gave a paraf or signature on this card
    version (``context["given"]``: in which role)."""

    code = "duty_taken"


class CoverConflict(DomainError):
    """Separation of duties: the delegate holds (or covers) another role of the card's chain
    (``context``: delegate, held, role)."""

    code = "cover_conflict"


class UnknownPerson(DomainError):
    """No person with this id (the command line's ``spip-bot person ... ID``)."""

    code = "unknown_person"


class LeavesRoleVacant(DomainError):
    """The change would leave a role nobody holds (``context["vacant"]``: the roles, each
    with its unit for a unit's own role); done only when confirmed."""

    code = "leaves_role_vacant"


class PersonChangeRefused(DomainError):
    """A change of a person that cannot be made (``detail``: why, a stable word)."""

    code = "person_change_refused"


class AccessEnded(DomainError):
    """The person was deactivated: nothing they ask is done (an invite code included)."""

    code = "access_ended"
