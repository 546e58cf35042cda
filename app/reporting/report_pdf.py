"""The report of the day as a PDF (A4): figures, then each table's outcomes and photos.

Set in DejaVu Sans (app/static/fonts); names in other scripts and emoji (🌱, 👍: facilitators
type them in tags and notes) come from the fallback fonts of app/core/fonts.py (Noto, Symbola).
A character no font has prints as a white box (□) here, and stays verbatim in the Markdown and
CSV reports.
"""

import io
import unicodedata
from pathlib import Path

from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from app.core.fonts import FAMILY, add_fonts, pdf_bytes
from app.reporting.report import KIND_LABELS, Report, average_text, part_rows, round_title
from app.reporting.table_outcomes import PhotoEntry, TableReport
from app.results import charts
from app.results.feedback import FeedbackSummary
from app.results.figures import Figure

MISSING = "\u25a1"  # □
INVISIBLE = {"\ufe0f", "\ufe0e", "\u200d"}  # emoji presentation selectors and joiners
PHOTO_WIDTH = 88.0  # mm: two photos side by side on A4
PHOTO_MAX_HEIGHT = 90.0
PHOTO_PIXELS = 1400  # longest side in the PDF: sharp in print, a fraction of the upload
ACCENT = (11, 92, 173)
GRID_SIZE = 9.5  # pt, the tables' text
NUMBER_COLUMN = 16.0  # mm, the narrowest column of figures
KEEP_WITH_HEADING = 22.0  # mm of what follows a heading that must fit under it, or it moves on


class _ReportPdf(FPDF):
    def footer(self):
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.title_text} · {self.page_no()}", align="C")


def report_pdf(report: Report) -> bytes:
    pdf = _ReportPdf(unit="mm", format="A4")
    add_fonts(pdf)
    pdf.title_text = _printable(pdf, report.event_name)
    pdf.set_title(_("Report of the day") + f": {report.event_name}")
    pdf.set_creator("Noi Day")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    _figures(pdf, report)
    _charts(pdf, report.figures)
    _feedback(pdf, report.feedback)
    pdf.add_page()  # the outcomes follow one another: a table without notes takes a few lines
    _heading(pdf, _("Outcomes of the tables"), 16)
    for table in report.tables:
        _table_outcomes(pdf, table)
    return pdf_bytes(pdf)


def _printable(pdf: FPDF, text: str) -> str:
    """Composed characters; what no font can draw becomes a box."""
    cmaps = [font.cmap for font in pdf.fonts.values()]
    text = unicodedata.normalize("NFC", str(text))
    return "".join(
        ""
        if char in INVISIBLE
        else char
        if char in "\n\t" or any(ord(char) in cmap for cmap in cmaps)
        else MISSING
        for char in text
    )


def _heading(pdf: FPDF, text: str, size: float, gap: float = 3, keep: float = KEEP_WITH_HEADING) -> None:
    """A left-aligned heading that never stands alone at the foot of a page: it moves to the
    next one unless `keep` mm of what follows fit under it."""
    pdf.set_font(FAMILY, "B", size)
    text = _printable(pdf, text)
    lines = pdf.multi_cell(0, size * 0.5, text, dry_run=True, output="LINES")
    _keep_room(pdf, len(lines) * size * 0.5 + gap + keep)
    pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(gap)


def _keep_room(pdf: FPDF, height: float) -> None:
    """A new page unless `height` mm fit on this one (never a blank page: at its top, it fits)."""
    if pdf.get_y() > pdf.t_margin + 1 and pdf.will_page_break(height):
        pdf.add_page()


def _paragraph(pdf: FPDF, text: str, size: float = 10.5, style: str = "") -> None:
    pdf.set_font(FAMILY, style, size)
    pdf.multi_cell(0, size * 0.5, _printable(pdf, text), new_x="LMARGIN", new_y="NEXT")


def _grid(pdf: FPDF, header: list[str], rows: list[list]) -> None:
    """A table: a first column of names, then columns of figures."""
    header = [_printable(pdf, cell) for cell in header]
    size, widths = _column_widths(pdf, header)
    pdf.set_font(FAMILY, "", GRID_SIZE)
    headings = FontFace(emphasis="BOLD", size_pt=size, fill_color=(232, 238, 246))
    with pdf.table(
        width=pdf.epw,
        col_widths=widths,
        text_align=("LEFT", *["RIGHT"] * (len(header) - 1)),
        headings_style=headings,
    ) as table:
        table.row(header)
        for values in rows:
            table.row([_printable(pdf, cell) for cell in values])
    pdf.ln(4)


