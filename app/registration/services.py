"""Registration (accreditamento): register, change, cancel, and the waiting lists.

Each function validates, locks the event, writes, queues the e-mail and commits in one
transaction. Places are counted under the event's row lock (see locking.py), so no
capacity is ever exceeded however many people submit at once.
"""

import enum
from dataclasses import dataclass, field

from sqlalchemy import func, literal, select, union_all, update
from sqlalchemy.exc import IntegrityError

from app.checkin.services import walk_in_check_in
from app.core.locking import lock_event
from app.extensions import db
from app.mail import outbox as mailer
from app.models import (
    Attendee,
    AttendeePart,
    AttendeeStatus,
    AuditEntry,
    DayPart,
    Event,
    Organisation,
    PartStatus,
    TablePreference,
    utcnow,
)


class RegistrationError(Exception):
    class Reason(enum.Enum):
        CLOSED = "closed"
        DUPLICATE_EMAIL = "duplicate_email"
        CANCELLED = "cancelled"

    def __init__(self, reason: "RegistrationError.Reason"):
        self.reason = reason
        super().__init__(reason.value)


@dataclass
class RegistrationData:
    first_name: str
    last_name: str
    email: str
    participant_type: str
    day_part_ids: list[int]
    table_ids: list[int] = field(default_factory=list)  # ranked preferences, first is best
    phone: str | None = None
    organisation_name: str | None = None
    dietary_needs: str | None = None
    accessibility_needs: str | None = None
    language: str = "it"
    consent_photos: bool = False


def places_left(event: Event) -> dict:
    """Free places for the event ("event") and for each day part id (None: no limit)."""
    taken = _places_taken(event)
    left = {"event": _left(event.capacity, taken["event"])}
    for part in event.day_parts:
        left[part.id] = _left(part.capacity, taken[part.id])
    return left


def _places_taken(event: Event, leaving_out: int | None = None) -> dict:
    """Confirmed places, for the event and per day part, in one query (it runs under the
    event's lock: every round trip there is one more wait for everyone registering).
    leaving_out: an attendee whose places are being decided, not yet taken."""
    per_part = (
        select(AttendeePart.day_part_id, func.count())
        .where(
            AttendeePart.day_part_id.in_([part.id for part in event.day_parts]),  # no join
            AttendeePart.status == PartStatus.CONFIRMED,
            AttendeePart.attendee_id != (leaving_out or 0),
        )
        .group_by(AttendeePart.day_part_id)
    )
    whole_event = select(literal(None).label("day_part_id"), func.count()).where(
        Attendee.event_id == event.id,
        Attendee.status == AttendeeStatus.CONFIRMED,
        Attendee.id != (leaving_out or 0),
    )
    counts = dict(db.session.execute(union_all(per_part, whole_event)).all())
    taken = {part.id: counts.get(part.id, 0) for part in event.day_parts}
    taken["event"] = counts.get(None, 0)
    return taken


def register(event: Event, data: RegistrationData, *, source: str = "online") -> Attendee:
    """Register a new attendee, confirmed or on the waiting list of what is full, and commit."""
    attendee = _register_under_lock(event, data, source)
    db.session.commit()
    return attendee


