"""The code under the badge's QR, typed by staff in a real browser (Chromium): at the desk's
scanner field on a laptop, in the desk's search box on a phone, at a facilitator's table."""

from helpers import register_someone
from playwright.sync_api import expect
from sqlalchemy import select
from test_browser_desk import expect_result, in_italian, open_desk  # noqa: F401
from test_browser_notes import facilitator, open_notes
from test_facilitators import publish_seats

from app.extensions import db
from app.models import CheckIn, CheckInMethod, TableAttendance

HUMAN_MS_PER_KEY = 120  # a person at a keyboard, far slower than a scanner's burst


def with_code(attendee, code):
    attendee.badge_code = code
    db.session.commit()
    return attendee


def check_ins():
    db.session.rollback()  # see what the live server committed
    return db.session.scalars(select(CheckIn).order_by(CheckIn.id)).all()


def test_the_code_typed_at_the_desk_in_lower_case_with_a_space_gives_the_green_screen(
    event,
    live_server,
    desk_user,
    desk_token,
    desktop_page,
    in_italian,  # noqa: F811
):
    ada = with_code(register_someone(event, first_name="Ada", last_name="Lovelace"), "KLM479")
    page = desktop_page
    open_desk(page, live_server, desk_user, desk_token)
    expect(page.locator("#scan-code-hint")).to_contain_text("KLM 479")  # the hint says how

    page.locator("#scan-code").click()
    page.keyboard.type("klm 479", delay=HUMAN_MS_PER_KEY)
    page.keyboard.press("Enter")
    expect_result(page, "green", "Ada Lovelace", in_italian("Checked in"))
    [check_in] = check_ins()
    assert (check_in.attendee_id, check_in.method) == (ada.id, CheckInMethod.CODE)

    page.locator("#scan-code").click()
    page.keyboard.type("klm 478", delay=HUMAN_MS_PER_KEY)  # a typo: no such badge
    page.keyboard.press("Enter")
    expect_result(page, "red", in_italian("Unknown badge code"))
    assert len(check_ins()) == 1


def test_on_a_phone_the_code_typed_in_the_search_box_checks_in(
    event,
    live_server,
    desk_user,
    desk_token,
    page,
    in_italian,  # noqa: F811
):
    grace = with_code(register_someone(event, first_name="Grace", last_name="Hopper"), "FAX386")
    open_desk(page, live_server, desk_user, desk_token)
    page.locator("#search-input").click()
    page.keyboard.type("fax-386", delay=HUMAN_MS_PER_KEY)
    page.keyboard.press("Enter")
    expect_result(page, "green", "Grace Hopper")
    assert [c.attendee_id for c in check_ins()] == [grace.id]


def test_the_code_typed_at_a_facilitators_table_marks_the_person_present(page, live_server, event):
    table = event.tables[0]
    anna = with_code(register_someone(event, first_name="Anna", last_name="Zanardelli"), "HAM347")
    publish_seats(event, [(anna, table, 1, 0)])
    open_notes(page, live_server, facilitator(table, "silvia@example.org"), table)
    page.goto(f"{live_server.url}/brescia-citta-del-noi/facilitators/tables/{table.id}/?round=1")
    expect(page.locator("#attendance")).to_have_attribute("data-ready", "true")
    expect(page.locator("#scan-code-hint")).to_contain_text("KLM 479")

    page.locator("#scan-code").click()
    page.keyboard.type("ham 347", delay=HUMAN_MS_PER_KEY)
    page.keyboard.press("Enter")
    expect(page.locator("#scan-result")).to_have_attribute("data-result", "ok")
    expect(page.locator("#scan-result")).to_contain_text("Anna Zanardelli")
    expect(page.locator(f"#present-{anna.id}")).to_be_checked()
    db.session.rollback()
    [mark] = db.session.scalars(select(TableAttendance).filter_by(cafe_table_id=table.id)).all()
    assert (mark.attendee_id, mark.present) == (anna.id, True)
