"""The report of the day's chart pages, looked at as pictures, with the figures' numbers and the
feedback after the day, after a scripted day. The page pictures are kept in /tmp/charts/."""

import datetime
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
from flask_babel import force_locale
from helpers import register_someone
from PIL import Image
from test_facilitators import publish_seats

from app.extensions import db
from app.models import CheckIn, FeedbackAnswer, FeedbackRequest
from app.reporting.report import build_report, report_markdown
from app.reporting.report_pdf import report_pdf

OUT = Path("/tmp/charts")
# organisation, people, arrivals by local time of the day ("HH:MM", how many)
SCRIPT = [
    ("Cooperativa Il Gelso", 12, [("09:52", 6), ("10:03", 5)]),
    ("Auser Brescia", 8, [("10:04", 5), ("10:15", 3)]),
    ("Fondazione Asm", 6, [("10:12", 5), ("10:31", 1)]),
    ("Circolo dei Quattro", 4, [("14:02", 2)]),  # a group of 4
]
TAKE_HOME = "Una rete più larga di quanto pensassi"


@pytest.fixture
def scripted_day(event):
    """30 people of four organisations, 27 arrived on the day at the script's times, seated at
    the first three tables, and six anonymous answers to the questionnaire."""
    zone = ZoneInfo(event.timezone)
    arrived = []
    for index, (organisation, count, arrivals) in enumerate(SCRIPT):
        people = [
            register_someone(event, organisation_name=organisation, language="en" if index == 3 else "it")
            for _ in range(count)
        ]
        waves = iter(people)
        for when, how_many in arrivals:
            local = datetime.datetime.combine(event.date, datetime.time.fromisoformat(when), zone)
            moment = local.astimezone(datetime.UTC).replace(tzinfo=None)
            for person in [next(waves) for _ in range(how_many)]:
                db.session.add(
                    CheckIn(event_id=event.id, attendee_id=person.id, desk_name="Desk", checked_in_at=moment)
                )
                arrived.append(person)
    db.session.commit()
    publish_seats(event, [(person, event.tables[n % 3], 1, 0) for n, person in enumerate(arrived)])
    for person in arrived:
        db.session.add(FeedbackRequest(event_id=event.id, attendee_id=person.id, answered=False))
    for mark in (5, 4, 4, 3, 5, 5):
        db.session.add(FeedbackAnswer(event_id=event.id, answers={"overall": mark, "take_home": TAKE_HOME}))
    db.session.commit()
    return event


@pytest.fixture
def italian_report(app, scripted_day):
    with app.test_request_context(), force_locale("it"):
        report = build_report(scripted_day)
        yield report, report_pdf(report), report_markdown(report)


def pages_text(data: bytes) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return [" ".join(page.split()) for page in text.split("\f")[:-1]]


def test_chart_pages_have_every_chart_title_and_drawn_pictures(italian_report):
    report, data, _markdown = italian_report
    titles = [" ".join(figure.title.split()) for figure in report.figures]
    assert len(titles) == 7, "arrivals, types, organisations, day parts, tables, languages, network"
    pages = pages_text(data)
    chart_pages = [n for n, page in enumerate(pages) if any(title in page for title in titles)]
    found = " ".join(pages[n] for n in chart_pages)
    for title in titles:
        assert title in found, title
    assert "La giornata in numeri" in found
    document = pypdfium2.PdfDocument(data)
    OUT.mkdir(exist_ok=True)
    for number in chart_pages:
        picture = document[number].render(scale=1.4).to_pil().convert("RGB")
        picture.save(OUT / f"report-page-{number + 1}.png")
        assert _inked(picture) > 0.04, f"page {number + 1} is nearly blank"
        assert _has_colour(picture, (0, 114, 178)), f"page {number + 1} has no chart in the palette's blue"


def _inked(picture: Image.Image) -> float:
    """The share of the page that is not white."""
    grey = picture.convert("L").resize((200, 283))
    return sum(1 for value in grey.getdata() if value < 235) / (200 * 283)


def _has_colour(picture: Image.Image, colour: tuple[int, int, int], tolerance: int = 40) -> bool:
    small = picture.resize((300, 424), Image.Resampling.NEAREST)
    return any(
        all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True)) for pixel in small.getdata()
    )


def test_the_reports_figures_are_the_scripts_numbers(italian_report):
    report, _data, markdown = italian_report
    figures = {figure.key: figure for figure in report.figures}
    arrivals = {row[0]: row[2] for row in figures["arrivals"].rows}
    slots = ("09:50", "10:00", "10:10", "10:30", "14:00")
    assert [arrivals[slot] for slot in slots] == [6, 10, 8, 1, 2]
    assert arrivals["10:20"] == arrivals["12:00"] == 0 and sum(arrivals.values()) == 27
    assert "| 10:00 | 10:10 | 10 |" in markdown, "the Markdown has the numbers of the charts"
    organisations = dict(figures["organisations"].rows)
    assert organisations == {
        "Cooperativa Il Gelso": 11,
        "Auser Brescia": 8,
        "Fondazione Asm": 6,
        "Circolo dei Quattro": 2,
    }
    seated = sum(row[3] for row in figures["table_fill"].rows)
    assert seated == 27 and sum(sum(row[1:]) for row in figures["network"].rows) == 27


def test_the_feedback_is_counted_in_the_pdf_and_the_markdown(italian_report):
    report, data, markdown = italian_report
    assert report.feedback.invited == 27 and report.feedback.answered == 6
    text = " ".join(pages_text(data))
    for where in (text, markdown):
        assert "Il parere dopo la giornata" in where
        assert "Nel complesso, com'è stata la giornata?" in where
        assert TAKE_HOME in where
        assert "4,3" in where, "the average of 5, 4, 4, 3, 5, 5, as Italians write it"
