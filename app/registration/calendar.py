"""The day as an iCalendar (.ics) file, so attendees can add it to their calendar app.

Each attendee has one entry per event: its UID never changes, and its SEQUENCE grows with
every event file the organisers load (a changed time among them), so a later .ics, in an
e-mail or downloaded, moves the entry already in the calendar instead of adding a second one.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import icalendar
from flask_babel import force_locale
from flask_babel import gettext as _

from app.models import Attendee, Event, localized

PRODID = "-//Noi Day//Event//IT"
WITHOUT_PROGRAMME = (time(9, 0), time(18, 0))
# The VTIMEZONE describes the zone's offsets around the day only (not 1970 to 2038).
ZONE_WINDOW = timedelta(days=366)


def day_span(event: Event) -> tuple[time, time]:
    """Local times from the first programme item's start to the last one's end, or to its
    start when it gives no end ("16:30 Closing" closes the day)."""
    items = event.programme
    if not items:
        return WITHOUT_PROGRAMME
    start = min(item.starts_at for item in items)
    end = max(item.ends_at or item.starts_at for item in items)
    return start, end


def day_bounds(event: Event) -> tuple[datetime, datetime]:
    """The day's span as aware datetimes in the event's time zone; an hour at least."""
    zone = ZoneInfo(event.timezone)
    start, end = (datetime.combine(event.date, moment, tzinfo=zone) for moment in day_span(event))
    return start, end if end > start else start + timedelta(hours=1)


def calendar_sequence(event: Event) -> int:
    """0 for the first event file, one more for each file loaded since: it never goes back,
    as nothing removes a kept file (derived, so nothing new is stored)."""
    return max((event.files_loaded or 0) - 1, 0)


def calendar_uid(attendee: Attendee) -> str:
    """The same for every .ics of this attendee's registration to this event."""
    return f"{attendee.event.slug}-{attendee.id}@noiday"


def event_ics(attendee: Attendee, manage_url: str, locale: str) -> bytes:
    """The attendee's calendar entry for the day (METHOD:PUBLISH), as UTF-8 bytes."""
    event = attendee.event
    with force_locale(locale):
        entry = _entry(attendee, manage_url, locale)
    opening, closing = _calendar_around(event.timezone, event.date)
    return opening + entry.to_ical() + closing


@lru_cache(maxsize=32)
def _calendar_around(zone: str, day: date) -> tuple[bytes, bytes]:
    """What an .ics writes before and after its one entry: the calendar's properties and the
    VTIMEZONE of the event's zone, the same for every attendee of the day. Worked out once per
    process (the zone's transitions and their lines were two thirds of an .ics), by icalendar
    itself: a calendar around a stand-in entry on that day, cut at the entry."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    stand_in = icalendar.Event()
    stand_in.add("dtstart", datetime.combine(day, time(12, 0), tzinfo=ZoneInfo(zone)))
    calendar.add_component(stand_in)
    calendar.add_missing_timezones(first_date=day - ZONE_WINDOW, last_date=day + ZONE_WINDOW)
    opening, closing = calendar.to_ical().split(stand_in.to_ical())
    return opening, closing


def _entry(attendee: Attendee, manage_url: str, locale: str) -> icalendar.Event:
    event = attendee.event
    start, end = day_bounds(event)
    entry = icalendar.Event()
    entry.add("uid", calendar_uid(attendee))
    entry.add("sequence", calendar_sequence(event))
    entry.add("dtstamp", datetime.now(UTC))
    entry.add("dtstart", start)
    entry.add("dtend", end)
    entry.add("summary", localized(event.name, locale))
    entry.add("location", ", ".join(filter(None, [event.venue_name, event.venue_address])))
    entry.add("description", _description(event, manage_url, locale))
    entry.add("url", manage_url)
    entry.add("status", "CONFIRMED")
    if event.contact_email:  # RFC 5546 asks PUBLISH for an organiser
        organiser = icalendar.vCalAddress(f"mailto:{event.contact_email}")
        if event.organiser:
            organiser.params["cn"] = event.organiser.replace('"', "")
        entry.add("organizer", organiser)
    return entry


def _description(event: Event, manage_url: str, locale: str) -> str:
    """The tagline, the programme, and the link back to the registration."""
    blocks = [localized(event.tagline, locale)]
    blocks.append("\n".join(_programme_line(item, locale) for item in event.programme))
    blocks.append(_("Your registration: %(url)s", url=manage_url))
    return "\n\n".join(block for block in blocks if block)


def _programme_line(item, locale: str) -> str:
    when = item.starts_at.strftime("%H:%M")
    if item.ends_at:
        when += "-" + item.ends_at.strftime("%H:%M")
    return f"{when} {localized(item.title, locale)}"
