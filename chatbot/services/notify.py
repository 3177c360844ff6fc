"""Who is told what, in one place: each notice of the month (kick-off, a delivery, a decision,
a request to initial or sign, a returned card, the hand-over, a join, leave cover, a person
unreachable, reminders) is queued here, in the same transaction as the change that causes it.

The outbox keeps each notice in its channel-neutral form: the words of ``chatbot.texts``
(commands named as ``/kirim``) and buttons as (label, callback data). The channel that sends
it renders it at send time: Telegram as it is, WhatsApp with commands as typed there, its
buttons within its limits, and the approved template outside the 24-hour window."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from chatbot import texts
from chatbot.domain.calendar import Period, SopCalendar
from chatbot.domain.checklist import Catalogue
from chatbot.domain.duties import Duties, Reviewers
from chatbot.domain.events import EventKind
from chatbot.domain.evidence import Finding
from chatbot.domain.people import Person
from chatbot.domain.progress import unit_progress
from chatbot.domain.reminders import Reminder
from chatbot.domain.roles import SUBMITTING_ROLES, Role
from chatbot.domain.staffing import successor
from chatbot.domain.units import Unit
from chatbot.domain.workflow import (
    COMPLETE_STATUSES,
    UNIT_CARD_ITEM,
    CardState,
    CardStatus,
    ItemState,
    ItemStatus,
    Stage,
)
from chatbot.services import acting
from chatbot.services.ports import (
    Attachment,
    EvidenceFile,
    OutgoingMessage,
    PendingAnnouncement,
    Placed,
    UnitOfWork,
    WaitingMessage,
)
from chatbot.services.views import CardView, Change, ChangeKind, Decision, Delegated, Given

HANDED_OVER_TO = (Role.SATGAS_PROV, Role.KABAG_HSDM, Role.SEKRETARIS, Role.KETUA)


def attachments(files: Sequence[EvidenceFile]) -> tuple[Attachment, ...]:
    return tuple(f.attachment for f in files)


def submitters(uow: UnitOfWork) -> list[Person]:
    """Everyone who delivers evidence (each once, whatever their roles)."""
    seen: dict[int, Person] = {}
    for role in sorted(SUBMITTING_ROLES):
        for person in uow.people.with_role(role):
            seen.setdefault(person.id, person)
    return list(seen.values())


# ------------------------------------------------------------------ deliveries


def kickoff(
    uow: UnitOfWork,
    now: datetime,
    period: Period,
    deadline: date,
    catalogue: Catalogue,
    earlier: Period | None = None,
) -> int:
    """Step 1: every submitter with items to deliver. Returns how many were queued.
    ``earlier``: an older period still open, which the message says stays first."""
    return sum(
        kickoff_to(uow, now, person, period, deadline, catalogue, earlier)
        for person in submitters(uow)
    )


def kickoff_to(
    uow: UnitOfWork,
    now: datetime,
    person: Person,
    period: Period,
    deadline: date,
    catalogue: Catalogue,
    earlier: Period | None = None,
) -> bool:
    """One submitter's kick-off (at the opening, or when they join later): once per period."""
    items = catalogue.items_for(person.unit)
    if not items:
        return False
    return uow.outbox.put(
        OutgoingMessage(
            person_id=person.id,
            text=texts.kickoff(person, period, deadline, items, catalogue, earlier),
            buttons=((texts.BUTTON_KIRIM,),),
            # once per person, period and unit: a transfer brings the new unit's checklist
            dedupe_key=f"kickoff:{period.code}:{person.id}:{person.unit.code}",
            subject=period_subject(period),
        ),
        now,
    )


