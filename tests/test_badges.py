import base64
import io
import re

import pypdfium2
import pytest
import zxingcpp
from conftest import MOCA
from helpers import part_ids, registration_data
from PIL import Image
from sqlalchemy import event as sa_event

from app.checkin.badge_pdf import badge_pdf, badges_sheet_pdf
from app.checkin.badges import (
    BadgeCheck,
    badge_data_for,
    badge_token,
    qr_png,
    reissue_badge,
    verify_badge_token,
)
from app.events.services import load_event
from app.extensions import db
from app.models import DayPartKind
from app.registration.signup import register

LONG_FIRST_NAME = "Maria Antonietta Giuseppina Francesca Lùcia"
LONG_LAST_NAME = "Dell'Acqua-Bianchi Ševčíková"
MM = 72 / 25.4  # PDF points per millimetre


def someone(event, **overrides):
    return register(event, registration_data(event, **overrides))


def decode_qr_codes(image: Image.Image) -> list:
    return zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)


def pdf_pages(data: bytes) -> pypdfium2.PdfDocument:
    assert data.startswith(b"%PDF-")
    return pypdfium2.PdfDocument(data)


def render(page, dpi: int = 300) -> Image.Image:
    return page.render(scale=dpi / 72).to_pil()


def page_text(page) -> str:
    return page.get_textpage().get_text_range()


def altered(token: str, **fields) -> str:
    """The token with payload bytes replaced and its signature kept (see badges.py)."""
    raw = bytearray(base64.b32decode(token))
    if "attendee_id" in fields:
        raw[2:5] = fields["attendee_id"].to_bytes(3, "big")
    if "version" in fields:
        raw[5] = fields["version"]
    return base64.b32encode(bytes(raw)).decode()


def test_badge_token_round_trips_in_any_case_and_with_spaces_around(event):
    attendee = someone(event)
    token = badge_token(attendee)
    for scanned in (token, token.lower(), f"  {token}\n", f"\t{token[:10].lower()}{token[10:]} "):
        result = verify_badge_token(scanned, event)
        assert result.check is BadgeCheck.VALID and result.valid
        assert result.attendee == attendee


def test_badge_token_is_upper_case_base32_and_fits_a_small_qr_code(event):
    token = badge_token(someone(event))
    assert re.fullmatch(r"[A-Z2-7]+", token)
    assert len(token) == 24
    (code,) = decode_qr_codes(Image.open(io.BytesIO(qr_png(token))))
    assert code.text == token
    assert code.ec_level == "M"
    assert int(code.extra["Version"]) <= 3


def test_any_single_changed_character_is_a_forgery(event):
    token = badge_token(someone(event))
    for position, char in enumerate(token):
        replacement = "A" if char != "A" else "B"
        forged = token[:position] + replacement + token[position + 1 :]
        assert verify_badge_token(forged, event).check is BadgeCheck.FORGED, position


def test_a_token_altered_to_name_someone_else_is_a_forgery(event):
    mine, theirs = someone(event), someone(event)
    forged = altered(badge_token(mine), attendee_id=theirs.id)
    result = verify_badge_token(forged, event)
    assert result.check is BadgeCheck.FORGED and result.attendee is None
    assert verify_badge_token(altered(badge_token(mine), version=7), event).check is BadgeCheck.FORGED


def test_reissuing_a_badge_revokes_the_old_one(event):
    attendee = someone(event)
    old = badge_token(attendee)
    new = reissue_badge(attendee)
    db.session.commit()
    db.session.expire_all()
    assert new != old
    revoked = verify_badge_token(old, event)
    assert revoked.check is BadgeCheck.REVOKED and revoked.attendee == attendee
    assert verify_badge_token(new, event).check is BadgeCheck.VALID
    assert badge_token(attendee) == new


def test_a_badge_for_another_event_is_recognised_as_such(event):
    other_event = load_event(
        MOCA.read_text(encoding="utf-8").replace("slug: brescia-citta-del-noi", "slug: altro")
    )
    visitor = someone(other_event)
    token = badge_token(visitor)
    assert verify_badge_token(token, event).check is BadgeCheck.OTHER_EVENT
    assert verify_badge_token(token, other_event.id).check is BadgeCheck.VALID


def test_a_badge_of_a_deleted_attendee_names_an_unknown_attendee(event):
    attendee = someone(event)
    token = badge_token(attendee)
    db.session.delete(attendee)
    db.session.commit()
    result = verify_badge_token(token, event)
    assert result.check is BadgeCheck.UNKNOWN_ATTENDEE and result.attendee is None


