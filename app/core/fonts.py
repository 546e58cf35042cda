"""The fonts the PDFs (badges, report, certificates) are drawn with.

DejaVu Sans, shipped with the app, sets Latin, Greek and Cyrillic. Every other script a name
can be written in comes from fpdf2's fallback fonts: Debian's Noto fonts (fonts-noto-core,
fonts-noto-cjk) and Symbola (fonts-symbola, monochrome emoji: PDF fonts cannot be in colour),
installed by scripts/system-deps.sh. Text shaping (uharfbuzz) joins Arabic and Devanagari and
sets Hebrew and Arabic right to left. A font that is not installed is left out: its characters
print as a box (fpdf2 logs which), the rest of the document still prints.

Each font is parsed once per process (warm_up; Noto CJK alone takes about a second) and each
document gets a cheap copy; the fonts a document did not use are dropped before it is written
(pdf_bytes), so a Latin name never pays for embedding Chinese.
"""

import copy
import io
from functools import cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fpdf import FPDF
from fpdf.fonts import HarfBuzzFont, SubsetMap, TTFFont, hb

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
FAMILY = "DejaVu"
_NOTO, _NOTO_CJK = Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/opentype/noto")
_SYMBOLA = Path("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf")
# What DejaVu draws; the rest falls back (its polytonic Greek, Hebrew and Arabic are partial).
MAIN_RANGES = (
    (0x20, 0x7E), (0xA0, 0x36F), (0x370, 0x3FF), (0x400, 0x52F), (0x1E00, 0x1EFF), (0x2000, 0x20CF),
)  # fmt: skip
_CJK_FACE = 2  # Noto Sans CJK's faces: 0 JP, 1 KR, 2 SC, 3 TC, 4 HK; each has every script's glyphs
# (family, style, file, face in the collection), in the order fpdf2 tries them.
FALLBACKS = (
    ("NotoSans", "", _NOTO / "NotoSans-Regular.ttf", 0),  # polytonic Greek, rarer Latin
    ("NotoSans", "B", _NOTO / "NotoSans-Bold.ttf", 0),
    ("NotoSansArabic", "", _NOTO / "NotoSansArabic-Regular.ttf", 0),
    ("NotoSansArabic", "B", _NOTO / "NotoSansArabic-Bold.ttf", 0),
    ("NotoSansHebrew", "", _NOTO / "NotoSansHebrew-Regular.ttf", 0),
    ("NotoSansHebrew", "B", _NOTO / "NotoSansHebrew-Bold.ttf", 0),
    ("NotoSansDevanagari", "", _NOTO / "NotoSansDevanagari-Regular.ttf", 0),
    ("NotoSansDevanagari", "B", _NOTO / "NotoSansDevanagari-Bold.ttf", 0),
    ("NotoSansCJK", "", _NOTO_CJK / "NotoSansCJK-Regular.ttc", _CJK_FACE),  # Chinese, Japanese, Korean
    ("NotoSansCJK", "B", _NOTO_CJK / "NotoSansCJK-Bold.ttc", _CJK_FACE),
    ("NotoSansMath", "", _NOTO / "NotoSansMath-Regular.ttf", 0),  # styled letters such as 𝕏𝔂𝔷
    ("Symbola", "", _SYMBOLA, 0),  # emoji
    ("Symbola", "", FONT_DIR / "Symbola.ttf", 0),  # where an admin without fonts-symbola may put it
)


def add_fonts(pdf: FPDF) -> str:
    """Give the document DejaVu Sans (regular and bold), the installed fallback fonts and text
    shaping, without parsing any font again; returns the family to set fonts with."""
    for style in ("", "B"):
        _add_copy(pdf, _main_font(style))
    families = []
    for family, style, path, face in FALLBACKS:
        if path.exists() and f"{family.lower()}{style}" not in pdf.fonts:
            _add_copy(pdf, _fallback_font(family, style, str(path), face))
            families += [] if family in families else [family]
    pdf.set_fallback_fonts(families, exact_match=False)  # bold names where no bold face exists
    pdf.set_text_shaping(True)
    return FAMILY


def pdf_bytes(pdf: FPDF) -> bytes:
    """The document, without the fallback fonts none of its text used."""
    for key, font in list(pdf.fonts.items()):
        if isinstance(font, TTFFont) and font.subset._next == 0 and not key.startswith(FAMILY.lower()):
            del pdf.fonts[key]
    return bytes(pdf.output())


def warm_up() -> None:
    """Parse every font now (a second or two), e.g. when a worker starts."""
    for style in ("", "B"):
        _main_font(style)
    for family, style, path, face in FALLBACKS:
        if path.exists():
            _fallback_font(family, style, str(path), face)


def _add_copy(pdf: FPDF, parsed: tuple[TTFFont, bytes | str, hb.Face]) -> None:
    """A copy of a parsed font for this document: shared metrics, its own subset and file."""
    template, source, face = parsed
    font = copy.copy(template)
    font.i = len(pdf.fonts) + 1
    data = io.BytesIO(source) if isinstance(source, bytes) else source
    font.ttfont = TTFont(data, lazy=True, recalcTimestamp=False, fontNumber=template.collection_font_number)
    font.subset = SubsetMap(font)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = HarfBuzzFont(face)  # its own: fpdf2 sets its size before each shaping
    pdf.fonts[font.fontkey] = font


@cache
def _main_font(style: str) -> tuple[TTFFont, bytes, hb.Face]:
    """DejaVu Sans reduced to MAIN_RANGES, and fpdf2's parse of it, once per process.

    fpdf2's add_font() parses the TTF for every document (about 60 ms for DejaVu), and writing
    a PDF subsets the font in place: so each document gets a copy of the parsed metrics with a
    fresh, lazily read copy of the reduced font. This relies on fpdf2 2.8.9's FPDF.fonts and
    TTFFont attributes (pinned); the tests render documents and read their text back, so an
    upgrade that changes them shows there.
    """
    font = TTFont(FONT_DIR / ("DejaVuSans-Bold.ttf" if style == "B" else "DejaVuSans.ttf"))
    options = subset.Options()
    options.notdef_outline = True
    options.name_IDs = ["*"]  # keep the copyright and licence notices
    options.name_languages = ["*"]
    options.glyph_names = True  # reading names back is cheaper than deriving them
    options.hinting = False  # for print: makes each PDF 40% smaller
    # Latin, Greek and Cyrillic need no shaping tables (fpdf2 would drop them from the PDF anyway);
    # the fallback fonts, whole, give the shaping engine theirs.
    options.layout_features = []
    options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "kern"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for first, last in MAIN_RANGES for c in range(first, last + 1)])
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    data = buffer.getvalue()
    template = TTFFont(FPDF(), io.BytesIO(data), f"{FAMILY.lower()}{style}", style)
    return template, data, hb.Face(hb.Blob(data))


@cache
def _fallback_font(family: str, style: str, path: str, face: int) -> tuple[TTFFont, str, hb.Face]:
    """fpdf2's parse of an installed font, once per process."""
    template = TTFFont(FPDF(), Path(path), f"{family.lower()}{style}", style, collection_font_number=face)
    return template, path, hb.Face(hb.Blob.from_file_path(path), face)