def new_delivery(
    uow: UnitOfWork,
    now: datetime,
    person: Person,
    item_name: str,
    state: ItemState,
    state_id: int,
    late: bool,
    files: Sequence[EvidenceFile],
    note: str,
    day: date,
    duties: Duties,
    only_second: bool = False,
    findings: Sequence[Finding] = (),
) -> None:
    """Step 2: whoever decides the delivery (the provincial satgas, never its own submitter;
    when that leaves nobody, the second reviewer, told why), one message per delivery: what
    came, and "Periksa", which opens it at the desk with its evidence. Once it is decided the
    message says so and loses its button (``settled``). ``only_second``: digest mode, where
    the reviewers hear of it in the digest."""
    deciders = acting.reviewers(uow, person.id, day, duties)
    if only_second and not deciders.second:
        return
    text = texts.new_delivery(person, item_name, state, late, files, note, findings)
    if deciders.second:
        text += "\n\n" + texts.second_review(person)
    for reviewer_id in deciders.people:
        uow.outbox.put(
            OutgoingMessage(
                person_id=reviewer_id,
                text=text,
                buttons=((texts.desk_button(state_id),),),
                dedupe_key=f"kiriman:{state_id}:{state.version}:{reviewer_id}",
                subject=item_subject(state_id, state.version),
            ),
            now,
        )


def delivery_digest(
    uow: UnitOfWork,
    now: datetime,
    pending: Sequence[PendingAnnouncement],
    units: dict[str, Unit],
    names: dict[str, str],
    day: date,
    duties: Duties,
) -> None:
    """Digest mode: the deliveries gathered meanwhile, in one message per reviewer (whoever
    holds or covers the satgas' role today), each listing only those the reviewer decides:
    never their own (those went to their second reviewer at once)."""
    pool = acting.review_pool(uow, day, duties)
    deciders: dict[int, Reviewers] = {
        p.submitted_by: pool.of(p.submitted_by, duties) for p in pending
    }
    key = f"{pending[0].submission_id}-{pending[-1].submission_id}"
    for reviewer in acting.holders(uow, Role.SATGAS_PROV, day):
        theirs = [
            p
            for p in pending
            if reviewer.id in deciders[p.submitted_by].people
            and not deciders[p.submitted_by].second
        ]
        if not theirs:
            continue
        text = texts.delivery_digest(theirs, units, names)
        buttons = ((texts.desk_start_button(len(theirs)),),)
        uow.outbox.put(
            OutgoingMessage(reviewer.id, text, buttons, f"digest:{key}:{reviewer.id}"), now
        )


def _entry(decided: Decision) -> dict[str, object]:
    state = decided.target.state
    return {
        "code": state.item_code,
        "name": decided.target.item_name,
        "version": state.version,
        "approve": decided.approve,
        "reason": decided.reason,
        "reviewer": decided.reviewer.name,
        "at": decided.at.isoformat(),
    }


def _unit_done(uow: UnitOfWork, period: Period, unit: Unit) -> texts.UnitDone:
    """Where the unit stands after the decisions: its required evidence all approved, and
    whether its signed card is still to be sent (regencies) or was approved."""
    states = uow.items.for_unit(period, unit.code)
    catalogue = uow.catalogue.load(period)
    progress = unit_progress(catalogue.items_for(unit), states)
    card = states.get(UNIT_CARD_ITEM)
    if not catalogue.owes_signed_card(unit):
        return texts.UnitDone(progress.complete, card_due=False)
    sent = card is not None and card.status in (ItemStatus.DIKIRIM, *COMPLETE_STATUSES)
    return texts.UnitDone(progress.complete, card_due=progress.complete and not sent)


def decisions(
    uow: UnitOfWork,
    now: datetime,
    decided: Sequence[Decision],
    tz: ZoneInfo,
    hold: timedelta = timedelta(0),
) -> None:
    """Step 2's answers to the people who delivered, gathered: one notice per submitter and
    month for an approve-all, and the decisions of the next ``hold`` join a notice not sent
    yet. It says once when the unit's evidence is all approved (with the button for the
    signed card), and carries a button to each returned item."""
    gathered: dict[tuple[int, Period], list[Decision]] = {}
    told: dict[tuple[int, str], int | None] = {}  # (submitter, unit) -> who is told
    for d in decided:
        if d.target.submission is not None:
            by, code = d.target.submission.submitted_by, d.target.unit.code
            key = (by, code)  # an approve-all: one look per submitter
            to = told[key] if key in told else told.setdefault(key, addressee(uow, by, code))
            if to is not None:
                gathered.setdefault((to, d.target.state.period), []).append(d)
    for (person_id, period), items in gathered.items():
        group = f"keputusan:{period.code}"
        unit = items[0].target.unit
        done = _unit_done(uow, period, unit)
        new = [_entry(d) for d in items]
        compose = partial(_decisions_message, person_id, group, unit, period, done, tz)
        until = now + hold
        held = uow.outbox.gathering(person_id, group, now)
        if held is None or not uow.outbox.regather(
            held.id, compose([*held.grouped, *new], until), now
        ):
            uow.outbox.put(compose(new, until), now)  # what was held goes as it is