@pytest.mark.parametrize(
    "scanned",
    [
        "",
        "   ",
        "hello",
        "A" * 500,
        "X" * 10_000,
        "ÀÉÎÕÜÀÉÎÕÜÀÉÎÕÜÀÉÎÕÜÀÉÎÕ",  # 24 letters, not ASCII
        "ıııııııııııııııııııııııı",  # 24 dotless i: upper-case to "I"
        "😀" * 24,
        "ABCDEFGHIJKLMNOPQRSTUV01",  # 0, 1, 8, 9 are not base32
        "ABCDEFGHIJKL MNOPQRSTUVW",
        "ABCDEFGHIJKL\x00NOPQRSTUVW",
        None,
        12345,
        b"ABCDEFGHIJKLMNOPQRSTUVWX",
    ],
)
def test_garbage_is_malformed_and_never_raises(event, scanned):
    assert verify_badge_token(scanned, event).check is BadgeCheck.MALFORMED


def test_well_formed_text_that_we_never_signed_is_a_forgery(event):
    assert verify_badge_token("ABCDEFGHIJKLMNOPQRSTUVWX", event).check is BadgeCheck.FORGED


def test_checking_a_badge_costs_at_most_one_query(app, event):
    attendee = someone(event)
    token, forged, event_id = badge_token(attendee), "A" * 24, event.id
    db.session.expunge_all()  # as in a fresh request
    statements = []

    def count(*args):
        statements.append(args[2])

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert verify_badge_token(token, event_id).valid
        assert len(statements) == 1
        assert verify_badge_token(forged, event_id).check is BadgeCheck.FORGED
        assert verify_badge_token("nonsense", event_id).check is BadgeCheck.MALFORMED
        assert len(statements) == 1
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)


def test_qr_png_decodes_to_a_token_the_app_accepts(event):
    attendee = someone(event)
    (code,) = decode_qr_codes(Image.open(io.BytesIO(qr_png(badge_token(attendee)))))
    assert verify_badge_token(code.text, event).attendee == attendee


def test_badge_data_says_lunch_only_for_a_confirmed_lunch_place(event):
    event.day_part(DayPartKind.LUNCH).capacity = 1
    db.session.commit()
    eats = someone(event, organisation_name="auser brescia", participant_type="press")
    waits = someone(event)
    skips = someone(event, day_part_ids=part_ids(event, DayPartKind.PLENARY), table_ids=[])
    data = badge_data_for(eats, "it", table_name="Prima infanzia")
    assert data.lunch is True
    assert (data.first_name, data.last_name) == (eats.first_name, eats.last_name)
    assert data.organisation == "Auser Brescia"
    assert data.table_name == "Prima infanzia"
    assert data.event_name == "Brescia Città del Noi compie un anno"
    assert data.event_date_text == "13 luglio 2027"
    assert data.participant_type_label  # the lead's translation decides the words
    assert verify_badge_token(data.token, event).attendee == eats
    assert badge_data_for(waits, "it").lunch is False
    assert badge_data_for(skips, "it").lunch is False
    english = badge_data_for(skips, "en")
    assert (english.event_name, english.event_date_text) == (
        "Brescia Città del Noi turns one",
        "July 13, 2027",
    )
    assert english.table_name is None


def test_badge_pdf_shows_the_attendee_and_its_qr_code_decodes(event):
    attendee = someone(event, organisation_name="Comune di Brescia")
    data = badge_data_for(attendee, "it", table_name="La forza della comunità")
    (page,) = pdf_pages(badge_pdf(data))
    width, height = page.get_size()
    assert (round(width / MM), round(height / MM)) == (90, 55)
    text = page_text(page)
    for expected in (attendee.first_name, attendee.last_name, "Comune di Brescia", "La forza della comunità"):
        assert expected in text
    (code,) = decode_qr_codes(render(page))
    assert verify_badge_token(code.text, event).attendee == attendee


def test_a_very_long_accented_name_fits_inside_the_badge(event):
    attendee = someone(event, first_name=LONG_FIRST_NAME, last_name=LONG_LAST_NAME)
    (page,) = pdf_pages(badge_pdf(badge_data_for(attendee, "it")))
    text = page_text(page)
    for word in f"{LONG_FIRST_NAME} {LONG_LAST_NAME}".split():
        assert word in text, word
    width, height = page.get_size()
    textpage = page.get_textpage()
    for index in range(textpage.count_chars()):
        left, bottom, right, top = textpage.get_charbox(index)
        assert left >= 3 * MM and right <= width - 3 * MM, text[index]
        assert bottom >= 0 and top <= height, text[index]
    (code,) = decode_qr_codes(render(page))
    assert verify_badge_token(code.text, event).valid


@pytest.mark.parametrize(("count", "pages"), [(1, 1), (10, 1), (11, 2), (25, 3)])
def test_a4_sheets_hold_ten_badges_each(event, count, pages):
    attendee = someone(event)
    badges = [badge_data_for(attendee, "it")] * count
    document = pdf_pages(badges_sheet_pdf(badges))
    assert len(document) == pages
    width, height = document[0].get_size()
    assert (round(width / MM), round(height / MM)) == (210, 297)
    last = document[pages - 1]
    assert len(decode_qr_codes(render(last, dpi=200))) == count - 10 * (pages - 1)


def test_an_empty_sheet_is_refused():
    with pytest.raises(ValueError):
        badges_sheet_pdf([])
