"""Printable badges: one badge per PDF, or A4 sheets of ten with cut marks.

A badge is 90 x 55 mm, landscape: the insert size of the common Italian badge holders
("portabadge", with pin, clip or lanyard) and of business-card stock. Ten fit on an A4
sheet (2 x 5) with margins left for cut marks. The name is as large as fits, on one line
or two; the QR code (18 mm) sits bottom right, where a hand does not cover it, and under it
the badge code for staff to type when the QR will not scan ("KLM 479").
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import MethodReturnValue

from app.checkin.badge_fonts import add_badge_fonts
from app.checkin.badges import BadgeData, qr_modules
from app.core.fonts import pdf_bytes

BADGE_WIDTH, BADGE_HEIGHT = 90.0, 55.0  # mm
MARGIN = 4.0
QR_SIZE = 18.0  # the symbol without its quiet zone, which the badge's white space gives
QR_TOP = 1.5  # mm below the name's box
CODE_PT, CODE_GAP = 9.0, 1.2  # the code under the QR: its size, and mm from the QR to its capitals
LUNCH_PT = 8.0
NAME_TOP, NAME_BOTTOM = 10.5, 28.0  # the name's box, the full width of the badge
NAME_MAX_PT, NAME_ONE_LINE_MIN_PT = 20.0, 14.0
PT = 25.4 / 72  # mm per point
ASCENT, LINE = 0.93, 1.17  # DejaVu Sans: baseline below a line's top, and line height, in ems
CAP_HEIGHT = 0.73  # DejaVu Sans and Helvetica: capitals' height, in ems

SHEET_WIDTH, SHEET_HEIGHT = 210.0, 297.0  # A4 portrait
COLUMNS, ROWS = 2, 5
SHEET_LEFT = (SHEET_WIDTH - COLUMNS * BADGE_WIDTH) / 2  # 15 mm
SHEET_TOP = (SHEET_HEIGHT - ROWS * BADGE_HEIGHT) / 2  # 11 mm
CUT_MARK_GAP, CUT_MARK_LENGTH = 2.0, 5.0


def badge_pdf(badge: BadgeData) -> bytes:
    """One badge on a page of its own size."""
    pdf = _new_pdf((BADGE_WIDTH, BADGE_HEIGHT), needs_unicode=_needs_unicode([badge]))
    pdf.set_title(f"{badge.first_name} {badge.last_name}")
    pdf.add_page()
    _draw_badge(pdf, badge, 0, 0)
    return pdf_bytes(pdf)


def badges_sheet_pdf(badges: Sequence[BadgeData]) -> bytes:
    """Badges ten to an A4 page, in order, edge to edge, with cut marks in the margins.
    Print at actual size (100%), not "fit to page"."""
    if not badges:
        raise ValueError("no badges to print")
    pdf = _new_pdf("A4", needs_unicode=_needs_unicode(badges))
    per_page = COLUMNS * ROWS
    for start in range(0, len(badges), per_page):
        pdf.add_page()
        _draw_cut_marks(pdf)
        for index, badge in enumerate(badges[start : start + per_page]):
            column, row = index % COLUMNS, index // COLUMNS
            _draw_badge(pdf, badge, SHEET_LEFT + column * BADGE_WIDTH, SHEET_TOP + row * BADGE_HEIGHT)
    return pdf_bytes(pdf)


@dataclass
class _Block:
    """Lines of text in one style and size."""

    lines: list[str]
    style: str
    size: float  # pt

    @property
    def height(self) -> float:  # mm
        return len(self.lines) * LINE * self.size * PT


def _draw_badge(pdf: FPDF, badge: BadgeData, x0: float, y0: float) -> None:
    """One badge with its top left corner at (x0, y0)."""
    _draw_header(pdf, badge, x0, y0)
    _draw_name(pdf, badge, x0, y0)
    # Bottom right, the QR code and its code; bottom left, beside them, who this is and what
    # the desk and the café need to know, lunch on the code's line.
    qr_x = x0 + BADGE_WIDTH - MARGIN - QR_SIZE
    qr_y = y0 + NAME_BOTTOM + QR_TOP
    _draw_qr(pdf, badge.token, qr_x, qr_y, QR_SIZE)
    baseline = _draw_code(pdf, badge.code, qr_x, qr_y + QR_SIZE + CODE_GAP, QR_SIZE)
    left, column = x0 + MARGIN, qr_x - 3 - (x0 + MARGIN)
    _draw_who(pdf, badge, left, y0 + NAME_BOTTOM + 1, column)
    _draw_lunch_and_table(pdf, badge, left, baseline + (LINE - ASCENT) * LUNCH_PT * PT, column)


def _draw_header(pdf: FPDF, badge: BadgeData, x0: float, y0: float) -> None:
    """The event, its date on the right, and a rule."""
    left, right = x0 + MARGIN, x0 + BADGE_WIDTH - MARGIN
    pdf.set_text_color(60)
    date_text = _clean(badge.event_date_text)
    pdf.set_font(pdf.badge_family, "", 7)
    date_width = pdf.get_string_width(date_text)
    _text(pdf, right - date_width, y0 + 6.5, date_text)
    event_name = _clean(badge.event_name)
    event_block = _fit(pdf, event_name, "B", 7.5, width=right - left - date_width - 3)
    pdf.set_font(pdf.badge_family, "B", event_block.size)
    _text(pdf, left, y0 + 6.5, event_name)  # on the date's baseline
    pdf.set_draw_color(150)
    pdf.set_line_width(0.25)
    pdf.line(left, y0 + 8.3, right, y0 + 8.3)


def _draw_name(pdf: FPDF, badge: BadgeData, x0: float, y0: float) -> None:
    """The name, as large as fits, on one line or two, in the middle of its box."""
    pdf.set_text_color(0)
    name = _name_block(pdf, _clean(f"{badge.first_name} {badge.last_name}"), BADGE_WIDTH - 2 * MARGIN)
    spare = NAME_BOTTOM - NAME_TOP - name.height
    _draw_lines(pdf, name, x0 + MARGIN, y0 + NAME_TOP + spare / 2)


def _draw_who(pdf: FPDF, badge: BadgeData, left: float, top: float, width: float) -> None:
    """The organisation, and below it the kind of participant, from the top down."""
    if badge.organisation:
        top = _draw_lines(pdf, _fit(pdf, _clean(badge.organisation), "", 9.5, width, max_lines=2), left, top)
    pdf.set_text_color(90)
    _draw_lines(pdf, _fit(pdf, _clean(badge.participant_type_label), "B", 7.5, width), left, top + 0.3)


def _draw_lunch_and_table(pdf: FPDF, badge: BadgeData, left: float, bottom: float, width: float) -> None:
    """Lunch, and above it the world café table, from the bottom (the QR code's) up."""
    with force_locale(badge.locale):
        lunch = _("Lunch: yes") if badge.lunch else _("Lunch: no")
        table = _("Table: %(name)s", name=_clean(badge.table_name)) if badge.table_name else None
    pdf.set_text_color(0)
    lunch_block = _fit(pdf, lunch, "B", LUNCH_PT, width)
    bottom -= lunch_block.height
    _draw_lines(pdf, lunch_block, left, bottom)
    if table:
        table_block = _fit(pdf, table, "", 7.5, width, max_lines=2)
        _draw_lines(pdf, table_block, left, bottom - table_block.height - 0.5)


def _name_block(pdf: FPDF, name: str, width: float) -> _Block:
    """One line if the name fits it in large type, else two lines in the largest type that
    fits them. A name of one very long word shrinks until it fits."""
    one_line = _fit(pdf, name, "B", NAME_MAX_PT, width)
    if one_line.size >= NAME_ONE_LINE_MIN_PT:
        return one_line
    return _fit(pdf, name, "B", NAME_MAX_PT * 0.9, width, max_lines=2)


def _fit(pdf: FPDF, text: str, style: str, largest: float, width: float, max_lines: int = 1) -> _Block:
    """text in the largest type (at most ``largest`` pt, in half points) that fpdf2 breaks into
    at most max_lines lines of whole words, width mm wide; at worst, one line that wide."""
    if not text:
        return _Block([], style, largest)
    one_line = min(largest, _one_line_size(pdf, text, style, width))
    size = min(largest, _largest_that_may_fit(pdf, text, style, width, max_lines))
    while size > one_line:
        lines = _lines_at(pdf, text, style, size, width)
        if len(lines) <= max_lines and " ".join(lines).split() == text.split():
            return _Block(lines, style, size)
        size -= 0.5
    return _Block([text], style, one_line)


def _largest_that_may_fit(pdf: FPDF, text: str, style: str, width: float, max_lines: int) -> float:
    """Where _fit starts: no larger type fits the whole text over max_lines lines, or its
    widest word on one."""
    pdf.set_font(pdf.badge_family, style, 10)
    widest_word = max(text.split(), key=pdf.get_string_width)
    return min(
        _one_line_size(pdf, text, style, width * max_lines), _one_line_size(pdf, widest_word, style, width)
    )


def _lines_at(pdf: FPDF, text: str, style: str, size: float, width: float) -> list[str]:
    """The lines fpdf2 breaks text into at this size (a dry run: nothing is drawn). A word
    longer than the width is broken inside, which _fit refuses."""
    pdf.set_font(pdf.badge_family, style, size)
    return pdf.multi_cell(width, text=text, dry_run=True, output=MethodReturnValue.LINES)


def _one_line_size(pdf: FPDF, text: str, style: str, width: float) -> float:
    """The type size (pt) at which text on one line is width mm wide: widths scale with size."""
    pdf.set_font(pdf.badge_family, style, 10)
    natural = pdf.get_string_width(text)
    return 10 * width / natural if natural else 100.0


def _draw_lines(pdf: FPDF, block: _Block, x: float, top: float) -> float:
    """Draw the lines from top down; returns the y below the last one."""
    pdf.set_font(pdf.badge_family, block.style, block.size)
    for line in block.lines:
        _text(pdf, x, top + ASCENT * block.size * PT, line)
        top += LINE * block.size * PT
    return top


def _text(pdf: FPDF, x: float, baseline: float, text: str) -> None:
    """text from x on this baseline. A cell, unlike pdf.text(), takes what the font lacks from
    the fallback fonts and shapes it (joined Arabic, right-to-left Hebrew)."""
    pdf.set_xy(x, baseline - 0.8 * pdf.font_size)  # fpdf2 sets a cell's baseline 0.5 h + 0.3 em down
    pdf.cell(h=pdf.font_size, text=text)


def _draw_qr(pdf: FPDF, token: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares (sharp at any print resolution), one rectangle per
    run of dark modules; rows overlap by a hair so that viewers show no seams. The
    rectangles make one filled path, written as PDF operators in one go: fpdf2's rect()
    costs 20 us each, and a badge has about 170 of them."""
    modules = qr_modules(token)
    module = size / len(modules)
    pdf.set_fill_color(0)
    k, page_height = pdf.k, pdf.h  # points per mm; fpdf2's y runs down, the PDF's up
    operators = []
    for row_index, row in enumerate(modules):
        top = y + row_index * module
        height = module if row_index == len(modules) - 1 else module * 1.03
        start = None
        for column_index, dark in enumerate([*row, False]):
            if dark and start is None:
                start = column_index
            elif not dark and start is not None:
                left, width = x + start * module, (column_index - start) * module
                operators.append(
                    f"{left * k:.2f} {(page_height - top) * k:.2f} {width * k:.2f} {-height * k:.2f} re"
                )
                start = None
    operators.append("f")  # fill them all (the overlaps too: nonzero winding)
    pdf._out("\n".join(operators))  # fpdf2 2.8.9 (pinned): what rect(style="F") writes, one by one


def _draw_code(pdf: FPDF, code: str, x: float, top: float, width: float) -> float:
    """The badge code centred under the QR, its capitals from ``top`` down; returns its baseline."""
    pdf.set_text_color(0)
    pdf.set_font(pdf.badge_family, "B", CODE_PT)
    baseline = top + CAP_HEIGHT * CODE_PT * PT
    _text(pdf, x + (width - pdf.get_string_width(code)) / 2, baseline, code)
    return baseline


def _draw_cut_marks(pdf: FPDF) -> None:
    pdf.set_draw_color(0)
    pdf.set_line_width(0.2)
    top, bottom = SHEET_TOP, SHEET_TOP + ROWS * BADGE_HEIGHT
    left, right = SHEET_LEFT, SHEET_LEFT + COLUMNS * BADGE_WIDTH
    for column in range(COLUMNS + 1):
        x = left + column * BADGE_WIDTH
        pdf.line(x, top - CUT_MARK_GAP - CUT_MARK_LENGTH, x, top - CUT_MARK_GAP)
        pdf.line(x, bottom + CUT_MARK_GAP, x, bottom + CUT_MARK_GAP + CUT_MARK_LENGTH)
    for row in range(ROWS + 1):
        y = top + row * BADGE_HEIGHT
        pdf.line(left - CUT_MARK_GAP - CUT_MARK_LENGTH, y, left - CUT_MARK_GAP, y)
        pdf.line(right + CUT_MARK_GAP, y, right + CUT_MARK_GAP + CUT_MARK_LENGTH, y)


def _clean(text: str | None) -> str:
    """One line of composed characters: "Lu" + combining grave becomes "Lù"."""
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def _needs_unicode(badges: Sequence[BadgeData]) -> bool:
    """Whether any text is outside Latin-1, the range of the PDF's built-in Helvetica."""
    for badge in badges:
        texts = (badge.first_name, badge.last_name, badge.organisation, badge.participant_type_label,
                 badge.table_name, badge.event_name, badge.event_date_text)  # fmt: skip
        with force_locale(badge.locale):
            texts += (_("Lunch: yes"), _("Lunch: no"), _("Table: %(name)s", name=""))
        try:
            "".join(_clean(text) for text in texts).encode("latin-1")
        except UnicodeEncodeError:
            return True
    return False


def _new_pdf(page_format, needs_unicode: bool = True) -> FPDF:
    """A PDF set up for badges. Names in Latin-1 (Italian, most Western European ones) use
    the built-in Helvetica: nothing to embed, about ten times faster than embedding DejaVu
    (badge_fonts.py) with its fallback fonts, which the others get."""
    pdf = FPDF(unit="mm", format=page_format)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.c_margin = 0  # multi_cell's inner padding: lines get the whole width they are given
    pdf.set_creator("Noi Day")
    pdf.badge_family = add_badge_fonts(pdf) if needs_unicode else "helvetica"
    return pdf
