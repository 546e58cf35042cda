"""Printable badges: one badge per PDF, or A4 sheets of ten with cut marks.

A badge is 90 x 55 mm, landscape: the insert size of the common Italian badge holders
("portabadge", with pin, clip or lanyard) and of business-card stock. Ten fit on an A4
sheet (2 x 5) with margins left for cut marks. The name is as large as fits, on one line
or two; the QR code (about 21 mm) sits bottom right, where a hand does not cover it.
"""

import copy
import io
import unicodedata
from collections.abc import Sequence
from functools import cache

from flask_babel import force_locale
from flask_babel import gettext as _
from fontTools import subset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from app.checkin.badges import BadgeData, qr_code
from app.core.fonts import FONT_DIR

FAMILY = "DejaVu"
# The scripts names are written in here: Latin (every European language, Vietnamese),
# Greek and Cyrillic, with accents and punctuation. Other characters print as a box.
_UNICODE_RANGES = (
    (0x20, 0x7E), (0xA0, 0x24F), (0x2B0, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF),
    (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x20A0, 0x20CF),
)  # fmt: skip

BADGE_WIDTH, BADGE_HEIGHT = 90.0, 55.0  # mm
MARGIN = 4.0
QR_SIZE = 21.0  # the symbol without its quiet zone, which the badge's white space gives
NAME_TOP, NAME_BOTTOM = 10.5, 28.0  # the name's box, the full width of the badge
NAME_MAX_PT, NAME_ONE_LINE_MIN_PT = 20.0, 14.0
PT = 25.4 / 72  # mm per point
ASCENT, LINE = 0.93, 1.17  # DejaVu Sans: baseline below a line's top, and line height, in ems

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
    return bytes(pdf.output())


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
    return bytes(pdf.output())


def _draw_badge(pdf: FPDF, badge: BadgeData, x0: float, y0: float) -> None:
    inner = BADGE_WIDTH - 2 * MARGIN
    left = x0 + MARGIN
    with force_locale(badge.locale):
        lunch = _("Lunch: yes") if badge.lunch else _("Lunch: no")
        table = _("Table: %(name)s", name=_clean(badge.table_name)) if badge.table_name else None

    # Header: the event, its date on the right, and a rule.
    pdf.set_text_color(60)
    date_text = _clean(badge.event_date_text)
    pdf.set_font(pdf.badge_family, "", 7)
    date_width = pdf.get_string_width(date_text)
    pdf.text(x0 + BADGE_WIDTH - MARGIN - date_width, y0 + 6.5, date_text)
    event_width = inner - date_width - 3
    pdf.set_font(
        pdf.badge_family, "B", min(7.5, _fitting_size(pdf, _clean(badge.event_name), "B", event_width))
    )
    pdf.text(left, y0 + 6.5, _clean(badge.event_name))
    pdf.set_draw_color(150)
    pdf.set_line_width(0.25)
    pdf.line(left, y0 + 8.3, x0 + BADGE_WIDTH - MARGIN, y0 + 8.3)

    # The name, as large as fits, on one line or two.
    pdf.set_text_color(0)
    lines, size = _name_lines(pdf, _clean(f"{badge.first_name} {badge.last_name}"), inner)
    spare = NAME_BOTTOM - NAME_TOP - len(lines) * LINE * size * PT
    _draw_lines(pdf, lines, "B", size, left, y0 + NAME_TOP + spare / 2)

    # Bottom right, the QR code; bottom left, what the desk and the café need to know.
    qr_x = x0 + BADGE_WIDTH - MARGIN - QR_SIZE
    qr_y = y0 + BADGE_HEIGHT - MARGIN - QR_SIZE
    _draw_qr(pdf, badge.token, qr_x, qr_y, QR_SIZE)
    column = qr_x - 3 - left
    top = y0 + NAME_BOTTOM + 1
    if badge.organisation:
        lines, size = _wrapped(pdf, _clean(badge.organisation), "", 9.5, column, max_lines=2)
        top = _draw_lines(pdf, lines, "", size, left, top)
    pdf.set_text_color(90)
    lines, size = _wrapped(pdf, _clean(badge.participant_type_label), "B", 7.5, column, max_lines=1)
    _draw_lines(pdf, lines, "B", size, left, top + 0.3)

    pdf.set_text_color(0)
    bottom = qr_y + QR_SIZE
    lines, size = _wrapped(pdf, lunch, "B", 8, column, max_lines=1)
    bottom -= len(lines) * size * PT * LINE
    _draw_lines(pdf, lines, "B", size, left, bottom)
    if table:
        lines, size = _wrapped(pdf, table, "", 7.5, column, max_lines=2)
        bottom -= len(lines) * size * PT * LINE + 0.5
        _draw_lines(pdf, lines, "", size, left, bottom)


