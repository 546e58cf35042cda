"""The badge code printed under the QR ("KLM 479"): on the badge PDF, the A4 sheet, the
e-mails and the personal page; accepted at the desk's API and at the facilitators' scan
with the QR's checks; a new one with every reissued or erased badge, never a code in use."""

import re
import subprocess
import uuid

import pytest
import zxingcpp
from conftest import csrf_from
from helpers import register_someone, second_event
from sqlalchemy import event as sa_event
from sqlalchemy import select, update
from test_facilitators import facilitator_of, post_json, publish_seats
from test_mail import parts_by_type, received, smtp  # noqa: F401

from app.checkin import badge_codes
from app.checkin import services as checkin
from app.checkin.badge_codes import give_new_badge_code, typed_badge_code
from app.checkin.badge_content import badge_for
from app.checkin.badge_pdf import badge_pdf, badges_sheet_pdf
from app.checkin.badges import BadgeCheck, badge_token, verify_badge
from app.checkin.desks import create_desk_device
from app.checkin.services import check_in_attendee
from app.extensions import db
from app.mail import sender as mail_sender
from app.models import Attendee, AttendeeStatus, CheckIn, CheckInMethod, Role, TableAttendance
from app.registration import signup
from app.registration.cancellation import cancel_registration
from app.registration.privacy import delete_registration
from app.registration.tokens import manage_token

MM = 72 / 25.4  # PDF points per millimetre
CODE = re.compile(r"^[ACEFHKLMRX]{3}[346789]{3}$")


@pytest.fixture
def desk(event):
    return {"Authorization": f"Bearer {create_desk_device(event, 'Desk 2')[1]}"}


@pytest.fixture
def admin(make_staff):
    return make_staff(Role.ADMIN)[1]


def scan(client, headers, code):
    body = {"code": code, "request_id": str(uuid.uuid4())}
    response = client.post("/api/v1/scan?lang=en", json=body, headers=headers)
    assert response.status_code == 200, response.data
    return response.get_json()


def printed(code: str) -> str:
    return f"{code[:3]} {code[3:]}"


def with_code(attendee, code):
    attendee.badge_code = code
    db.session.commit()
    return attendee


def reissue_from_the_admin_page(admin, attendee):
    page = admin.get(f"/brescia-citta-del-noi/admin/attendees/{attendee.id}").get_data(as_text=True)
    version = re.search(r'name="badge_version" value="(\d+)"', page).group(1)
    form = {"csrf_token": csrf_from(page), "badge_version": version}
    assert (
        admin.post(f"/brescia-citta-del-noi/admin/attendees/{attendee.id}/badge", data=form).status_code
        == 302
    )
    db.session.refresh(attendee)


def words_with_boxes(pdf: bytes, tmp_path) -> list[tuple[str, float, float, float, float]]:
    """(word, x_min, y_min, x_max, y_max) in mm from the top left, as pdftotext reads them."""
    path = tmp_path / "badge.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True).stdout
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html.decode()
    )
    return [(word, *(float(v) / MM for v in box)) for *box, word in found]


# ---- The code itself ------------------------------------------------------------------------


def test_every_registration_gets_a_code_of_three_letters_and_three_digits_of_its_own(event):
    codes = {register_someone(event).badge_code for _ in range(30)}
    assert len(codes) == 30 and all(CODE.fullmatch(code) for code in codes)


def test_a_code_in_use_is_never_given_to_a_new_registration(event, monkeypatch):
    """The model's random default could repeat a code (216,000 exist); registration picks
    one no badge of the event has, instead of failing on the UNIQUE constraint."""
    taken = register_someone(event).badge_code
    drawn = iter([taken] * 12 + ["KLM479"] * 12)
    monkeypatch.setattr(badge_codes, "new_badge_code", lambda: next(drawn))
    assert register_someone(event).badge_code == "KLM479"


@pytest.mark.parametrize("typed", ["klm479", "KLM 479", " klm-479 ", "Klm\u2009479", "kLm – 479"])
def test_a_typed_code_is_read_in_any_case_with_spaces_or_a_dash(typed):
    assert typed_badge_code(typed) == "KLM479"


@pytest.mark.parametrize("typed", ["", "KLM47", "KLM4799", "479KLM", "KŁM479", None, 479, "K L M 4 7 9 0"])
def test_what_is_not_three_letters_and_three_digits_is_no_code(typed):
    assert typed_badge_code(typed) is None


# ---- Printed: PDF, sheet, e-mail, personal page ---------------------------------------------


def test_the_badge_pdf_prints_the_code_under_the_qr_and_the_qr_still_reads(event, tmp_path):
    attendee = with_code(register_someone(event, first_name="Maria Antonietta"), "KLM479")
    pdf = badge_pdf(badge_for(attendee))
    words = words_with_boxes(pdf, tmp_path)
    letters = next(box for box in words if box[0] == "KLM")
    digits = next(box for box in words if box[0] == "479")
    assert letters[1] < digits[1] and abs(letters[2] - digits[2]) < 0.5, "one line: KLM 479"
    # Under the 18 mm QR, bottom right: its right half of the badge, below the QR's top (29.5 mm).
    assert letters[1] > 90 - 4 - 18 and digits[3] <= 90 - 4 and letters[2] > 29.5 + 18
    assert letters[4] < 55 - 3, "clear of the cutting edge"
    import pypdfium2

    image = pypdfium2.PdfDocument(pdf)[0].render(scale=300 / 72).to_pil()
    [qr] = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert qr.text == badge_token(attendee)