def _column_widths(pdf: FPDF, header: list[str]) -> tuple[float, tuple[float, ...]]:
    """The headings' size and the columns' widths (mm) such that every word of a heading fits on
    a line of its column ("Accreditamento", never "Accredita/mento"); the names take the rest."""
    for size in (GRID_SIZE, GRID_SIZE - 1, GRID_SIZE - 2):
        pdf.set_font(FAMILY, "B", size)
        figures = [max(NUMBER_COLUMN, _longest_word(pdf, cell) + 2 * pdf.c_margin + 1) for cell in header[1:]]
        if pdf.epw - sum(figures) >= pdf.epw / 3:
            break
    names = max(pdf.epw - sum(figures), _longest_word(pdf, header[0]) + 2 * pdf.c_margin + 1)
    return size, (names, *figures)


def _longest_word(pdf: FPDF, text: str) -> float:
    return max((pdf.get_string_width(word) for word in text.split()), default=0)


def _figures(pdf: FPDF, report: Report) -> None:
    _heading(pdf, _("Report of the day") + f": {report.event_name}", 18)
    _paragraph(pdf, f"{report.venue} · {report.date_text}")
    pdf.ln(4)
    _heading(pdf, _("Registrations and attendance"), 14)
    counts = report.status_counts
    _grid(
        pdf,
        ["", _("People")],
        [
            [_("Registrations"), report.registered],
            [_("Confirmed"), counts["confirmed"]],
            [_("Waiting list"), counts["waitlisted"]],
            [_("Cancelled"), counts["cancelled"]],
            [_("Checked in at the desk"), report.checked_in],
            # Per part of the day, in the same grid (the figures keep to their page).
            *(
                [_("Arrived: %(part)s", part=name), f"{arrived} / {expected}"]
                for name, expected, arrived in part_rows(report.parts)
            ),
        ],
    )
    _heading(pdf, _("Per table"), 12)
    header = [_("Table"), _("Assigned"), _("Checked in")]
    header += [_("Round %(number)d", number=r) for r in report.rounds] + [_("Any round")]
    rows = [
        [t.name, t.assigned, t.checked_in_assigned]
        + [t.present_by_round.get(r, 0) for r in report.rounds]
        + [t.present_any_round]
        for t in report.tables
    ]
    _grid(pdf, header, rows)
    _paragraph(pdf, _("Rounds: people ticked or scanned present at the table by its facilitator."), 8.5)
    pdf.ln(3)
    _heading(pdf, _("Per participant type"), 12)
    _grid(pdf, [_("Participant type"), _("Confirmed"), _("Checked in")], report.participant_types)
    _heading(pdf, _("Organisations represented") + f" ({len(report.organisations)})", 12)
    _grid(pdf, [_("Organisation"), _("Confirmed"), _("Checked in")], report.organisations)


def _charts(pdf: FPDF, figures: list[Figure]) -> None:
    """The day in figures: each chart across the page under its title (text, for the reader
    and the search), its note below; a chart moves to the next page rather than be cut."""
    if not figures:
        return
    pdf.add_page()
    _heading(pdf, _("The day in figures"), 16)
    for figure in figures:
        picture = Image.open(io.BytesIO(charts.png(figure)))
        width = pdf.epw
        height = width * picture.height / picture.width
        most = pdf.h - pdf.t_margin - pdf.b_margin - 30  # room for the title and the note
        if height > most:
            width, height = width * most / height, most
        _heading(pdf, figure.title, 12, 2, keep=height + 4)
        pdf.image(picture, x=pdf.l_margin + (pdf.epw - width) / 2, w=width, h=height)
        pdf.ln(1)
        if figure.note:
            _paragraph(pdf, figure.note, 8.5)
        pdf.ln(4)


