"""Names in every script print on the badge, the A4 sheet, the certificate and the report:
pdftotext reads each name back, and a picture of the page shows ink where the name is.
Bidi controls and zero-width characters are removed from names at registration."""

import subprocess
import unicodedata
from pathlib import Path

import pytest
from helpers import post_registration, register_someone
from PIL import Image
from sqlalchemy import select

from app.checkin.badge_pdf import badge_pdf, badges_sheet_pdf
from app.checkin.badges import BadgeData
from app.extensions import db
from app.models import Attendee
from app.reporting.certificates import Certificate, certificate_pdf
from app.reporting.report import build_report
from app.reporting.report_pdf import report_pdf

PICTURES = Path("/tmp/badge-scripts")
NAMES = {  # script: (first name, last name)
    "latin": ("Łukasz", "Ørsted-Núñez"),
    "greek": ("Ἀλέξανδρος", "Παπαδόπουλος"),
    "cyrillic": ("Ольга", "Кузнецова"),
    "arabic": ("محمد", "العلي"),
    "hebrew": ("שרה", "כהן"),
    "devanagari": ("अनीता", "शर्मा"),
    "chinese": ("李", "小龙"),
    "japanese": ("さくら", "山田"),
    "korean": ("민준", "김"),
    "math_and_rare_cjk": ("𝕏𝔂𝔷", "𠜎"),
    "emoji": ("Anna", "🌱👍"),
}


def _badge(first, last, organisation=None) -> BadgeData:
    return BadgeData(
        "ABCDEFGHJKLMNPQRSTUVWXY", "KLM 479", first, last, organisation, "Cittadino",
        None, True, "Brescia Città del Noi", "13 luglio 2027",
    )  # fmt: skip


def _certificate(first, last) -> Certificate:
    return Certificate(
        name=f"{first} {last}", organisation=None, event_name="Brescia Città del Noi",
        date_text="13 luglio 2027", venue="MO.CA", organiser=None, parts=[], tables=[],
        checked_in_at="10:05", locale="it",
    )  # fmt: skip


def _plain(text: str) -> str:
    """What pdftotext gives, comparable across scripts: no spaces (it splits shaped Devanagari
    clusters) and no bidi marks (it wraps right-to-left runs in them)."""
    text = unicodedata.normalize("NFC", text)
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


def _words_found(pdf: bytes, tmp_path: Path, first: str, last: str) -> bool:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    text = _plain(result.stdout)
    # Right-to-left names come out in visual order: first and last name swapped.
    return (_plain(first) in text and _plain(last) in text) or _plain(last + first) in text


def _ink(pdf: bytes, picture: Path, box_mm: tuple[float, float, float, float], page: int = 1) -> float:
    """The share of dark pixels in the box (left, top, right, bottom, mm) of the page at 150 dpi;
    the picture is kept for people to look at."""
    source = picture.with_suffix(".pdf")
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", str(page), "-l", str(page), "-singlefile", str(source),
         str(picture.with_suffix(""))], check=True,
    )  # fmt: skip
    image = Image.open(picture).convert("L")
    scale = 150 / 25.4
    region = image.crop(tuple(round(v * scale) for v in box_mm))
    dark = sum(1 for value in region.getdata() if value < 128)
    return dark / (region.width * region.height)


@pytest.fixture(scope="module")
def pictures():
    PICTURES.mkdir(exist_ok=True)
    return PICTURES


@pytest.mark.parametrize("script", NAMES)
def test_badge_prints_the_name_in_every_script(app, tmp_path, pictures, script):
    first, last = NAMES[script]
    with app.test_request_context():
        pdf = badge_pdf(_badge(first, last, organisation=f"{last} {first}"))
    assert _words_found(pdf, tmp_path, first, last)
    assert _ink(pdf, pictures / f"badge-{script}.png", (4, 10.5, 86, 28)) > 0.01  # the name's box


@pytest.mark.parametrize("script", NAMES)
def test_badge_sheet_prints_the_name_in_every_script(app, tmp_path, pictures, script):
    first, last = NAMES[script]
    with app.test_request_context():
        pdf = badges_sheet_pdf([_badge("Giulia", "Rossi"), _badge(first, last)])
    assert _words_found(pdf, tmp_path, first, last)
    # The second badge: top right of the sheet (15 mm margin, 11 mm top), its name's box.
    assert _ink(pdf, pictures / f"sheet-{script}.png", (105 + 4, 11 + 10.5, 195 - 4, 11 + 28)) > 0.01


@pytest.mark.parametrize("script", NAMES)
def test_certificate_prints_the_name_in_every_script(app, tmp_path, pictures, script):
    first, last = NAMES[script]
    with app.test_request_context():
        pdf = certificate_pdf(_certificate(first, last))
    assert _words_found(pdf, tmp_path, first, last)
    assert _ink(pdf, pictures / f"certificate-{script}.png", (25, 60, 185, 110)) > 0.005


def test_report_prints_organisations_in_every_script(app, event, tmp_path, pictures):
    for first, last in NAMES.values():
        register_someone(event, organisation_name=f"{first} {last}")
    with app.test_request_context():
        pdf = report_pdf(build_report(event))
    for script, (first, last) in NAMES.items():
        assert _words_found(pdf, tmp_path, first, last), script
    assert _ink(pdf, pictures / "report.png", (18, 18, 192, 279)) > 0.005


def test_bidi_controls_and_zero_width_characters_are_removed_from_names(client, event):
    response, _ = post_registration(
        client, event,
        first_name="\u202eMario\u202c", last_name="Ros\u200bsi\u2066\u2069", organisation="\ufeffAuser\u200e",
    )  # fmt: skip
    assert response.status_code == 302
    attendee = db.session.scalars(select(Attendee)).one()
    assert (attendee.first_name, attendee.last_name) == ("Mario", "Rossi")
    organisation = attendee.organisation_name or ""
    assert "Auser" in organisation and "\u200e" not in organisation and "\ufeff" not in organisation


PERSIAN_WITH_ZWNJ = "\u0639\u0644\u06cc\u200c\u0632\u0627\u062f\u0647"  # Alizadeh, its ZWNJ keeps ی unjoined


def test_joiners_stay_where_they_shape_a_name(client, event):
    response, _ = post_registration(
        client, event, first_name="\u200dLuca\u200c", last_name=PERSIAN_WITH_ZWNJ + " 👩\u200d🔬"
    )
    assert response.status_code == 302
    attendee = db.session.scalars(select(Attendee)).one()
    assert attendee.first_name == "Luca"
    assert attendee.last_name == PERSIAN_WITH_ZWNJ + " 👩\u200d🔬"  # one scientist
