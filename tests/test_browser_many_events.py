"""In Chromium: a desk is paired for one event's desk page only.

The desk page keeps its device token per event (/<event-slug>/desk/), and a token of
another event's device, pasted there by mistake, is refused before any scan: scans would
otherwise be checked against the other event's people.
"""

from conftest import PASSWORD, staff_account
from flask_babel import force_locale, gettext
from helpers import other_event_file
from playwright.sync_api import expect

from app.checkin.desks import create_desk_device
from app.events.services import load_event
from app.models import Role


def test_a_desk_page_refuses_a_device_of_another_event_and_keeps_its_own(app, event, live_server, page):
    other = load_event(other_event_file(), "other.yaml", organiser=event.organiser_group)  # same group
    desk = staff_account("banco@example.org", "Banco", PASSWORD, Role.DESK, [event, other])
    own_token = create_desk_device(event, "Banco MO.CA")[1]
    other_token = create_desk_device(other, "Banco altrove")[1]
    page.goto(f"{live_server.url}/staff/login")
    page.locator("#email").fill(desk.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()

    page.goto(f"{live_server.url}/brescia-citta-del-noi/desk/#pair={own_token}")
    expect(page.locator("#desk-name")).to_have_text("Banco MO.CA")

    page.goto("about:blank")
    page.goto(f"{live_server.url}/{other.slug}/desk/#pair={own_token}")  # the wrong event's link
    with app.test_request_context(), force_locale("it"):
        refused = gettext("This device is paired for another event's desk. Paste this event's pairing code.")
    expect(page.locator("#pairing-error")).to_have_text(refused)
    expect(page.locator("#pairing")).to_be_visible()

    page.goto("about:blank")
    page.goto(f"{live_server.url}/{other.slug}/desk/#pair={other_token}")
    expect(page.locator("#desk-name")).to_have_text("Banco altrove")
    page.goto("about:blank")
    page.goto(f"{live_server.url}/brescia-citta-del-noi/desk/")  # no link: its own token, kept
    expect(page.locator("#desk-name")).to_have_text("Banco MO.CA")
