"""The calendar file (.ics): as a calendar app receives it by e-mail (real SMTP) or downloads
it from the personal page, read by three independent parsers."""

import email
import email.policy
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import icalendar
import ics
import pytest
import vobject
from conftest import MOCA
from helpers import register_someone

from app.events.services import load_event
from app.extensions import db
from app.mail import sender as mail_sender
from app.mail.reminders import queue_reminders
from app.registration.tokens import manage_token

ROME = ZoneInfo("Europe/Rome")
MOCA_TEXT = MOCA.read_text(encoding="utf-8")


@pytest.fixture
def smtp(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_TIMEOUT=2)
    yield smtp_server
    app.config.update(MAIL_SERVER="localhost", MAIL_PORT=25)


def calendar_parts(smtp_server) -> list:
    """The text/calendar part of each message the server received, in order."""
    parse = email.message_from_bytes
    messages = [parse(e.content, policy=email.policy.default) for e in smtp_server.messages]
    return [part for m in messages for part in m.walk() if part.get_content_type() == "text/calendar"]


def vevent(data: bytes) -> icalendar.Event:
    [entry] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    return entry


def reload_event(text: str):
    """The organisers load the event file again (as the admin page and `flask event load` do)."""
    event = load_event(text, "moca.yaml")
    event.registration_opens_at = event.registration_closes_at = None
    db.session.commit()
    return event


@pytest.fixture(autouse=True)
def public_url(app, monkeypatch):
    """Links in the file are built from PUBLIC_URL, whatever host the request named."""
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://noiday.example.org")


def test_the_emailed_calendar_file_is_utf8_and_every_calendar_parser_reads_citta(app, event, smtp):
    attendee = register_someone(event, language="it")
    assert mail_sender.deliver_due() == (1, 0)
    [part] = calendar_parts(smtp)
    assert part.get_content_charset() == "utf-8", "declared, so no mail program shows 'Citt��'"
    assert part.get_param("method") == "PUBLISH"
    assert part.get_filename() == "event.ics"
    data = part.get_payload(decode=True)
    assert "Brescia Città del Noi compie un anno" in part.get_content()

    entry = vevent(data)
    assert str(entry["SUMMARY"]) == "Brescia Città del Noi compie un anno"
    assert str(entry["LOCATION"]) == "MO.CA – Centro per le nuove culture, Via Moretto 78, 25122 Brescia"
    assert (
        str(entry["URL"]) == f"https://noiday.example.org/brescia-citta-del-noi/r/{manage_token(attendee)}"
    ), "the personal page"
    assert entry.decoded("DTSTART") == datetime(2027, 7, 13, 10, 0, tzinfo=ROME)
    assert entry["DTSTART"].params["TZID"] == "Europe/Rome"
    assert entry.decoded("DTSTART").astimezone(UTC).time() == time(8, 0), "10:00 in Rome is 08:00 UTC"
    assert entry.decoded("DTSTAMP").tzinfo is not None
    calendar = icalendar.Calendar.from_ical(data)
    assert [zone["TZID"] for zone in calendar.walk("VTIMEZONE")] == ["Europe/Rome"]

    parsed = vobject.readOne(data.decode("utf-8")).vevent
    assert parsed.summary.value == "Brescia Città del Noi compie un anno"
    assert parsed.dtend.value.astimezone(UTC) == datetime(2027, 7, 13, 14, 30, tzinfo=UTC)
    [other] = ics.Calendar(data.decode("utf-8")).events
    assert other.name == "Brescia Città del Noi compie un anno"
    assert other.begin.to("UTC").datetime == datetime(2027, 7, 13, 8, 0, tzinfo=UTC)


def test_the_personal_pages_calendar_file_is_the_same_entry_in_utf8(client, event):
    attendee = register_someone(event, language="it")
    answer = client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}/event.ics")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    entry = vevent(answer.data)
    assert str(entry["UID"]) == f"{event.slug}-{attendee.id}@noiday"
    assert "La tua iscrizione: https://noiday.example.org/brescia-citta-del-noi/r/" in str(
        entry["DESCRIPTION"]
    )
    assert "16:30 Chiusura" in str(entry["DESCRIPTION"]), "with the programme"


@pytest.mark.parametrize(
    ("closing", "end"),
    [('"16:30"', time(16, 30)), ('"16:30-16:45"', time(16, 45))],
)
def test_the_day_ends_with_the_programmes_last_item(client, event, closing, end):
    event = reload_event(MOCA_TEXT.replace('- time: "16:30"', f"- time: {closing}"))
    attendee = register_someone(event)
    entry = vevent(client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}/event.ics").data)
    assert entry.decoded("DTSTART") == datetime(2027, 7, 13, 10, 0, tzinfo=ROME)
    assert entry.decoded("DTEND") == datetime.combine(event.date, end, ROME), "the closing, not an hour later"


def test_a_new_time_in_the_event_file_moves_the_entry_with_the_same_uid_and_a_higher_sequence(
    app, event, smtp
):
    """The confirmation's entry, then the reminder sent after the organisers moved the day:
    a calendar app replaces an entry when the UID is the same and the SEQUENCE higher."""
    register_someone(event, language="it")
    mail_sender.deliver_due()
    moved = MOCA_TEXT.replace('- time: "10:00"', '- time: "09:30"').replace(
        '- time: "16:30"', '- time: "16:30-17:00"'
    )
    event = reload_event(moved)
    queue_reminders(event)
    mail_sender.deliver_due()
    first, second = (vevent(part.get_payload(decode=True)) for part in calendar_parts(smtp))
    assert str(second["UID"]) == str(first["UID"])
    assert second["SEQUENCE"] > first["SEQUENCE"]
    assert second.decoded("DTSTART") == datetime(2027, 7, 13, 9, 30, tzinfo=ROME)
    assert second.decoded("DTEND") == datetime(2027, 7, 13, 17, 0, tzinfo=ROME)


def test_the_sequence_never_goes_back_while_the_uid_stays(client, event):
    attendee = register_someone(event)
    url = f"/brescia-citta-del-noi/r/{manage_token(attendee)}/event.ics"
    seen = [vevent(client.get(url).data)]
    for text in (MOCA_TEXT.replace('"10:00"', '"09:00"'), MOCA_TEXT):  # moved, then moved back
        reload_event(text)
        seen.append(vevent(client.get(url).data))
    assert len({str(entry["UID"]) for entry in seen}) == 1
    sequences = [entry["SEQUENCE"] for entry in seen]
    assert sequences == sorted(set(sequences)), f"strictly growing: {sequences}"
    assert seen[-1].decoded("DTSTART") == datetime(2027, 7, 13, 10, 0, tzinfo=ROME)


def test_each_attendee_has_an_entry_of_their_own(client, event):
    first, second = register_someone(event), register_someone(event)
    uids = {
        str(vevent(client.get(f"/brescia-citta-del-noi/r/{manage_token(a)}/event.ics").data)["UID"])
        for a in (first, second)
    }
    assert len(uids) == 2