def _register_under_lock(event: Event, data: RegistrationData, source: str) -> Attendee:
    """The registration, written and left uncommitted under the event's lock.

    Every registration of the event waits for its lock, so the work is done before taking
    it: the attendee is written as if every place were free, and the confirmation rendered
    and queued. Nobody else sees these rows before the commit. Under the lock, only the
    count (leaving this attendee out) and the commit; in the rare case that something is
    full, the statuses change and the waiting-list notice replaces the confirmation.
    """
    if source == "online" and not event.registration_is_open():
        raise RegistrationError(RegistrationError.Reason.CLOSED)
    attendee = Attendee(
        event=event,
        status=AttendeeStatus.CONFIRMED,
        consent_privacy_at=utcnow(),
        privacy_version=event.privacy_version,
        source=source,
    )
    _apply(attendee, data)
    db.session.add(attendee)
    chosen = _chosen_parts(event, data.day_part_ids)
    attendee.parts = [AttendeePart(day_part=part, status=PartStatus.CONFIRMED) for part in chosen]
    try:
        db.session.flush()
    except IntegrityError:  # the unique (event, email) constraint says this e-mail is registered
        db.session.rollback()
        raise RegistrationError(RegistrationError.Reason.DUPLICATE_EMAIL) from None
    confirmation = mailer.enqueue("confirmation", attendee)
    db.session.flush()

    lock_event(event.id)
    taken = _places_taken(event, leaving_out=attendee.id)  # nobody else takes a place meanwhile
    if _left(event.capacity, taken["event"]) == 0:
        attendee.status = AttendeeStatus.WAITLISTED
    for attendee_part in attendee.parts:
        part = attendee_part.day_part
        if attendee.status == AttendeeStatus.CONFIRMED and _left(part.capacity, taken[part.id]) != 0:
            taken[part.id] += 1
        else:
            attendee_part.status = PartStatus.WAITLISTED
    if _waits_for_anything(attendee):
        db.session.delete(confirmation)
        mailer.enqueue("waitlisted", attendee)
    return attendee


# ---- Walk-ins: registered and checked in at the desk ------------------------------------


class WalkInResult(enum.Enum):
    CHECKED_IN = "checked_in"
    WAITLISTED = "waitlisted"  # the day is full: on its waiting list, not checked in
    ALREADY_REGISTERED = "already_registered"  # nothing written: search for them instead


@dataclass
class WalkInOutcome:
    result: WalkInResult
    attendee: Attendee | None = None


def register_walk_in(event: Event, data: RegistrationData, desk_name: str) -> WalkInOutcome:
    """Register someone at the desk and check them in, in one transaction under the event's
    lock (as every registration): checked in if the day has a place for them, else on its
    waiting list and not checked in; nothing is written for an e-mail already registered."""
    try:
        attendee = _register_under_lock(event, data, source="desk")
    except RegistrationError:
        return WalkInOutcome(WalkInResult.ALREADY_REGISTERED)
    result = WalkInResult.WAITLISTED
    if attendee.status == AttendeeStatus.CONFIRMED:
        walk_in_check_in(attendee, desk_name)
        result = WalkInResult.CHECKED_IN
    db.session.commit()
    return WalkInOutcome(result, attendee)


def update_registration(attendee: Attendee, data: RegistrationData) -> Attendee:
    """Change details and choices; places kept stay kept, new ones are taken if free."""
    if attendee.status == AttendeeStatus.CANCELLED:
        raise RegistrationError(RegistrationError.Reason.CANCELLED)
    lock_event(attendee.event_id)
    if data.email != attendee.email and _email_taken(attendee.event_id, data.email):
        db.session.rollback()
        raise RegistrationError(RegistrationError.Reason.DUPLICATE_EMAIL)
    db.session.refresh(attendee)
    _apply(attendee, data)
    chosen = _chosen_parts(attendee.event, data.day_part_ids)
    chosen_ids = {part.id for part in chosen}
    for attendee_part in list(attendee.parts):
        if attendee_part.day_part_id not in chosen_ids:
            attendee.parts.remove(attendee_part)
    db.session.flush()
    taken = _places_taken(attendee.event)
    for part in chosen:
        if attendee.part(part.id) is None:
            _add_part(attendee, part, taken)
    db.session.flush()
    promoted = _fill_vacancies(attendee.event)
    mailer.enqueue("updated", attendee)
    _notify_promoted(promoted - {attendee})
    db.session.commit()
    return attendee


def cancel_registration(attendee: Attendee, cancelled_by: str | None = None) -> None:
    """Cancel and give the freed places to the next people in line. cancelled_by: the
    organiser who did it for them (kept in the audit log); None when they did it."""
    if cancel_under_lock(attendee, cancelled_by):
        db.session.commit()
    else:
        db.session.rollback()  # ends the transaction that may hold the event's lock


