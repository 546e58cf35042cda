"""Walk-ins in a real browser, as the desk sees them: someone without an e-mail address
registered, checked in and their badge printed; at a full event, desk staff see the waiting
list (and that an organiser can let them in), an organiser lets them in over capacity."""

import pypdfium2
import pytest
import zxingcpp
from conftest import PASSWORD, staff_account
from flask_babel import force_locale, gettext
from helpers import register_someone
from playwright.sync_api import expect
from sqlalchemy import select

from app.checkin.badges import BadgeCheck, verify_badge_token
from app.extensions import db
from app.models import Attendee, AuditAction, AuditEntry, CheckIn, OutboxMessage, Role


@pytest.fixture
def in_italian(app):
    def translate(message, **values):
        with app.test_request_context(), force_locale("it"):
            return gettext(message, **values)

    return translate


def sign_in_at_the_desk(page, live_server, role: str, desk_name: str = "Banco 5"):
    """Sign in as staff of that role and open the walk-in form of this desk's browser."""
    user = staff_account(f"{role}@example.org", role.title(), PASSWORD, role)
    page.goto(f"{live_server.url}/staff/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("#email")).to_have_count(0)  # signed in, on their home page
    page.evaluate(f"window.localStorage.setItem('noiday.deskName', {desk_name!r})")  # as the desk page does
    page.goto(f"{live_server.url}/brescia-citta-del-noi/desk/walk-in")
    return user


def fill_walk_in(page, first_name, last_name, email=""):
    page.locator("#first_name").fill(first_name)
    page.locator("#last_name").fill(last_name)
    page.locator("#email").fill(email)
    page.locator("#participant_type").select_option("citizen")
    page.locator("#consent_privacy").check()
    page.locator("#registration-form button[type=submit]").click()


def walk_in_named(last_name) -> Attendee:
    db.session.rollback()  # see what the live server committed
    return db.session.scalars(select(Attendee).filter_by(last_name=last_name)).one()


def check_ins_of(attendee_id) -> list[CheckIn]:
    db.session.rollback()
    return db.session.scalars(select(CheckIn).filter_by(attendee_id=attendee_id)).all()


def test_a_walk_in_without_email_is_checked_in_and_their_badge_printed(
    event, live_server, desktop_page, in_italian
):
    page = desktop_page
    sign_in_at_the_desk(page, live_server, Role.DESK)
    expect(page.get_by_label(in_italian("Person's e-mail, if they have one"))).to_be_visible()
    expect(page.get_by_label(in_italian("Person's first name"), exact=True)).to_be_visible()

    fill_walk_in(page, "Piera", "Zanola")  # no e-mail: she has none

    expect(page.locator(".status-confirmed")).to_have_text(
        in_italian("%(name)s is registered and checked in.", name="Piera Zanola")
    )
    expect(page.locator("#no-email")).to_be_visible()
    walk_in = walk_in_named("Zanola")
    assert walk_in.email is None and walk_in.status == "confirmed"
    assert [(c.method, c.desk_name) for c in check_ins_of(walk_in.id)] == [("walk_in", "Banco 5")]
    assert db.session.scalars(select(OutboxMessage).filter_by(attendee_id=walk_in.id)).all() == []

    with page.expect_popup() as badge_tab:
        page.get_by_role("link", name=in_italian("Print the badge")).click()
    tab = badge_tab.value
    assert tab.evaluate("document.contentType") == "application/pdf"
    pdf = tab.context.request.get(tab.url)  # the same file, with the desk's own session
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    badge = pypdfium2.PdfDocument(pdf.body())[0]
    assert (
        "Piera" in badge.get_textpage().get_text_range() and "Zanola" in badge.get_textpage().get_text_range()
    )
    [qr] = zxingcpp.read_barcodes(
        badge.render(scale=300 / 72).to_pil(), formats=zxingcpp.BarcodeFormat.QRCode
    )
    verified = verify_badge_token(qr.text, event)
    assert verified.check is BadgeCheck.VALID and verified.attendee.id == walk_in.id


# The element's text colour, and the page's warning colour (--warn) for comparison.
AMBER = """el => {
    const probe = document.createElement("span");
    probe.style.color = "var(--warn)";
    document.body.append(probe);
    const amber = getComputedStyle(probe).color;
    probe.remove();
    return [getComputedStyle(el).color, amber];
}"""


def fill_the_day(event):
    register_someone(event)
    event.capacity = 1
    db.session.commit()


def test_desk_staff_at_a_full_event_see_the_waiting_list_and_that_an_organiser_can_let_them_in(
    event, live_server, desktop_page, in_italian
):
    page = desktop_page
    fill_the_day(event)
    sign_in_at_the_desk(page, live_server, Role.DESK)

    fill_walk_in(page, "Ettore", "Ghidini", "ettore@example.org")

    told = page.locator("#walk-in-waiting")
    expect(told).to_contain_text(
        in_italian("%(name)s is on the waiting list: the day is full.", name="Ettore Ghidini")
    )
    expect(told).to_contain_text(in_italian("NOT checked in, no badge to print."))
    shown, amber = told.evaluate(AMBER)
    assert shown == amber, "in the page's amber (its --warn colour), not in the plain text colour"
    expect(page.locator(".status-confirmed, .notice-success")).to_have_count(0)
    expect(
        page.get_by_text(in_italian("%(name)s is registered and checked in.", name="Ettore Ghidini"))
    ).to_have_count(0)
    expect(page.get_by_role("link", name=in_italian("Print the badge"))).to_have_count(0)
    expect(page.locator("#ask-an-organiser")).to_be_visible()
    expect(page.get_by_role("button", name=in_italian("Let them in over capacity"))).to_have_count(0)
    walk_in = walk_in_named("Ghidini")
    assert walk_in.status == "waitlisted" and check_ins_of(walk_in.id) == []


def test_an_organiser_lets_a_walk_in_in_over_capacity_at_a_full_event(
    event, live_server, desktop_page, in_italian
):
    page = desktop_page
    fill_the_day(event)
    organiser = sign_in_at_the_desk(page, live_server, Role.ADMIN, desk_name="Banco 1")

    fill_walk_in(page, "Ettore", "Ghidini")
    expect(page.locator("#walk-in-waiting")).to_contain_text(in_italian("NOT checked in, no badge to print."))
    page.get_by_role("button", name=in_italian("Let them in over capacity")).click()

    expect(page.locator(".notice-success")).to_have_text(
        in_italian("%(name)s is let in over capacity and checked in.", name="Ettore Ghidini")
    )
    expect(page.locator(".status-confirmed")).to_have_text(
        in_italian("%(name)s is registered and checked in.", name="Ettore Ghidini")
    )
    expect(page.get_by_role("link", name=in_italian("Print the badge"))).to_be_visible()
    walk_in = walk_in_named("Ghidini")
    assert walk_in.status == "confirmed"
    assert [(c.method, c.desk_name) for c in check_ins_of(walk_in.id)] == [("walk_in", "Banco 1")]
    [entry] = db.session.scalars(
        select(AuditEntry).filter_by(attendee_id=walk_in.id, action=AuditAction.CAPACITY_OVERRIDDEN)
    ).all()
    assert entry.actor == organiser.email
    assert entry.details["overridden"][0] == {"part": "day", "capacity": 1, "taken": 1}