def test_the_a4_sheet_prints_each_badge_code(event, tmp_path):
    people = [register_someone(event) for _ in range(3)]
    sheet = badges_sheet_pdf([badge_for(person) for person in people])
    text = " ".join(word for word, *_ in words_with_boxes(sheet, tmp_path))
    for person in people:
        assert printed(person.badge_code) in text


def test_the_e_mail_shows_the_code_of_the_badge_it_carries_even_if_reissued_before_sending(
    app,
    event,
    admin,
    smtp,  # noqa: F811
):
    attendee = register_someone(event)
    first_code = attendee.badge_code
    reissue_from_the_admin_page(admin, attendee)  # the confirmation is still queued
    assert attendee.badge_code != first_code
    mail_sender.deliver_due()
    messages = [m for m in received(smtp) if m["To"] == attendee.email]
    assert len(messages) == 2, "the confirmation and the new badge"
    for message in messages:
        parts = parts_by_type(message)
        text, html = parts["text/plain"].get_content(), parts["text/html"].get_content()
        assert f"Codice del badge (stampato sotto il codice QR): {printed(attendee.badge_code)}" in text
        assert printed(attendee.badge_code) in html
        assert printed(first_code) not in text + html and "[[badge-code]]" not in text + html


def test_the_personal_page_shows_the_code_under_the_qr(client, event):
    attendee = with_code(register_someone(event), "FAX386")
    page = client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}").get_data(as_text=True)
    assert "<strong>FAX 386</strong>" in page


# ---- Accepted at the desk -----------------------------------------------------------------


@pytest.mark.parametrize("typed", ["klm 479", "KLM479", "Klm-479"])
def test_the_desk_checks_in_by_typed_code_and_records_it_as_typed(client, event, desk, typed):
    attendee = with_code(register_someone(event, first_name="Ada"), "KLM479")
    answer = scan(client, desk, typed)
    assert (answer["result"], answer["reason"]) == ("green", "checked_in")
    assert answer["attendee"]["name"] == attendee.full_name
    again = scan(client, desk, typed)
    assert (again["result"], again["reason"]) == ("amber", "already_checked_in")
    [check_in] = db.session.scalars(select(CheckIn)).all()
    assert check_in.method == CheckInMethod.CODE and check_in.attendee_id == attendee.id


def test_a_code_of_another_event_or_of_nobody_is_refused(client, event, desk):
    register_someone(event)
    visitor = with_code(register_someone(second_event()), "HEX777")
    for typed in ("hex 777", "KLN 479"):  # another event's code; a letter never printed
        answer = scan(client, desk, typed)
        assert (answer["result"], answer["reason"]) == ("red", "unknown_code"), typed
        assert answer["attendee"] is None and "check it" in answer["message"]
    assert db.session.scalars(select(CheckIn)).all() == []
    assert verify_badge("HEX777", visitor.event_id).attendee == visitor


def test_a_cancelled_or_waiting_persons_code_is_refused_as_their_qr_is(client, event, desk):
    cancelled = with_code(register_someone(event), "ACE333")
    cancel_registration(cancelled)
    event.capacity = 0
    db.session.commit()
    waiting = with_code(register_someone(event), "ACE334")
    assert waiting.status == AttendeeStatus.WAITLISTED
    assert scan(client, desk, "ace 333")["reason"] == "cancelled"
    assert scan(client, desk, "ace 334")["reason"] == "waitlisted"
    assert db.session.scalars(select(CheckIn)).all() == []


def test_a_reissued_badges_old_code_is_refused_as_replaced_and_the_new_one_works(client, event, desk, admin):
    attendee = register_someone(event)
    old = attendee.badge_code
    reissue_from_the_admin_page(admin, attendee)
    assert CODE.fullmatch(attendee.badge_code) and attendee.badge_code != old
    refused = scan(client, desk, printed(old).lower())
    assert (refused["result"], refused["reason"]) == ("red", "revoked")
    assert scan(client, desk, printed(attendee.badge_code))["reason"] == "checked_in"


def test_a_replaced_code_is_never_given_to_anyone_else(event, admin, monkeypatch):
    attendee = register_someone(event)
    old = attendee.badge_code
    reissue_from_the_admin_page(admin, attendee)
    drawn = iter([old] * 12 + ["MAX999"] * 12)
    monkeypatch.setattr(badge_codes, "new_badge_code", lambda: next(drawn))
    assert register_someone(event).badge_code == "MAX999"