def addressee(uow: UnitOfWork, submitter_id: int, unit_code: str) -> int | None:
    """Who is told about a delivery of ``unit_code``: the person who sent it, or, once their
    access ended or they moved to another unit, whoever now delivers for the unit (the first
    to have joined); None if nobody does."""
    person = uow.people.get(submitter_id)
    if person is None or (person.active and person.unit.code == unit_code):
        return submitter_id
    for role in sorted(SUBMITTING_ROLES):
        for other in uow.people.with_role(role):
            if other.unit.code == unit_code:
                return other.id
    return None


def _decisions_message(
    person_id: int,
    group: str,
    unit: Unit,
    period: Period,
    done: texts.UnitDone,
    tz: ZoneInfo,
    entries: list[dict[str, object]],
    until: datetime,
) -> OutgoingMessage:
    return OutgoingMessage(
        person_id=person_id,
        text=texts.decisions_notice(unit, period, entries, done, tz),
        buttons=texts.decision_buttons(period, entries, done),
        subject=period_subject(period),
        group=group,
        grouped=tuple(entries),
        not_before=until,
    )


def decided_line(decision: Decision, tz: ZoneInfo) -> str:
    return texts.decided_line(decision, tz)


def period_subject(period: Period) -> str:
    """What a period's buttons act on (its kick-off, a unit's decisions, a session's
    screens): settled when the period is handed over and closed."""
    return f"periode:{period.code}"


def item_subject(state_id: int, version: int) -> str:
    """What a delivery's buttons act on: its item and version."""
    return f"item:{state_id}:{version}"


def settled(
    uow: UnitOfWork,
    now: datetime,
    subject: str,
    outcome: str,
    by: int,
    shown_on: tuple[int, int] | None = None,
) -> None:
    """A subject decided: every message still holding buttons for it says the outcome and
    loses them (those not sent yet are changed before they go). ``shown_on``: the message
    (chat, id) the decision was taken on, which the channel brings up to date itself."""
    uow.outbox.settle_queued(subject, outcome)
    for placed in uow.placed.settle(subject, outcome, by, now):
        if (placed.chat_id, placed.message_id) != shown_on:
            edit_placed(uow, now, placed, outcome)


def edit_placed(uow: UnitOfWork, now: datetime, placed: Placed, outcome: str) -> None:
    uow.outbox.put(
        OutgoingMessage(
            placed.person_id,
            f"{placed.text}\n\n{outcome}",
            edit=(placed.chat_id, placed.message_id),
        ),
        now,
    )


# ------------------------------------------------------------------ the provincial card


def card_subject(period: Period, version: int, role: Role) -> str:
    """What a request's buttons are about: one role's paraf or signature on one version."""
    return f"kartu:{period.code}:{version}:{role.value}"


def card_stage(
    uow: UnitOfWork,
    now: datetime,
    day: date,
    view: CardView,
    files: Sequence[EvidenceFile],
    tz: ZoneInfo,
) -> None:
    """Steps 4-5: whoever is asked in a role of the stage now (a holder on leave: their
    delegate, on their behalf), with the card and the short request."""
    state = view.state
    stage = view.chain[state.stage]
    for role in stage.roles:
        for holder in acting.asked(uow, role, day):
            person = holder.person
            uow.outbox.put(
                OutgoingMessage(
                    person_id=person.id,
                    text=texts.card_for_stage(
                        state, stage, role, view, tz, person, holder.on_behalf_of
                    ),
                    buttons=texts.card_keyboard(state, stage),
                    dedupe_key=f"kartu:{state.period.code}:{state.version}:{state.stage}:"
                    f"{role.value}:{person.id}",
                    attachments=attachments(files),
                    subject=card_subject(state.period, state.version, role),
                ),
                now,
            )


