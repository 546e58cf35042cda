"""What the badge e-mails say about the day: start and end time, the venue's address with a
map link, and links that add the day to Google Calendar or Outlook, beside the .ics.

Read from the messages a real SMTP server received; the links are parsed, not matched as text.
"""

import email
import email.policy
from datetime import datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from helpers import register_someone

from app.extensions import db
from app.mail import sender as mail_sender
from app.mail.reminders import queue_reminders
from app.registration.cancellation import cancel_registration

ROME = ZoneInfo("Europe/Rome")
START = datetime(2027, 7, 13, 10, 0, tzinfo=ROME)  # the programme's first item, data/moca.yaml
END = datetime(2027, 7, 13, 16, 30, tzinfo=ROME)  # "16:30 Closing", the last item
ADDRESS = "Via Moretto 78, 25122 Brescia"
WHEN = {
    "it": "Quando: martedì 13 luglio 2027, dalle 10:00 alle 16:30",
    "en": "When: Tuesday, July 13, 2027, from 10:00 to 16:30",
}
TITLE = {"it": "Brescia Città del Noi compie un anno", "en": "Brescia Città del Noi turns one"}
GOOGLE = {"it": "Aggiungi a Google Calendar", "en": "Add to Google Calendar"}
OUTLOOK = {"it": "Aggiungi a Outlook", "en": "Add to Outlook"}


@pytest.fixture
def smtp(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_TIMEOUT=5)
    yield smtp_server
    app.config.update(MAIL_SERVER="localhost", MAIL_PORT=25)


class Links(HTMLParser):
    """The links of an HTML part: {link text: href}."""

    def __init__(self, html):
        super().__init__()
        self.links, self._href, self._text = {}, None, []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs)["href"], []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links[" ".join("".join(self._text).split())] = self._href
            self._href = None


def received(smtp_server):
    return [email.message_from_bytes(e.content, policy=email.policy.default) for e in smtp_server.messages]


def body(message, subtype):
    return message.get_body(preferencelist=(subtype,)).get_content()


def query(url):
    """The URL's address and its query, each value decoded once."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", {k: v for k, [v] in parse_qs(parts.query).items()}


def assert_says_the_day(message, language):
    html, text = body(message, "html"), body(message, "plain")
    assert WHEN[language] in " ".join(text.split()) and WHEN[language].split(": ")[1] in html
    assert ADDRESS in html and ADDRESS in text
    links = Links(html).links
    map_link = next(href for label, href in links.items() if "openstreetmap" in href)
    assert query(map_link) == ("https://www.openstreetmap.org/search", {"query": ADDRESS})
    google, outlook = links[GOOGLE[language]], links[OUTLOOK[language]]
    assert_google_link(google, language)
    assert_outlook_link(outlook)
    for url in (map_link, google, outlook):
        assert url in text, "the plain-text part has the same links"
    return google, outlook


def assert_google_link(url, language):
    address, fields = query(url)
    assert address == "https://calendar.google.com/calendar/render" and fields["action"] == "TEMPLATE"
    zone = ZoneInfo(fields["ctz"])
    start, end = (
        datetime.strptime(d, "%Y%m%dT%H%M%S").replace(tzinfo=zone) for d in fields["dates"].split("/")
    )
    assert (start, end) == (START, END)
    assert fields["text"] == TITLE[language]
    assert ADDRESS in fields["location"] and "MO.CA" in fields["location"]
    assert "http://localhost/" in fields["details"], "the event's public page, from PUBLIC_URL"
    assert "/brescia-citta-del-noi/r/" not in fields["details"], (
        "never the personal link, in someone else's calendar"
    )


def local(stamp, zone):
    """Google's local date and time (20270713T100000) in the zone its ctz names."""
    return datetime.strptime(stamp, "%Y%m%dT%H%M%S").replace(tzinfo=zone)


def assert_outlook_link(url):
    address, fields = query(url)
    assert address == "https://outlook.live.com/calendar/0/deeplink/compose"
    assert fields["rru"] == "addevent" and fields["path"] == "/calendar/action/compose"
    start, end = datetime.fromisoformat(fields["startdt"]), datetime.fromisoformat(fields["enddt"])
    assert start.utcoffset() is not None and (start, end) == (START, END)
    assert start.utcoffset().total_seconds() == 2 * 3600, "summer time in Rome"
    assert ADDRESS in fields["location"] and "/brescia-citta-del-noi/r/" not in fields["body"]


@pytest.mark.parametrize("language", ["it", "en"])
def test_confirmation_says_start_time_address_map_and_calendar_links(app, event, smtp, language):
    register_someone(event, language=language)
    mail_sender.deliver_due()
    [message] = received(smtp)
    assert_says_the_day(message, language)
    parts = {part.get_content_type() for part in message.walk()}
    assert "text/calendar" in parts, "beside the attached .ics"


def test_promotion_and_reminder_say_the_day_and_the_cancellation_does_not(app, event, smtp):
    lunch = next(p for p in event.day_parts if p.kind == "lunch")
    lunch.capacity = 1
    db.session.commit()
    first, second = register_someone(event, language="en"), register_someone(event, language="it")
    cancel_registration(first)  # the lunch place goes to the second person
    queue_reminders(event)
    mail_sender.deliver_due()
    by_subject = {m["Subject"]: m for m in received(smtp) if m["To"] in (first.email, second.email)}
    promoted = next(m for s, m in by_subject.items() if s.startswith("Buone notizie"))
    reminder = next(m for s, m in by_subject.items() if s.startswith("Ci vediamo presto"))
    cancelled = next(m for s, m in by_subject.items() if "cancelled" in s)
    for message in (promoted, reminder):
        assert_says_the_day(message, "it")
    assert "Add to Google Calendar" not in body(cancelled, "html"), "no calendar for a cancelled place"


def test_an_event_without_an_address_shows_no_map_link(app, event, smtp):
    event.venue_address = None
    db.session.commit()
    register_someone(event, language="en")
    mail_sender.deliver_due()
    [message] = received(smtp)
    html = body(message, "html")
    assert "openstreetmap" not in html and "openstreetmap" not in body(message, "plain")
    assert "Where:</strong> MO.CA" in html and "Add to Google Calendar" in html
