"""The badge PDF's fonts, for names outside Latin-1: DejaVu Sans reduced to the scripts names
are written in, parsed once per process and copied into each document (badge_pdf.py uses
the built-in Helvetica for the others)."""

import copy
import io
from functools import cache

from fontTools import subset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import SubsetMap, TTFFont

from app.core.fonts import FONT_DIR

FAMILY = "DejaVu"
# The scripts names are written in here: Latin (every European language, Vietnamese),
# Greek and Cyrillic, with accents and punctuation. Other characters print as a box.
_UNICODE_RANGES = (
    (0x20, 0x7E), (0xA0, 0x24F), (0x2B0, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF),
    (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x20A0, 0x20CF),
)  # fmt: skip


def add_badge_fonts(pdf: FPDF) -> str:
    """Give the document DejaVu Sans, regular and bold, without parsing it again; returns
    the family name to set fonts with."""
    for style in ("", "B"):
        template, data = _parsed_font(style)
        font = copy.copy(template)
        font.i = len(pdf.fonts) + 1
        font.ttfont = TTFont(io.BytesIO(data), lazy=True, recalcTimestamp=False)
        font.subset = SubsetMap(font)
        font.missing_glyphs = []
        font.biggest_size_pt = 0
        pdf.fonts[font.fontkey] = font
    return FAMILY


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
