"""How the report PDF reads on paper: tables without notes share a page, no heading is left
alone at the foot of a page, headings are not justified, column headers keep whole words and
the date reads as people write it. Read back with poppler's pdftotext, as a reader would."""

import datetime
import re
import subprocess

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from PIL import Image

from app.reporting.report import KIND_LABELS, Report, build_report, report_markdown, round_title
from app.reporting.report_pdf import report_pdf
from app.reporting.table_outcomes import PhotoEntry, SheetOutcome, TableReport

TITLE = "Giornata di prova"
TABLES = [
    "La forza della comunità",
    "Prima infanzia",
    "Contrasto alla povertà, impegno sociale e promozione del lavoro",
    "Le 100 leve",
]


def pages_text(data: bytes, *, layout: bool = False) -> list[str]:
    """The text of each page, footers included."""
    command = ["pdftotext", *(["-layout"] if layout else []), "-", "-"]
    text = subprocess.run(command, input=data, capture_output=True, check=True).stdout.decode()
    return text.split("\f")[:-1]


def content_lines(page: str) -> list[str]:
    """A page's lines without the footer ("title · page number")."""
    return [line.strip() for line in page.splitlines() if line.strip() and not line.startswith(TITLE)]


def sheet(round: int, lines: int) -> SheetOutcome:
    items = {
        "insights": [f"Spunto {n} del giro {round}: più fiducia tra vicini" for n in range(lines)],
        "proposals": ["Un caffè sospeso in ogni quartiere"],
    }
    return SheetOutcome(round=round, items=items, tags=["prossimità"], finished=round == 0)


def day_report(filler: int, photo: PhotoEntry | None = None, rounds=(1, 2, 3)) -> Report:
    """Four tables: the first with `filler` lines of notes (it moves everything after it down),
    two with notes and a photo, one without notes."""
    tables = [TableReport(name, ["Facilitatrice Uno"], 12, {r: 9 for r in rounds}, 10, 11) for name in TABLES]
    tables[0].sheets = [sheet(0, 2), sheet(1, filler)]
    tables[2].sheets = [sheet(0, 3), sheet(1, 4), sheet(2, 4)]
    tables[2].photos = [photo] if photo else []
    tables[3].sheets = [sheet(1, 6)]
    counts = {"confirmed": 40, "waitlisted": 2, "cancelled": 3}
    return Report(
        TITLE, "MO.CA", "13 luglio 2027", 45, counts, 38, list(rounds), tables, [("Cittadino", 40, 38)], []
    )


@pytest.fixture
def italian_context(app):
    with app.test_request_context(), force_locale("it"):
        yield


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "cartellone.png"
    Image.new("RGB", (800, 600), "teal").save(path)
    return PhotoEntry(1, "Il cartellone", path, 800, 600)


def test_tables_without_notes_share_one_page(app, event, italian_context):
    pages = pages_text(report_pdf(build_report(event)))
    assert len(pages) == 2, "the figures, then the six tables' outcomes together"
    for table in event.tables:
        assert " ".join(table.display_name.split()) in " ".join(pages[1].split())


def test_no_heading_stands_alone_at_the_foot_of_a_page(italian_context, photo):
    headings = {*TABLES, _("Photos"), *(str(label) for label in KIND_LABELS.values())}
    headings |= {round_title(r) for r in (1, 2)} | {round_title(0) + " (" + _("finished") + ")"}
    breaks = 0
    for filler in range(0, 45, 3):  # the page breaks fall on every kind of line in turn
        pages = pages_text(report_pdf(day_report(filler, photo)))
        breaks += len(pages)
        for number, page in enumerate(pages[1:], start=2):
            lines = content_lines(page)
            assert lines and lines[-1] not in headings, (filler, number, lines[-3:])
            assert not set(lines) <= headings, (filler, number, "a page with only headings")
    assert breaks > 3 * 15, "the outcomes ran over several pages"


def words_on_the_line_of(data: bytes, first_word: str) -> list[tuple[float, float, float]]:
    """(left, right, height) in points of each word on the line that starts with first_word (in
    its largest print: a heading rather than a table's cell)."""
    boxes = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=data, capture_output=True, check=True)
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    found = re.findall(pattern, boxes.stdout.decode())
    words = [(float(x), float(y), float(right), float(bottom)) for x, y, right, bottom, _w in found]
    start = max(
        (i for i, w in enumerate(found) if w[4] == first_word), key=lambda i: words[i][3] - words[i][1]
    )
    line = [word for word in words[start:] if word[1::2] == words[start][1::2]]  # same top and bottom
    return [(x, right, bottom - y) for x, y, right, bottom in line]


def test_headings_are_left_aligned_not_justified(italian_context):
    line = words_on_the_line_of(report_pdf(day_report(0)), "Contrasto")  # a heading of two lines
    assert len(line) >= 4, "the heading's first line"
    gaps = [right[0] - left[1] for left, right in zip(line, line[1:], strict=False)]
    assert max(gaps) < 0.5 * line[0][2], ("words spread apart", gaps)


@pytest.mark.parametrize("rounds", [(1, 2, 3), tuple(range(1, 7))])
def test_column_headers_keep_whole_words(italian_context, rounds):
    words = pages_text(report_pdf(day_report(0, rounds=rounds)))[0].split()
    checked_in = _("Checked in").split()  # "Accreditamento fatto"
    for word in checked_in + _("Assigned").split():
        assert word in words, word
    broken = [w for w in words if w != checked_in[0] and checked_in[0].startswith(w) and len(w) > 3]
    assert not broken, broken


def test_the_date_reads_as_people_write_it(app, event):
    event.date = datetime.date(2027, 7, 13)
    with app.test_request_context(), force_locale("it"):
        report = build_report(event)
        assert "13 luglio 2027" in " ".join(pages_text(report_pdf(report))[0].split())
        assert "13 luglio 2027" in report_markdown(report)
    with app.test_request_context(), force_locale("en"):
        assert "July 13, 2027" in report_markdown(build_report(event))
