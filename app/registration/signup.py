"""Signing up (accreditamento): online, or at the desk as a walk-in.

Places are counted under the event's row lock (see app/core/locking.py), so no capacity is
ever exceeded however many people submit at once; the lock is held as briefly as can be.
Registering a group (groups.py) reuses flushed_attendee, take_what_is_free and
waits_for_anything.
"""

import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.checkin.badge_codes import unused_badge_code
from app.checkin.services import walk_in_check_in
from app.core.locking import lock_event
from app.extensions import db
from app.mail import outbox as mailer
from app.models import Attendee, AttendeePart, AttendeeStatus, Event, MailKind, PartStatus, utcnow
from app.registration.attendee_details import RegistrationData, apply_details, chosen_parts
from app.registration.places import free_places, places_taken, take_place_if_free
from app.registration.reinstatement import reinstate

CODE_CLASH_ATTEMPTS = 3


class RegistrationError(Exception):
    class Reason(enum.Enum):
        CLOSED = "closed"
        DUPLICATE_EMAIL = "duplicate_email"
        CANCELLED = "cancelled"

    def __init__(self, reason: "RegistrationError.Reason"):
        self.reason = reason
        super().__init__(reason.value)


def register(event: Event, data: RegistrationData, *, source: str = "online") -> Attendee:
    """Register a new attendee, confirmed or on the waiting list of what is full, and commit.
    An address whose registration was cancelled takes that registration back, with these answers."""
    try:
        attendee = _register_under_lock(event, data, source)
    except RegistrationError as error:
        # Seldom: the address is taken, by a registration that may be a cancelled one (looked
        # for only now, the common case sparing the query).
        cancelled = error.reason is RegistrationError.Reason.DUPLICATE_EMAIL and _cancelled_registration(
            event, data.email
        )
        if not cancelled:
            raise
        return _take_back(cancelled, data, source)
    db.session.commit()
    return attendee


def _cancelled_registration(event: Event, email: str | None) -> Attendee | None:
    if not email:
        return None
    return db.session.scalars(
        select(Attendee).filter_by(event_id=event.id, email=email, status=AttendeeStatus.CANCELLED)
    ).first()


def _take_back(attendee: Attendee, data: RegistrationData, source: str) -> Attendee:
    """The cancelled row, given back with the new form's answers; DUPLICATE_EMAIL when
    someone took it back meanwhile (a double click: it is registered now)."""
    if source == "online" and not attendee.event.registration_is_open():
        raise RegistrationError(RegistrationError.Reason.CLOSED)
    if not reinstate(attendee, data=data).done:
        raise RegistrationError(RegistrationError.Reason.DUPLICATE_EMAIL)
    return attendee


def _register_under_lock(event: Event, data: RegistrationData, source: str) -> Attendee:
    """The registration, written and left uncommitted under the event's lock.

    Every registration of the event waits for its lock, so the work is done before taking
    it: the attendee is written on the waiting list of the day and of every part they chose
    (rows the place counters leave out), with the confirmation queued as it is sent once the
    places are taken (the sender renders it: mailer.enqueue_rendered_at_send). Nobody else
    sees these rows before the commit.
    Under the lock, only the counters read, the places that are free taken (the database
    counts them) and the commit; in the rare case that something is full, the waiting-list
    notice replaces the confirmation.
    """
    if source == "online" and not event.registration_is_open():
        raise RegistrationError(RegistrationError.Reason.CLOSED)
    attendee = _write_as_waiting(event, data, source)
    confirmation = _confirmation_as_taken(attendee)
    db.session.flush()

    lock_event(event.id)
    take_what_is_free(event, attendee)
    if waits_for_anything(attendee):
        if confirmation is not None:  # None: no e-mail address, nothing was queued
            db.session.delete(confirmation)
        mailer.enqueue(MailKind.WAITLISTED, attendee)
    return attendee


def _confirmation_as_taken(attendee: Attendee):
    """The confirmation, queued as for someone with every place taken (the usual outcome,
    decided under the lock: its badge attached), then the statuses put back as written;
    None without an e-mail address. The sender renders it from the row as committed."""
    with db.session.no_autoflush:  # the statuses it is queued with are never written
        _set_statuses(attendee, AttendeeStatus.CONFIRMED, PartStatus.CONFIRMED)
        confirmation = mailer.enqueue_rendered_at_send(MailKind.CONFIRMATION, attendee)
        _set_statuses(attendee, AttendeeStatus.WAITLISTED, PartStatus.WAITLISTED)
    return confirmation


def _set_statuses(attendee: Attendee, status: AttendeeStatus, part_status: PartStatus) -> None:
    attendee.status = status
    for attendee_part in attendee.parts:
        attendee_part.status = part_status


def _write_as_waiting(event: Event, data: RegistrationData, source: str) -> Attendee:
    """The new attendee, flushed waiting for every place they chose; DUPLICATE_EMAIL (and the
    transaction rolled back) when the address is already registered for the event.

    The badge code is chosen among unused ones before the event's lock is taken, so two
    sign-ups at once may pick the same one: the unique (event, badge_code) refuses the
    second, which then tries again with another code instead of reading as a duplicate."""
    for _attempt in range(CODE_CLASH_ATTEMPTS):
        try:
            return flushed_attendee(event, data, source)
        except IntegrityError:
            db.session.rollback()
            if data.email is None or _email_registered(event.id, data.email):
                break
    raise RegistrationError(RegistrationError.Reason.DUPLICATE_EMAIL)


def flushed_attendee(event: Event, data: RegistrationData, source: str) -> Attendee:
    attendee = Attendee(
        event=event,
        status=AttendeeStatus.WAITLISTED,  # until the places are taken, under the lock
        consent_privacy_at=utcnow(),
        privacy_version=event.privacy_version,
        source=source,
        badge_code=unused_badge_code(event.id),  # the model's random default may be taken
    )
    apply_details(attendee, data)
    db.session.add(attendee)
    chosen = chosen_parts(event, data.day_part_ids)
    attendee.parts = [AttendeePart(day_part=part, status=PartStatus.WAITLISTED) for part in chosen]
    db.session.flush()
    return attendee


def _email_registered(event_id: int, email: str) -> bool:
    query = select(Attendee.id).filter_by(event_id=event_id, email=email).limit(1)
    return db.session.scalar(query) is not None


def take_what_is_free(event: Event, attendee: Attendee) -> None:
    """Under the lock: the day, and each part, that has a place left for the attendee
    confirms them (nobody else takes a place meanwhile); the rest keeps them waiting."""
    taken = places_taken(event)
    if free_places(event.capacity, taken["event"]) != 0:
        attendee.status = AttendeeStatus.CONFIRMED
    for attendee_part in attendee.parts:
        if take_place_if_free(attendee, attendee_part.day_part, taken):
            attendee_part.status = PartStatus.CONFIRMED


def waits_for_anything(attendee: Attendee) -> bool:
    return attendee.status == AttendeeStatus.WAITLISTED or any(
        p.status == PartStatus.WAITLISTED for p in attendee.parts
    )


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