def card_step(uow: UnitOfWork, now: datetime, day: date, view: CardView, given: Given) -> None:
    """A paraf or signature given: the satgas is told, and so is everyone still awaited in
    the same stage (without buttons: their request holds them, one live message each)."""
    state = view.state
    text = texts.card_step_given(view, given)
    key = f"kartu-langkah:{state.period.code}:{state.version}:{given.role.value}"
    _to_satgas(uow, now, day, text, key)
    stage = view.chain[state.stage]
    if state.status is not CardStatus.PROSES or given.role not in stage.roles:
        return  # the stage is complete: the next one gets its request (``card_stage``)
    satgas = {p.id for p in acting.holders(uow, Role.SATGAS_PROV, day)}
    for role in stage.roles:
        if role in state.approvals:
            continue
        for holder in acting.asked(uow, role, day):
            if holder.person.id in satgas:
                continue
            uow.outbox.put(
                OutgoingMessage(
                    holder.person.id,
                    f"{text} {texts.still_awaited(stage)}",
                    dedupe_key=f"{key}:{holder.person.id}",
                ),
                now,
            )


def _card_settled(
    uow: UnitOfWork,
    now: datetime,
    period: Period,
    version: int,
    roles: Sequence[Role],
    outcome: str,
    by: Person,
    shown_on: tuple[int, int] | None = None,
) -> None:
    for role in roles:
        settled(uow, now, card_subject(period, version, role), outcome, by.id, shown_on)


def card_given(
    uow: UnitOfWork,
    now: datetime,
    period: Period,
    version: int,
    role: Role,
    stage: Stage,
    by: Person,
    tz: ZoneInfo,
    shown_on: tuple[int, int] | None = None,
) -> None:
    """A paraf or signature given: the requests for it in that role say so, no buttons
    (``shown_on``: the one it was given on, which the channel edits itself)."""
    line = texts.card_decided(True, stage, by.name, now, tz)
    _card_settled(uow, now, period, version, (role,), line, by, shown_on)


def card_voided(
    uow: UnitOfWork,
    now: datetime,
    state: CardState,
    version: int,
    roles: Sequence[Role],
    role: Role,
    by: Person,
    tz: ZoneInfo,
    shown_on: tuple[int, int] | None = None,
) -> None:
    """A version returned: every request for it still holding buttons says so."""
    line = texts.card_voided_line(by, role, now, tz)
    _card_settled(uow, now, state.period, version, roles, line, by, shown_on)


def card_replaced(
    uow: UnitOfWork,
    now: datetime,
    old: CardState,
    version: int,
    roles: Sequence[Role],
    by: Person,
) -> None:
    """A new draft while the old one was in the chain: the old requests say so."""
    line = texts.card_replaced_line(version)
    _card_settled(uow, now, old.period, old.version, roles, line, by)


def card_returned(
    uow: UnitOfWork,
    now: datetime,
    day: date,
    state: CardState,
    version: int,
    role: Role,
    by: Person,
    reason: str,
) -> None:
    key = f"kartu-kembali:{state.period.code}:{version}"
    _to_satgas(uow, now, day, texts.card_returned(state, role, by, reason), key)
    # whoever initialled or signed this version is told that it no longer stands
    for event in uow.audit.for_period(state.period.code):
        if event.kind is not EventKind.KARTU_DISETUJUI_PEJABAT or event.version != version:
            continue
        if event.actor_id is None or event.actor_id == by.id:
            continue
        uow.outbox.put(
            OutgoingMessage(
                event.actor_id,
                texts.card_approval_voided(state, version, event.detail, role, by, reason),
                dedupe_key=f"kartu-batal:{state.period.code}:{version}:{event.actor_id}",
            ),
            now,
        )


def card_signed_all(
    uow: UnitOfWork, now: datetime, day: date, view: CardView, given: Given
) -> None:
    state = view.state
    key = f"kartu-ttd:{state.period.code}:{state.version}"
    said = texts.card_step_given(view, given)
    _to_satgas(uow, now, day, texts.card_signed_all(said), key)