def test_a_new_code_taken_at_the_same_moment_is_drawn_again(event, monkeypatch):
    """Two writers choosing one code at once: the UNIQUE constraint refuses the second,
    which picks another, and the rest of its transaction stands."""
    holder, attendee = register_someone(event), register_someone(event)
    chosen = iter([holder.badge_code, "RAM468"])  # the first was free when it was chosen
    monkeypatch.setattr(badge_codes, "unused_badge_code", lambda event_id: next(chosen))
    attendee.badge_version += 1
    assert give_new_badge_code(attendee) not in ("RAM468", holder.badge_code)
    db.session.commit()
    db.session.expire_all()
    assert (attendee.badge_code, attendee.badge_version) == ("RAM468", 2)


def test_a_badge_reissued_between_finding_the_code_and_locking_the_row_is_refused(event, monkeypatch):
    attendee = with_code(register_someone(event), "KLM479")
    find = checkin.verify_badge

    def found_then_reissued(code, scanned_event):
        verification = find(code, scanned_event)
        db.session.execute(update(Attendee).where(Attendee.id == attendee.id).values(badge_code="KLM478"))
        return verification

    monkeypatch.setattr(checkin, "verify_badge", found_then_reissued)
    outcome = checkin.scan(event, "klm 479", None, "reissued-meanwhile")
    assert outcome.result is checkin.ScanResult.REVOKED
    assert db.session.scalars(select(CheckIn)).all() == []


def test_erasing_a_registration_gives_its_badge_a_new_code(client, event, desk):
    attendee = with_code(register_someone(event), "LAX648")
    delete_registration(attendee)
    assert attendee.badge_code != "LAX648" and CODE.fullmatch(attendee.badge_code)
    assert scan(client, desk, "lax 648")["reason"] == "unknown_code"


def test_a_scan_by_typed_code_costs_at_most_five_queries(client, event, desk):
    with_code(register_someone(event), "CAM789")
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa_event.listen(db.engine, "before_cursor_execute", listener)
    try:
        answer = scan(client, desk, "cam 789")
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listener)
    assert answer["result"] == "green"
    assert len(statements) <= 5, "\n".join(s[:200] for s in statements)


# ---- Accepted at the facilitators' table ----------------------------------------------------


def test_the_facilitators_scan_accepts_the_typed_code_with_the_desks_checks(event, make_staff, admin):
    table = event.tables[0]
    seated = with_code(register_someone(event, first_name="Lùcia"), "HAM347")
    walk_up = with_code(register_someone(event, first_name="Walter"), "HAM348")
    with_code(register_someone(event), "HAM349")  # seated nowhere, not checked in
    publish_seats(event, [(seated, table, 1, 0)])
    check_in_attendee(event, walk_up.id, None, "walk-up-1", desk_name="Desk 1")
    _, own = facilitator_of(make_staff, table)
    page = own.get(f"/brescia-citta-del-noi/facilitators/tables/{table.id}/?round=1").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)

    def at_the_table(code):
        return post_json(
            own,
            f"/brescia-citta-del-noi/facilitators/tables/{table.id}/scan",
            {"code": code, "round": 1},
            token,
        )

    assert at_the_table("ham 347").json["result"] == "present"
    assert at_the_table("Ham-348").json["result"] == "walk_up"
    assert at_the_table("HAM349").json["result"] == "not_checked_in"
    visitor = with_code(register_someone(second_event()), "HEX777")
    refused = at_the_table("hex 777")
    assert (refused.status_code, refused.json["result"]) == (422, "unknown_code")
    old = walk_up.badge_code
    reissue_from_the_admin_page(admin, walk_up)
    assert at_the_table(printed(old)).json["result"] == "revoked"
    marks = db.session.scalars(select(TableAttendance).filter_by(present=True)).all()
    assert sorted(m.attendee_id for m in marks) == sorted([seated.id, walk_up.id])
    assert visitor.id not in {m.attendee_id for m in marks}
    assert verify_badge(printed(old), event).check is BadgeCheck.REVOKED


def test_the_attendee_page_shows_the_code_staff_can_read_out_on_the_phone(event, admin):
    attendee = register_someone(event)
    page = admin.get(f"/brescia-citta-del-noi/admin/attendees/{attendee.id}").get_data(as_text=True)
    assert f'<dd><span class="badge-code">{printed(attendee.badge_code)}</span></dd>' in page


def test_a_sign_up_whose_code_was_taken_at_the_same_moment_registers_with_another(event, monkeypatch):
    """Two sign-ups choosing one unused code before the event's lock: the second is refused
    by the unique (event, badge_code), and registers with a new code, not as "already registered"."""
    holder = register_someone(event)
    chosen = iter([holder.badge_code, "RAM468"])  # the first was free when it was chosen
    monkeypatch.setattr(signup, "unused_badge_code", lambda event_id: next(chosen))
    attendee = register_someone(event, first_name="Second")
    db.session.expire_all()
    assert (attendee.first_name, attendee.badge_code, attendee.status) == ("Second", "RAM468", "confirmed")


def test_a_sign_up_with_an_address_already_registered_is_still_refused_as_such(event):
    holder = register_someone(event)
    with pytest.raises(signup.RegistrationError) as refused:
        register_someone(event, email=holder.email)
    assert refused.value.reason == signup.RegistrationError.Reason.DUPLICATE_EMAIL