def cancel_under_lock(attendee: Attendee, cancelled_by: str | None = None) -> bool:
    """cancel_registration's work, under the event's lock, without the commit (the caller's,
    e.g. a deletion that erases the person in the same transaction). False: already cancelled."""
    if attendee.status == AttendeeStatus.CANCELLED:
        return False
    lock_event(attendee.event_id)
    db.session.refresh(attendee)
    if attendee.status == AttendeeStatus.CANCELLED:  # a double click, or two tabs
        return False
    attendee.status = AttendeeStatus.CANCELLED
    attendee.cancelled_at = utcnow()
    attendee.parts.clear()
    db.session.flush()
    promoted = _fill_vacancies(attendee.event)
    mailer.enqueue("cancelled", attendee)
    _notify_promoted(promoted)
    if cancelled_by:
        audit(cancelled_by, "registration_cancelled", attendee)
    return True


def fill_vacancies(event: Event) -> set[Attendee]:
    """Promote waiting people into free places (after a capacity was raised), and commit."""
    lock_event(event.id)
    promoted = _fill_vacancies(event)
    _notify_promoted(promoted)
    db.session.commit()
    return promoted


def waiting_list_position(attendee_part: AttendeePart) -> int:
    """1 for the next person in line for that day part."""
    return 1 + db.session.scalar(
        select(func.count())
        .select_from(AttendeePart)
        .join(Attendee)
        .where(
            AttendeePart.day_part_id == attendee_part.day_part_id,
            AttendeePart.status == PartStatus.WAITLISTED,
            AttendeePart.id < attendee_part.id,
            Attendee.status != AttendeeStatus.CANCELLED,
        )
    )


def event_waiting_list_position(attendee: Attendee) -> int:
    return 1 + db.session.scalar(
        select(func.count())
        .select_from(Attendee)
        .where(
            Attendee.event_id == attendee.event_id,
            Attendee.status == AttendeeStatus.WAITLISTED,
            Attendee.id < attendee.id,
        )
    )


def _fill_vacancies(event: Event) -> set[Attendee]:
    """Give free places to the waiting lists, first come first served. Needs the lock."""
    promoted: set[Attendee] = set()
    # Parts first: people already admitted to the day who wait for lunch, say.
    for part in event.day_parts:
        promoted |= _promote_in_part(part)
    free = _left(event.capacity, _confirmed_attendees(event.id))
    waiting = db.session.scalars(
        select(Attendee)
        .filter_by(event_id=event.id, status=AttendeeStatus.WAITLISTED)
        .order_by(Attendee.id)
        .limit(free)
    ).all()
    for attendee in waiting:
        attendee.status = AttendeeStatus.CONFIRMED
        promoted.add(attendee)
    if waiting:
        db.session.flush()
        for part in event.day_parts:
            promoted |= _promote_in_part(part)
    return promoted


def _promote_in_part(part: DayPart) -> set[Attendee]:
    free = _left(part.capacity, confirmed_in_part(part.id))
    if free == 0:
        return set()
    next_in_line = db.session.scalars(
        select(AttendeePart)
        .join(Attendee)
        .where(
            AttendeePart.day_part_id == part.id,
            AttendeePart.status == PartStatus.WAITLISTED,
            Attendee.status == AttendeeStatus.CONFIRMED,
        )
        .order_by(AttendeePart.id)
        .limit(free)
    ).all()
    for attendee_part in next_in_line:
        attendee_part.status = PartStatus.CONFIRMED
    db.session.flush()
    return {attendee_part.attendee for attendee_part in next_in_line}


def _notify_promoted(attendees) -> None:
    for attendee in sorted(attendees, key=lambda a: a.id):
        mailer.enqueue("promoted", attendee)


def _add_part(attendee: Attendee, part: DayPart, taken: dict) -> None:
    """Take a place in the part if one is free (``taken`` counts it), else join its waiting list."""
    room = attendee.status == AttendeeStatus.CONFIRMED and _left(part.capacity, taken[part.id]) != 0
    if room:
        taken[part.id] += 1
    attendee.parts.append(
        AttendeePart(day_part=part, status=PartStatus.CONFIRMED if room else PartStatus.WAITLISTED)
    )