def _name_lines(pdf: FPDF, name: str, width: float) -> tuple[list[str], float]:
    """One line if the name fits it in large type, else the two-line split that allows
    the largest type. A name of one very long word shrinks until it fits."""
    one_line = min(NAME_MAX_PT, _fitting_size(pdf, name, "B", width))
    words = name.split()
    if one_line >= NAME_ONE_LINE_MIN_PT or len(words) < 2:
        return [name], one_line
    splits = [[" ".join(words[:i]), " ".join(words[i:])] for i in range(1, len(words))]
    lines = max(splits, key=lambda pair: min(_fitting_size(pdf, line, "B", width) for line in pair))
    two_lines = min(NAME_MAX_PT * 0.9, *(_fitting_size(pdf, line, "B", width) for line in lines))
    return (lines, two_lines) if two_lines > one_line else ([name], one_line)


def _wrapped(pdf: FPDF, text: str, style: str, size: float, width: float, max_lines: int):
    """Word-wrap to at most max_lines lines, shrinking the type until everything fits."""
    while True:
        pdf.set_font(pdf.badge_family, style, size)
        lines: list[str] = []
        for word in text.split():
            if lines and pdf.get_string_width(f"{lines[-1]} {word}") <= width:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        fits = all(pdf.get_string_width(line) <= width for line in lines)
        if (len(lines) <= max_lines and fits) or size <= 4:
            break
        size -= 0.5
    if len(lines) > max_lines:  # only at the smallest size: squeeze into the last line
        lines[max_lines - 1 :] = [" ".join(lines[max_lines - 1 :])]
    if not all(pdf.get_string_width(line) <= width for line in lines):
        size = min(size, *(_fitting_size(pdf, line, style, width) for line in lines))
    return lines, size


def _fitting_size(pdf: FPDF, text: str, style: str, width: float) -> float:
    """The type size (pt) at which text is exactly width mm wide: widths scale with size."""
    pdf.set_font(pdf.badge_family, style, 10)
    natural = pdf.get_string_width(text)
    return 10 * width / natural if natural else 100.0


def _draw_lines(pdf: FPDF, lines: list[str], style: str, size: float, x: float, top: float) -> float:
    """Draw lines from top down; returns the y below the last one."""
    pdf.set_font(pdf.badge_family, style, size)
    for line in lines:
        pdf.text(x, top + ASCENT * size * PT, line)
        top += LINE * size * PT
    return top


def _draw_qr(pdf: FPDF, token: str, x: float, y: float, size: float) -> None:
    """The QR code as vector squares (sharp at any print resolution), one rectangle per
    run of dark modules; rows overlap by a hair so that viewers show no seams."""
    modules = qr_code(token).modules
    module = size / len(modules)
    pdf.set_fill_color(0)
    for row_index, row in enumerate(modules):
        top = y + row_index * module
        height = module if row_index == len(modules) - 1 else module * 1.03
        start = None
        for column_index, dark in enumerate([*row, False]):
            if dark and start is None:
                start = column_index
            elif not dark and start is not None:
                pdf.rect(x + start * module, top, (column_index - start) * module, height, style="F")
                start = None


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
    the built-in Helvetica: nothing to embed, about ten times faster than embedding DejaVu,
    which the others get."""
    pdf = FPDF(unit="mm", format=page_format)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creator("Noi Day")
    pdf.badge_family = FAMILY if needs_unicode else "helvetica"
    if not needs_unicode:
        return pdf
    for style in ("", "B"):
        template, data = _parsed_font(style)
        font = copy.copy(template)
        font.i = len(pdf.fonts) + 1
        font.ttfont = TTFont(io.BytesIO(data), lazy=True, recalcTimestamp=False)
        font.subset = SubsetMap(font)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        pdf.fonts[font.fontkey] = font
    return pdf


@cache
def _parsed_font(style: str) -> tuple[TTFFont, bytes]:
    """DejaVu Sans reduced to the scripts above, and fpdf2's parse of it, once per process
    (about 0.4 s for both faces, on the first badge).

    fpdf2's add_font() parses the TTF for every document (about 60 ms for DejaVu), and
    writing a PDF subsets the font in place. So each document gets a copy of the parsed
    metrics with a fresh, lazily read copy of the reduced font: a badge takes about 25 ms
    instead of 70-200, most of it fpdf2 subsetting the font into the PDF.
    This relies on fpdf2 2.8.9's FPDF.fonts and TTFFont attributes (pinned); the tests
    render badges and read their text back, so an upgrade that changes them shows there.
    """
    font = TTFont(FONT_DIR / ("DejaVuSans-Bold.ttf" if style == "B" else "DejaVuSans.ttf"))
    options = subset.Options()
    options.notdef_outline = True
    options.name_IDs = ["*"]  # keep the copyright and licence notices
    options.name_languages = ["*"]
    options.glyph_names = True  # reading names back is cheaper than deriving them
    options.hinting = False  # for print: makes each PDF 40% smaller
    # No text shaping here, so no layout tables (fpdf2 would drop them from the PDF anyway).
    options.layout_features = []
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "kern"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for first, last in _UNICODE_RANGES for c in range(first, last + 1)])
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    data = buffer.getvalue()
    return TTFFont(FPDF(), io.BytesIO(data), f"{FAMILY.lower()}{style}", style), data


def warm_up() -> None:
    """Parse the fonts now (about half a second), e.g. when a worker starts."""
    _parsed_font("")
    _parsed_font("B")
