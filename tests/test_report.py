"""The report of the day: figures, then each table's outcomes, as Markdown, PDF and CSV,
with every accent and emoji that was typed at the tables."""

import csv
import io

import pypdfium2
import pytest
from helpers import register_someone
from test_facilitators import png_bytes, publish_seats, upload_dir  # noqa: F401

from app.extensions import db
from app.facilitation import attendance as facilitation
from app.facilitation import notes, photos
from app.models import CheckIn, Role, utcnow
from app.reporting.report import build_report, outcomes_csv, report_markdown
from app.reporting.report_pdf import report_pdf

INSIGHT = "Più fiducia tra vicini di casa 🏡"
PROPOSAL = "Un caffè sospeso in ogni quartiere ☕"
QUESTION = "Come coinvolgere chi non è mai venuto? 🤔"
SUMMARY = "La comunità è già una rete: va resa visibile"


@pytest.fixture
def day(event, upload_dir):  # noqa: F811
    """A small day: four registrations (one cancelled), two check-ins, a table's notes."""
    table = event.tables[0]
    nicolo = register_someone(event, first_name="Nicolò", organisation_name="Cooperativa Lùmen")
    chiara = register_someone(event, first_name="Chiara", participant_type="city_staff")
    ugo = register_someone(event, first_name="Ugo", organisation_name="Cooperativa Lùmen")
    register_someone(event, first_name="Zeno").status = "cancelled"
    for attendee in (nicolo, chiara):
        db.session.add(
            CheckIn(event_id=event.id, attendee_id=attendee.id, desk_name="Desk", checked_in_at=utcnow())
        )
    db.session.commit()
    publish_seats(event, [(nicolo, table, 1, 0), (chiara, table, 1, 1), (ugo, table, 2, 0)])
    facilitation.set_presence(table, nicolo.id, 1, True, "f")
    facilitation.set_presence(table, chiara.id, 1, True, "f")
    round_one = notes.SheetContent(
        insights=f"{INSIGHT}\n- Servizi più vicini",
        proposals=PROPOSAL,
        questions=f'{QUESTION}\n=HYPERLINK("http://x")',
        tags=("prossimità", "giovani 🌱"),
    )
    notes.save_sheet(table, 1, round_one, 0, "report-round-1", "f@example.org")
    summary = notes.SheetContent(insights=SUMMARY, developments="Mappare le reti entro l'anno", finished=True)
    notes.save_sheet(table, 0, summary, 0, "report-summary", "f@example.org")
    photos.save_photo(table, 1, io.BytesIO(png_bytes((400, 300), "teal")), "Il cartellone finale", "f")
    return event


def test_markdown_has_the_figures_and_every_word_typed(app, day):
    text = report_markdown(build_report(day))
    for typed in (INSIGHT, PROPOSAL, QUESTION, SUMMARY, "#giovani 🌱", "Il cartellone finale"):
        assert typed in text, typed
    assert "| 4 |" in text, "four registrations"
    assert "Cooperativa Lùmen | 2 | 1 |" in text, "organisation: two registered, one checked in"
    table_row = next(line for line in text.splitlines() if line.startswith(f"| {day.tables[0].display_name}"))
    assert table_row.split("|")[2:7] == [" 3 ", " 2 ", " 2 ", " 0 ", " 0 "], (
        "assigned, checked in, present per round"
    )
    assert text.index(SUMMARY) < text.index(INSIGHT), "the closing summary comes first"


def test_outcomes_csv_has_one_row_per_item_with_table_round_kind_text_tags(app, day):
    data = outcomes_csv(day)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["table", "round", "kind", "text", "tags"]
    name = day.tables[0].name["it"]
    assert [name, "1", "insights", INSIGHT, "prossimità, giovani 🌱"] in rows
    assert [name, "1", "insights", "Servizi più vicini", "prossimità, giovani 🌱"] in rows
    assert [name, "0", "insights", SUMMARY, ""] in rows
    assert [name, "1", "questions", '\'=HYPERLINK("http://x")', "prossimità, giovani 🌱"] in rows, (
        "no formulas"
    )
    assert len(rows) == 1 + 7, "two items in the summary, five in round 1"


def pdf_text(data: bytes) -> str:
    document = pypdfium2.PdfDocument(data)
    return "\n".join(document[index].get_textpage().get_text_range() for index in range(len(document)))


def test_cli_writes_pdf_markdown_and_csv(app, day, tmp_path):
    out = tmp_path / "report"
    result = app.test_cli_runner().invoke(args=["report", "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["outcomes.csv", "report.md", "report.pdf"]
    assert INSIGHT in (out / "report.md").read_text(encoding="utf-8")
    assert PROPOSAL in (out / "outcomes.csv").read_text(encoding="utf-8-sig")
    text = " ".join(pdf_text((out / "report.pdf").read_bytes()).split())
    assert "Più fiducia tra vicini di casa" in text and "Un caffè sospeso in ogni quartiere" in text
    assert SUMMARY in text and "Cooperativa Lùmen" in text
    assert "giovani 🌱" in text and "\u25a1" not in text, "emoji are drawn (Symbola), not boxes"
    document = pypdfium2.PdfDocument((out / "report.pdf").read_bytes())
    images = [
        obj for page in document for obj in page.get_objects() if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE
    ]
    charts = len(build_report(day).figures)  # each figure of the day is drawn as a picture
    assert charts and len(images) == 1 + charts, "the table's photo is in the PDF, beside the charts"


def test_admin_downloads_the_report_files(app, day, make_staff):
    _, admin = make_staff(Role.ADMIN)
    pdf = admin.get("/brescia-citta-del-noi/admin/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    markdown = admin.get("/brescia-citta-del-noi/admin/report.md")
    assert markdown.mimetype == "text/markdown" and QUESTION in markdown.get_data(as_text=True)
    assert "attachment" in markdown.headers["Content-Disposition"]
    assert admin.get("/brescia-citta-del-noi/admin/outcomes.csv").mimetype == "text/csv"


def test_a_day_without_notes_still_makes_a_report(app, event):
    report = build_report(event)
    assert "## " in report_markdown(report)
    assert pdf_text(report_pdf(report)).count(event.tables[0].display_name) >= 1


def test_the_report_counts_each_part_of_the_day_apart_from_the_door(app, day):
    """Two checked in at the door; one scanned at lunch; two marked at the café's table."""
    from app.checkin.badges import badge_token
    from app.checkin.desks import create_desk_device
    from app.checkin.points import point_named, scan_at_point
    from app.models import Attendee

    nicolo = db.session.scalars(db.select(Attendee).filter_by(first_name="Nicolò")).one()
    device = create_desk_device(day, "Lunch desk")[0]
    scan_at_point(day, point_named(day, "lunch"), badge_token(nicolo), device, None)
    report = build_report(day)
    rows = {part.key: (part.expected, part.arrived) for part in report.parts}
    # Expected: the parts' place counters (Zeno's status was set by hand: their parts stand).
    assert rows == {"plenary": (4, 2), "lunch": (4, 1), "world-cafe": (4, 2)}
    text = report_markdown(report)
    lunch = day.day_parts[1].display_name
    assert f"| {lunch} | 4 | 1 |" in text
    plenary = next(
        line for line in text.splitlines() if line.startswith(f"| {day.day_parts[0].display_name} (")
    )
    assert plenary.endswith(" | 4 | 2 |"), "a part without its own entrance counts the door"
    pdf = pypdfium2.PdfDocument(report_pdf(report))
    assert any(
        f"{lunch}" in page.get_textpage().get_text_range() and "1 / 4" in page.get_textpage().get_text_range()
        for page in pdf
    )