def _to_satgas(uow: UnitOfWork, now: datetime, day: date, text: str, key: str) -> None:
    """Whoever holds (or covers) the provincial satgas' role today, once per ``key``."""
    for p in acting.holders(uow, Role.SATGAS_PROV, day):
        uow.outbox.put(OutgoingMessage(p.id, text, dedupe_key=f"{key}:{p.id}"), now)


def handed_over(uow: UnitOfWork, now: datetime, period: Period, by: Person, tz: ZoneInfo) -> None:
    """Step 9: the satgas and the officials (the one who recorded it read it in the reply);
    every message still holding buttons for the period says it is closed and loses them."""
    for role in HANDED_OVER_TO:
        for p in uow.people.with_role(role):
            if p.id == by.id:
                continue
            uow.outbox.put(
                OutgoingMessage(
                    p.id,
                    texts.period_handed_over(period, by, now, tz),
                    dedupe_key=f"diserahkan:{period.code}:{p.id}",
                ),
                now,
            )
    settled(uow, now, period_subject(period), texts.period_closed_line(period), by.id)


# ------------------------------------------------------------------ people


def joined(
    uow: UnitOfWork, now: datetime, inviter: int, person: Person, role: Role, invite_id: int
) -> None:
    uow.outbox.put(
        OutgoingMessage(
            person_id=inviter,
            text=texts.joined_notice(person, role),
            dedupe_key=f"bergabung:{invite_id}",
        ),
        now,
    )


def delegation(uow: UnitOfWork, now: datetime, result: Delegated) -> None:
    """The delegate is told what they now do, and the person on leave who acts for them."""
    key = f"wakil:{result.role.value}:{result.covered.id}:{result.delegate.id}:{result.start}"
    notice = texts.delegation_notice(result)
    uow.outbox.put(OutgoingMessage(result.delegate.id, notice, dedupe_key=f"{key}:d"), now)
    covered = texts.delegation_covered(result)
    uow.outbox.put(OutgoingMessage(result.covered.id, covered, dedupe_key=f"{key}:c"), now)


def person_unreachable(uow: UnitOfWork, now: datetime, person: Person) -> None:
    """The provincial satgas, once a day, when no channel reaches a person any more."""
    for satgas in uow.people.with_role(Role.SATGAS_PROV):
        if satgas.id != person.id:
            uow.outbox.put(
                OutgoingMessage(
                    satgas.id,
                    texts.person_blocked(person),
                    dedupe_key=f"diblokir:{person.id}:{now.date().isoformat()}:{satgas.id}",
                ),
                now,
            )


def notices_failing(
    uow: UnitOfWork, now: datetime, person: Person, since: datetime, error: str, tz: ZoneInfo
) -> None:
    """The provincial satgas and the admins, once a day per person, when notices to someone
    have not gone out for a while (they are still being tried)."""
    day = now.date().isoformat()
    told: set[int] = set()
    for role in (Role.SATGAS_PROV, Role.ADMIN):
        for holder in uow.people.with_role(role):
            if holder.id == person.id or holder.id in told:
                continue
            told.add(holder.id)
            uow.outbox.put(
                OutgoingMessage(
                    holder.id,
                    texts.notices_failing(person, since, error, tz),
                    dedupe_key=f"gagal-kirim:{person.id}:{day}:{holder.id}",
                ),
                now,
            )


def health_alert(uow: UnitOfWork, now: datetime, kind: str, incident: int, problem: str) -> int:
    """The admins, once per incident (``kind`` "antrean": the outbox failing; "disk": the
    disk nearly full), with the health check's sentence. The number queued."""
    return sum(
        uow.outbox.put(
            OutgoingMessage(
                admin.id,
                texts.health_alert(kind, problem),
                dedupe_key=f"kesehatan:{kind}:{incident}:{admin.id}",
            ),
            now,
        )
        for admin in uow.people.with_role(Role.ADMIN)
    )


def reminder_text(person: Person, reminder: Reminder, cal: SopCalendar) -> str:
    return texts.reminder(person, reminder, cal)


def reminder(uow: UnitOfWork, now: datetime, day: date, person: Person, text: str) -> bool:
    """The day's warnings for one person, as one message; False when queued before."""
    return uow.outbox.put(
        OutgoingMessage(person.id, text, dedupe_key=f"pengingat:{day.isoformat()}:{person.id}"),
        now,
    )


