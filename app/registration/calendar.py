"""An iCalendar (.ics) invitation for the day, so attendees can add it to their calendar."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from app.models import Attendee, Event, localized, utcnow


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545: lines longer than 75 octets continue on the next line after a space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode("utf-8")
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += piece
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def _utc(event: Event, local: time) -> str:
    moment = datetime.combine(event.date, local, tzinfo=ZoneInfo(event.timezone))
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


def day_span(event: Event) -> tuple[time, time]:
    """From the first programme item to the last one's end (or an hour after it starts)."""
    items = event.programme
    if not items:
        return time(9, 0), time(18, 0)
    last = max(items, key=lambda item: item.ends_at or item.starts_at)
    end = last.ends_at or time(min(last.starts_at.hour + 1, 23), last.starts_at.minute)
    return min(item.starts_at for item in items), end


def event_ics(attendee: Attendee, manage_url: str, locale: str) -> bytes:
    event = attendee.event
    start, end = day_span(event)
    location = ", ".join(filter(None, [event.venue_name, event.venue_address]))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Noi Day//Event//IT",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{event.slug}-{attendee.id}@noiday",
        f"DTSTAMP:{utcnow().strftime('%Y%m%dT%H%M%SZ')}",
        f"DTSTART:{_utc(event, start)}",
        f"DTEND:{_utc(event, end)}",
        f"SUMMARY:{_escape(localized(event.name, locale))}",
        f"LOCATION:{_escape(location)}",
        f"DESCRIPTION:{_escape(localized(event.tagline, locale) + chr(10) + manage_url)}",
        f"URL:{manage_url}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")
