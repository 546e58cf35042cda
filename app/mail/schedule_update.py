"""When an event file moves the day (its date, its start or end, its venue), the people
already registered are told, with a new .ics that moves the entry in their calendar (same
UID, higher SEQUENCE: app/registration/calendar.py).

Nothing goes out by itself on loading a file: organisers often load a few drafts in a row.
The event remembers what attendees were last told (``Event.schedule_announced``) and when
the day first moved away from it; the announcements page then offers the update, shows
who gets it and sends exactly them, once (as the reminder does). Loading a file that puts
the day back as it was leaves nothing to send.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from app.core.locking import lock_event
from app.extensions import db
from app.mail import outbox as mailer
from app.models import Attendee, AttendeeStatus, Event, MailKind, utcnow
from app.registration.calendar import day_span


class SchedulePlanChanged(Exception):
    """The update to send is not the one the organiser confirmed (another file was loaded,
    someone registered or cancelled, or the update was just sent from elsewhere)."""


def schedule_of(event: Event) -> dict:
    """What a calendar entry holds of the day: its date, times and place."""
    start, end = day_span(event)
    return {
        "date": event.date.isoformat(),
        "starts_at": start.strftime("%H:%M"),
        "ends_at": end.strftime("%H:%M"),
        "venue_name": event.venue_name,
        "venue_address": event.venue_address or "",
    }


def note_file_loaded(event: Event) -> None:
    """After a file is applied (same transaction): start, keep or clear the pending update."""
    now, told = schedule_of(event), event.schedule_announced
    if told is None:  # a new event, or one loaded before this was kept: nothing was told yet
        event.schedule_announced = {"schedule": now, "moved_at": None}
    elif now == told["schedule"]:
        event.schedule_announced = {**told, "moved_at": None}
    elif told["moved_at"] is None:
        event.schedule_announced = {**told, "moved_at": utcnow().isoformat()}


@dataclass
class SchedulePlan:
    told: dict  # what they were told (as stored: schedule_of)
    now: dict  # the day as it is now (as stored)
    attendees: list[Attendee]  # who will be told

    @property
    def before(self) -> dict:
        return _readable(self.told)

    @property
    def after(self) -> dict:
        return _readable(self.now)

    @property
    def fingerprint(self) -> str:
        """Names this update and its list: the confirmation sends it back."""
        ids = ",".join(str(a.id) for a in sorted(self.attendees, key=lambda a: a.id))
        text = f"{sorted(self.now.items())}|{ids}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _readable(schedule: dict) -> dict:
    """For the pages and e-mails: the date as a date, for the date filters."""
    return {**schedule, "date": date.fromisoformat(schedule["date"])}


def schedule_plan(event: Event) -> SchedulePlan | None:
    """The update to send now, or None when the day is as the attendees were told."""
    told = event.schedule_announced
    if not told or told.get("moved_at") is None or told["schedule"] == schedule_of(event):
        return None
    moved_at = datetime.fromisoformat(told["moved_at"])
    # Whoever registered after the move had the new day in their confirmation already.
    query = (
        select(Attendee)
        .where(
            Attendee.event_id == event.id,
            Attendee.status == AttendeeStatus.CONFIRMED,
            Attendee.email.is_not(None),
            Attendee.created_at < moved_at,
        )
        .order_by(Attendee.last_name, Attendee.first_name, Attendee.id)
    )
    return SchedulePlan(told["schedule"], schedule_of(event), db.session.scalars(query).all())


def send_schedule_update(event: Event, expected: str) -> int:
    """Queue the update for the people of the plan whose fingerprint is ``expected``; the
    day then counts as told. Returns how many; SchedulePlanChanged if the plan is not that
    one any more, 0 if there is nothing left to send (a second click)."""
    lock_event(event.id)  # two clicks at once: the second finds the update sent
    db.session.refresh(event)
    plan = schedule_plan(event)
    if plan is None:
        db.session.rollback()
        return 0
    if plan.fingerprint != expected:
        db.session.rollback()
        raise SchedulePlanChanged()
    for attendee in plan.attendees:
        mailer.enqueue(MailKind.SCHEDULE_CHANGED, attendee, before=plan.before)
    event.schedule_announced = {"schedule": plan.now, "moved_at": None}
    db.session.commit()
    return len(plan.attendees)
