"""Registering a group: one contact registers several people at once (an organisation's
colleagues), each with their own row, badge and personal link.

Places follow the event file's policy (registration.groups.policy, GroupPolicy):
all_or_nothing gives the whole group a place, or puts the whole group on the waiting list,
per day and per day part; as_many_as_fit seats members one by one, in the form's order,
as far as places go. Everything is decided under the event's lock, as every registration
(signup.py), whose building blocks this reuses. How waiting groups move up: waiting_lists.py.
"""

import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core.locking import lock_event
from app.extensions import db
from app.mail import outbox as mailer
from app.models import (
    Attendee,
    AttendeeStatus,
    Event,
    GroupPolicy,
    MailKind,
    PartStatus,
    RegistrationGroup,
)
from app.registration.attendee_details import RegistrationData
from app.registration.cancellation import cancel_registration
from app.registration.places import free_places, places_taken
from app.registration.signup import (
    CODE_CLASH_ATTEMPTS,
    flushed_attendee,
    take_what_is_free,
    waits_for_anything,
)

# The audit log's actor when a group's contact cancelled a member from the group's page.
THE_GROUP_CONTACT = "group contact"


class GroupError(Exception):
    class Reason(enum.Enum):
        CLOSED = "closed"
        GROUPS_OFF = "groups_off"  # the event file has no registration.groups
        TOO_MANY = "too_many"  # past registration.groups.max_size
        DUPLICATE_EMAIL = "duplicate_email"  # ``emails``: those already registered
        NOT_A_MEMBER = "not_a_member"

    def __init__(self, reason: "GroupError.Reason", emails: list[str] | None = None):
        self.reason = reason
        self.emails = emails or []
        super().__init__(reason.value)


@dataclass
class Contact:
    name: str
    email: str
    language: str = "it"


def register_group(event: Event, contact: Contact, members: list[RegistrationData]) -> RegistrationGroup:
    """Register the members as one group, place them by the event's policy, queue each
    one's message and the contact's, and commit. Nothing is written on any GroupError."""
    _check_open(event, staff=False)
    _check_size(event, 0, len(members))

    def write():
        group = RegistrationGroup(
            event=event,
            contact_name=contact.name,
            contact_email=contact.email,
            contact_language=contact.language,
        )
        db.session.add(group)
        return group, _write_members(event, group, members)

    group, attendees = _written_or_duplicate(event, members, write)
    _place_and_tell(event, group, attendees)
    db.session.commit()
    return group


def add_members(
    group: RegistrationGroup, members: list[RegistrationData], *, staff: bool = False
) -> list[Attendee]:
    """More people in an existing group, placed as a group of their own by the policy (those
    already there keep their places), and commit. staff: organisers may after closing."""
    event = group.event
    _check_open(event, staff)
    _check_size(event, len(active_members(group)), len(members))
    _, attendees = _written_or_duplicate(
        event, members, lambda: (group, _write_members(event, group, members))
    )
    _place_and_tell(event, group, attendees)
    db.session.commit()
    return attendees


def cancel_member(group: RegistrationGroup, attendee: Attendee, *, staff_user: str | None = None) -> None:
    """Cancel one member from the group's page (their places go to the next in line, as
    any cancellation). The contact may until registration closes; staff always may."""
    if attendee.group_id != group.id:
        raise GroupError(GroupError.Reason.NOT_A_MEMBER)
    _check_open(group.event, staff=staff_user is not None)
    cancel_registration(attendee, cancelled_by=staff_user or THE_GROUP_CONTACT)


def active_members(group: RegistrationGroup) -> list[Attendee]:
    return [member for member in group.members if member.status != AttendeeStatus.CANCELLED]


def _check_open(event: Event, staff: bool) -> None:
    if not event.takes_groups:
        raise GroupError(GroupError.Reason.GROUPS_OFF)
    if not staff and not event.registration_is_open():
        raise GroupError(GroupError.Reason.CLOSED)


def _check_size(event: Event, already: int, adding: int) -> None:
    if adding < 1 or already + adding > event.group_max_size:
        raise GroupError(GroupError.Reason.TOO_MANY)


def _written_or_duplicate(event: Event, members: list[RegistrationData], write):
    """write()'s rows, flushed; DUPLICATE_EMAIL, naming the addresses, when some member's
    address is registered for the event already (checked first for the message, and by the
    unique (event, email) against a registration at the same moment). A clash of badge
    codes chosen at once by two registrations is tried again, as signup.py does."""
    emails = [member.email for member in members if member.email]
    twice = sorted({email for email in emails if emails.count(email) > 1})
    if twice:
        raise GroupError(GroupError.Reason.DUPLICATE_EMAIL, twice)
    for _attempt in range(CODE_CLASH_ATTEMPTS):
        taken = _registered_emails(event.id, emails)
        if taken:
            db.session.rollback()
            raise GroupError(GroupError.Reason.DUPLICATE_EMAIL, taken)
        try:
            return write()
        except IntegrityError:
            db.session.rollback()
    raise GroupError(GroupError.Reason.DUPLICATE_EMAIL, _registered_emails(event.id, emails))


def _registered_emails(event_id: int, emails: list[str]) -> list[str]:
    if not emails:
        return []
    query = select(Attendee.email).where(Attendee.event_id == event_id, Attendee.email.in_(emails))
    return sorted(db.session.scalars(query))


def _write_members(event: Event, group: RegistrationGroup, members: list[RegistrationData]) -> list[Attendee]:
    attendees = []
    for data in members:
        attendee = flushed_attendee(event, data, "online")
        attendee.group = group
        attendees.append(attendee)
    db.session.flush()
    return attendees


def _place_and_tell(event: Event, group: RegistrationGroup, attendees: list[Attendee]) -> None:
    """Under the event's lock: places by the policy, then each member's message (to the
    contact for one without an address) and the contact's list of the group."""
    lock_event(event.id)
    if event.group_policy == GroupPolicy.ALL_OR_NOTHING:
        _take_places_together(event, attendees)
    else:
        for attendee in attendees:  # the form's order
            take_what_is_free(event, attendee)
    for attendee in attendees:
        mailer.enqueue(
            MailKind.WAITLISTED if waits_for_anything(attendee) else MailKind.CONFIRMATION, attendee
        )
    db.session.flush()
    mailer.enqueue_for_group_contact(MailKind.GROUP_REGISTERED, group, added=attendees)


def _take_places_together(event: Event, attendees: list[Attendee]) -> None:
    """The day for all of them if it has a place for each, else the waiting list for all;
    then, for each day part, the same for those of them admitted who chose it."""
    taken = places_taken(event)
    if fits(free_places(event.capacity, taken["event"]), len(attendees)):
        for attendee in attendees:
            attendee.status = AttendeeStatus.CONFIRMED
    for part in event.day_parts:
        wanting = [
            attendee_part
            for attendee in attendees
            if attendee.status == AttendeeStatus.CONFIRMED
            for attendee_part in attendee.parts
            if attendee_part.day_part_id == part.id
        ]
        if wanting and fits(free_places(part.capacity, taken[part.id]), len(wanting)):
            for attendee_part in wanting:
                attendee_part.status = PartStatus.CONFIRMED


def fits(free: int | None, wanted: int) -> bool:
    """None: no limit."""
    return free is None or free >= wanted