def _feedback(pdf: FPDF, summary: FeedbackSummary | None) -> None:
    """The questionnaire's answers counted: marks per rating question, open answers as written."""
    if summary is None:
        return
    _heading(pdf, _("Feedback after the day"), 14)
    _paragraph(
        pdf,
        _(
            "Questionnaires sent: %(invited)d · answered: %(answered)d",
            invited=summary.invited,
            answered=summary.answered,
        ),
    )
    pdf.ln(3)
    for question in summary.questions:
        _heading(pdf, question.label, 11, 1, keep=14)
        if question.kind == "rating":
            marks = [question.ratings.get(rating, 0) for rating in range(1, 6)]
            header = [_("Rating"), "1", "2", "3", "4", "5", _("Average")]
            _grid(
                pdf,
                header,
                [[_("Answers: %(count)d", count=question.answers), *marks, average_text(question.average)]],
            )
            continue
        pdf.set_font(FAMILY, "", 10)
        if not question.texts:
            _paragraph(pdf, _("No answers yet."), 10)
        for text in question.texts:
            pdf.set_x(pdf.l_margin + 2)
            pdf.multi_cell(0, 5, f"• {_printable(pdf, text)}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)


def _table_outcomes(pdf: FPDF, table: TableReport) -> None:
    pdf.ln(3)
    _heading(pdf, table.name, 14, gap=1, keep=30 if table.sheets else 12)
    if table.facilitators:
        _paragraph(pdf, _("Facilitators") + f": {', '.join(table.facilitators)}", 10)
    pdf.ln(2)
    if not table.sheets:
        _paragraph(pdf, _("No notes were taken at this table."))
    for sheet in table.sheets:
        title = round_title(sheet.round)
        if sheet.finished and sheet.round == 0:
            title += " (" + _("finished") + ")"
        _heading(pdf, title, 12, 1)
        for kind, values in sheet.items.items():
            _keep_room(pdf, 12)  # the label with its first item
            _paragraph(pdf, str(KIND_LABELS[kind]), 10.5, "B")
            pdf.set_font(FAMILY, "", 10.5)
            for value in values:
                pdf.set_x(pdf.l_margin + 2)
                pdf.multi_cell(0, 5.2, f"• {_printable(pdf, value)}", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        if sheet.tags:
            _paragraph(pdf, _("Tags") + ": " + ", ".join(f"#{tag}" for tag in sheet.tags), 9.5)
        pdf.ln(3)
    if table.photos:
        first_row = [_fitted(photo)[1] for photo in table.photos[:2]]
        _heading(pdf, _("Photos"), 12, 2, keep=max(first_row) + 12)
        _photos(pdf, table.photos)


def _photos(pdf: FPDF, photos: list[PhotoEntry]) -> None:
    """Two photos a row, each scaled to fit its box, caption below."""
    gap = pdf.epw - 2 * PHOTO_WIDTH
    for start in range(0, len(photos), 2):
        row = [photo for photo in photos[start : start + 2] if photo.path.exists()]
        if not row:
            continue
        sizes = [_fitted(photo) for photo in row]
        row_height = max(height for _width, height in sizes) + 12
        if pdf.get_y() + row_height > pdf.h - pdf.b_margin:
            pdf.add_page()
        top = pdf.get_y()
        for index, (photo, (width, height)) in enumerate(zip(row, sizes, strict=True)):
            x = pdf.l_margin + index * (PHOTO_WIDTH + gap)
            pdf.image(_downscaled(photo.path), x=x, y=top, w=width, h=height)
            pdf.set_xy(x, top + height + 1)
            pdf.set_font(FAMILY, "", 8.5)
            caption = round_title(photo.round) + (f": {photo.caption}" if photo.caption else "")
            pdf.multi_cell(PHOTO_WIDTH, 4, _printable(pdf, caption))
        pdf.set_xy(pdf.l_margin, top + row_height)


def _fitted(photo: PhotoEntry) -> tuple[float, float]:
    scale = min(PHOTO_WIDTH / photo.width, PHOTO_MAX_HEIGHT / photo.height)
    return photo.width * scale, photo.height * scale


def _downscaled(path: Path) -> Image.Image:
    with Image.open(path) as image:
        image.load()
    image = image.convert("RGB")
    image.thumbnail((PHOTO_PIXELS, PHOTO_PIXELS), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82)
    buffer.seek(0)
    return Image.open(buffer)
