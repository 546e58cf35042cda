"""What a badge e-mail says about the day beside the attached .ics: when it starts and ends,
where (with a map link), and links that add it to Google Calendar or Outlook.

Times are the venue's local times in the event's time zone, from the programme (the same
span as the .ics). The calendar entries link to the event's public page, never to the
personal link: a third party's calendar is no place for it.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from app.core.urls import external_url
from app.models import Event, localized
from app.registration.calendar import day_span

OSM_SEARCH = "https://www.openstreetmap.org/search"
GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"
OUTLOOK_COMPOSE = "https://outlook.live.com/calendar/0/deeplink/compose"


@dataclass(frozen=True)
class DayLinks:
    starts_at: datetime  # aware, in the event's time zone
    ends_at: datetime
    location: str  # venue name and address
    map_url: str | None  # None without an address
    google_url: str
    outlook_url: str


def day_links(event: Event, locale: str | None = None) -> DayLinks:
    """The day's times, place and calendar links, texts in locale (default: the current one)."""
    zone = ZoneInfo(event.timezone)
    start, end = (datetime.combine(event.date, t, tzinfo=zone) for t in day_span(event))
    location = ", ".join(filter(None, [event.venue_name, event.venue_address]))
    title = localized(event.name, locale)
    details = "\n\n".join(
        filter(None, [localized(event.tagline, locale), external_url("public.home", event_slug=event.slug)])
    )
    return DayLinks(
        starts_at=start,
        ends_at=end,
        location=location,
        map_url=map_url(event.venue_address),
        google_url=_url(
            GOOGLE_TEMPLATE,
            action="TEMPLATE",
            text=title,
            dates=f"{start:%Y%m%dT%H%M%S}/{end:%Y%m%dT%H%M%S}",
            ctz=event.timezone,  # the dates are local times of that zone
            location=location,
            details=details,
        ),
        outlook_url=_url(
            OUTLOOK_COMPOSE,
            path="/calendar/action/compose",
            rru="addevent",
            subject=title,
            startdt=start.isoformat(),
            enddt=end.isoformat(),
            location=location,
            body=details,
        ),
    )


def map_url(address: str | None) -> str | None:
    """An OpenStreetMap search for the address."""
    return _url(OSM_SEARCH, query=address) if address else None


def _url(base: str, **query: str) -> str:
    return f"{base}?{urlencode(query, quote_via=quote, safe='')}"