def _apply(attendee: Attendee, data: RegistrationData) -> None:
    attendee.first_name = data.first_name
    attendee.last_name = data.last_name
    attendee.email = data.email
    attendee.phone = data.phone or None
    attendee.participant_type = data.participant_type
    attendee.accessibility_needs = data.accessibility_needs or None
    attendee.language = data.language
    attendee.consent_photos = data.consent_photos
    attendee.organisation_name, attendee.organisation = _organisation(
        attendee.event_id or attendee.event.id, data.organisation_name
    )
    event = attendee.event
    lunch = {p.id for p in event.day_parts if p.kind == "lunch"}
    # Dietary needs are health data: keep them only when the attendee comes to lunch.
    attendee.dietary_needs = (data.dietary_needs or None) if lunch & set(data.day_part_ids) else None
    cafe = {p.id for p in event.day_parts if p.kind == "world_cafe"}
    table_ids = data.table_ids if cafe & set(data.day_part_ids) else []
    if [p.cafe_table_id for p in attendee.preferences] != list(table_ids):
        attendee.preferences.clear()
        if attendee.id is not None:
            db.session.flush()  # delete the old ranks before the new ones take them
        attendee.preferences = [
            TablePreference(cafe_table_id=table_id, rank=rank)
            for rank, table_id in enumerate(table_ids, start=1)
        ]


def _organisation(event_id: int, name: str | None):
    """Use a network member's own spelling when the typed name matches it."""
    if not name:
        return None, None
    member = db.session.scalars(
        select(Organisation).where(
            Organisation.event_id == event_id, func.lower(Organisation.name) == name.lower()
        )
    ).first()
    return (member.name, member) if member else (name, None)


def _chosen_parts(event: Event, day_part_ids) -> list[DayPart]:
    wanted = set(day_part_ids)
    return sorted((p for p in event.day_parts if p.id in wanted), key=lambda p: p.id)


def _waits_for_anything(attendee: Attendee) -> bool:
    return attendee.status == AttendeeStatus.WAITLISTED or any(
        p.status == PartStatus.WAITLISTED for p in attendee.parts
    )


def _email_taken(event_id: int, email: str) -> bool:
    return db.session.scalar(select(Attendee.id).filter_by(event_id=event_id, email=email)) is not None


def _left(capacity: int | None, taken: int) -> int | None:
    return None if capacity is None else max(capacity - taken, 0)


def _confirmed_attendees(event_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Attendee)
        .filter_by(event_id=event_id, status=AttendeeStatus.CONFIRMED)
    )


def confirmed_in_part(part_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AttendeePart)
        .filter_by(day_part_id=part_id, status=PartStatus.CONFIRMED)
    )


def find_attendee_by_email(event_id: int, email: str) -> Attendee | None:
    return db.session.scalars(select(Attendee).filter_by(event_id=event_id, email=email)).first()


def reissue_badge_for(attendee: Attendee, reissued_by: str, replacing_version: int) -> bool:
    """A new badge, e-mailed to them: the old one (lost, or passed on) stops working.

    replacing_version: the badge the organiser saw. A double click, or a second organiser
    at the same moment, finds it already replaced and does nothing (False): otherwise the
    attendee would get two e-mails, the first with a badge that no longer works.
    """
    replaced = db.session.execute(
        update(Attendee)
        .where(Attendee.id == attendee.id, Attendee.badge_version == replacing_version)
        .values(badge_version=Attendee.badge_version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not replaced:
        db.session.rollback()
        return False
    db.session.refresh(attendee)
    mailer.enqueue("badge_reissued", attendee)
    audit(reissued_by, "badge_reissued", attendee, badge_version=attendee.badge_version)
    db.session.commit()
    return True


def send_manage_link(attendee: Attendee) -> None:
    """Their personal link again (an organiser, asked on the phone)."""
    mailer.enqueue("manage_link", attendee)
    db.session.commit()


def audit(actor: str, action: str, attendee: Attendee, **details) -> None:
    db.session.add(
        AuditEntry(
            event_id=attendee.event_id, actor=actor, action=action, attendee_id=attendee.id, details=details
        )
    )


def resend_manage_link(event: Event, email: str) -> None:
    """Send the personal link to that address if it is registered; say nothing either way."""
    attendee = find_attendee_by_email(event.id, email)
    if attendee is not None:
        mailer.enqueue("manage_link", attendee)
        db.session.commit()
