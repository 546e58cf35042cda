"""The arrivals page in a real browser: an organiser's list follows, by itself, a badge scanned
at the desk in another browser; its filters redraw the list at once and stay in the address."""

import pytest
from browser import type_like_a_scanner
from conftest import PASSWORD, staff_account
from helpers import register_someone
from playwright.sync_api import expect

from app.checkin.badges import badge_token
from app.checkin.desks import create_desk_device
from app.worldcafe import services as world_cafe

POLL_MS = 10_000  # the page asks every 4 s; a loaded machine may take a little longer


@pytest.fixture
def organiser(app):
    return staff_account("organiser@example.org", "Organiser", PASSWORD, "admin")


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/staff/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(f"{live_server.url}/staff/login")


def open_arrivals(page, live_server, query=""):
    page.goto(f"{live_server.url}/brescia-citta-del-noi/arrivals/{query}")
    expect(page.locator("#arrivals")).to_have_attribute("data-ready", "true")


def test_the_list_shrinks_by_itself_when_another_browser_scans_a_badge_at_the_desk(
    event, live_server, organiser, desk_user, desktop_page, page
):
    anna = register_someone(event, first_name="Anna", last_name="Arrivata")
    register_someone(event, first_name="Bruno", last_name="Atteso")
    sign_in(desktop_page, live_server, organiser)
    open_arrivals(desktop_page, live_server)
    count, rows = desktop_page.locator("#arrivals-count"), desktop_page.locator("#arrivals-list tr")
    expect(count).to_have_text("Non ancora arrivati: 2 su 2 attesi · arrivati: 0")
    expect(rows).to_have_count(2)
    desktop_page.evaluate("window.notReloaded = true")

    # The desk: a phone, in a browser context of its own, paired with a desk device.
    token = create_desk_device(event, "Ingresso")[1]
    sign_in(page, live_server, desk_user)
    page.goto("about:blank")
    page.goto(f"{live_server.url}/brescia-citta-del-noi/desk/#pair={token}")
    expect(page.locator("#desk")).to_have_attribute("data-ready", "true")
    type_like_a_scanner(page, badge_token(anna))
    expect(page.locator("#result")).to_have_attribute("data-result", "green")

    expect(count).to_have_text("Non ancora arrivati: 1 su 2 attesi · arrivati: 1", timeout=POLL_MS)
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Bruno Atteso")
    assert desktop_page.evaluate("window.notReloaded === true"), "updated in place, not reloaded"
    expect(desktop_page.locator("#arrivals-updated")).to_contain_text("aggiornato alle")


def test_a_filter_redraws_the_list_at_once_and_stays_in_the_address(
    event, live_server, organiser, desktop_page
):
    first, second = event.tables[0], event.tables[1]
    register_someone(event, first_name="Primo", last_name="Tavolo", table_ids=[first.id])
    register_someone(event, first_name="Seconda", last_name="Tavola", table_ids=[second.id])
    world_cafe.publish(world_cafe.run_assignment(event, "organiser@example.org"), "organiser@example.org")
    sign_in(desktop_page, live_server, organiser)
    open_arrivals(desktop_page, live_server)
    rows = desktop_page.locator("#arrivals-list tr")
    expect(rows).to_have_count(2)

    desktop_page.locator("#table").select_option(str(second.id))
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Seconda Tavola")
    expect(rows).to_contain_text(second.display_name)
    assert f"table={second.id}" in desktop_page.url
    expect(desktop_page.locator("#arrivals-count")).to_contain_text("1 su 1 attesi")
    attendee_id = rows.get_attribute("data-attendee-id")
    expect(rows.locator("a")).to_have_attribute(
        "href", f"/brescia-citta-del-noi/admin/attendees/{attendee_id}"
    )

    desktop_page.reload()  # the same list again, from the address
    expect(desktop_page.locator("#table")).to_have_value(str(second.id))
    expect(rows).to_have_count(1)


def test_the_desk_reads_the_list_on_a_phone_without_links(event, live_server, desk_user, page):
    register_someone(event, first_name="Carla", last_name="Lontana", organisation_name="Socialis")
    sign_in(page, live_server, desk_user)
    page.locator(".staff-nav a", has_text="Arrivi").click()  # from the desk page's menu
    expect(page.locator("#arrivals")).to_have_attribute("data-ready", "true")
    rows = page.locator("#arrivals-list tr")
    expect(rows).to_contain_text("Carla Lontana")
    expect(rows.locator("a")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "wider than the phone"