def files_missing(names: Sequence[str]) -> str:
    """Said under a notice whose files could not be sent."""
    return texts.files_missing(names)


# ------------------------------------------------------------------ people who come and go


def asked_as(subject: str, second_reviewer: Role | None) -> frozenset[Role]:
    """The roles a request about ``subject`` is made to: a delivery's to its reviewers, a
    card's step to its role, a month's to those who deliver."""
    if subject.startswith("kartu:"):
        role = subject.rsplit(":", 1)[-1]
        return frozenset({Role(role)}) if role in set(Role) else frozenset()
    if subject.startswith("item:"):
        second = {second_reviewer} if second_reviewer is not None else set()
        return frozenset({*acting.REVIEWING_ROLES, *second})
    if subject.startswith("periode:"):
        return SUBMITTING_ROLES
    return frozenset()


def _handed(
    uow: UnitOfWork,
    person: Person,
    leaving: frozenset[Role],
    others: Sequence[Person],
    second_reviewer: Role | None,
) -> list[tuple[WaitingMessage, Person | None]]:
    """Each request still waiting for ``person`` in a role they leave, with who now takes
    it (the successor in that role; None: nobody holds it)."""
    handed = []
    for waiting in uow.outbox.waiting(person.id):
        roles = asked_as(waiting.subject, second_reviewer) & leaving
        if roles:
            handed.append((waiting, successor(person, roles, others)))
    return handed


def waiting_for(
    uow: UnitOfWork,
    person: Person,
    leaving: frozenset[Role],
    others: Sequence[Person],
    second_reviewer: Role | None,
) -> int:
    """How many requests a hand-over would forward (``hand_over``), said before it."""
    return sum(
        1
        for waiting, taker in _handed(uow, person, leaving, others, second_reviewer)
        if taker is not None
        and (waiting.group is not None or not uow.outbox.asked(taker.id, waiting.subject))
    )


def hand_over(
    uow: UnitOfWork,
    now: datetime,
    person: Person,
    leaving: frozenset[Role],
    others: Sequence[Person],
    second_reviewer: Role | None,
    access_ended: bool,
) -> int:
    """The requests still waiting for ``person`` in the roles they leave go to whoever now
    holds each role (headed by who they come from), unless that one was asked the same;
    what was queued for ``person`` in those roles (all of it, once their access ended) is
    recorded as not sent. The number forwarded."""
    heading = texts.forwarded_from(person)
    forwarded, stopped = 0, []
    for waiting, taker in _handed(uow, person, leaving, others, second_reviewer):
        stopped.append(waiting.id)
        if taker is not None and uow.outbox.forward(waiting.id, taker.id, heading, now):
            forwarded += 1
    uow.outbox.stop(person.id, now, None if access_ended else stopped)
    return forwarded


def staffing(uow: UnitOfWork, now: datetime, done: Change) -> None:
    """The provincial satgas (each change), the successor (the work they now hold) and the
    person (their access given back, or their new unit and roles)."""
    key = f"orang:{done.before.id}:{done.seq}"
    told = {done.before.id}
    for satgas in uow.people.with_role(Role.SATGAS_PROV):
        if satgas.id not in told:
            told.add(satgas.id)
            uow.outbox.put(
                OutgoingMessage(
                    satgas.id, texts.staffing_notice(done), dedupe_key=f"{key}:{satgas.id}"
                ),
                now,
            )
    taker = done.successor
    if taker is not None and (done.drafts or done.forwarded or done.kind is ChangeKind.REPLACE):
        uow.outbox.put(
            OutgoingMessage(
                taker.id,
                texts.staffing_successor(done),
                buttons=((texts.BUTTON_KIRIM,),) if done.drafts else (),
                dedupe_key=f"{key}:penerus",
            ),
            now,
        )
    if done.after.active and done.kind in (ChangeKind.REACTIVATE, ChangeKind.MOVE):
        uow.outbox.put(
            OutgoingMessage(done.after.id, texts.staffing_person(done), dedupe_key=f"{key}:diri"),
            now,
        )
