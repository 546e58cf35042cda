"""Hostile text in a real browser (Chromium): what the pages' scripts build from JSON shows
it as text, and nothing of it becomes an element, an attribute or code that runs. The
server's HTML is checked page by page in test_injection.py."""

import re

from conftest import staff_account
from helpers import register_someone
from playwright.sync_api import expect
from test_browser_desk import open_desk
from test_injection import CORPUS, hostile_event_file

from app.checkin.desks import create_desk_device
from app.events.services import load_event
from app.facilitation import notes
from app.models import Role

# Runs before the page's own scripts: records every element that appears in the document
# (parsed from the server's HTML or added by a script) and any alert() that gets through.
WATCH_THE_DOCUMENT = """
window.__appeared = [];
window.alert = () => { window.__injected = "alert"; };
new MutationObserver((records) => {
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      for (const element of [node, ...node.querySelectorAll("*")]) {
        window.__appeared.push({
          tag: element.tagName.toLowerCase(),
          src: element.getAttribute("src") || "",
          handlers: element.getAttributeNames().filter((name) => name.startsWith("on")),
        });
      }
    }
  }
}).observe(document, { childList: true, subtree: true });
"""
BROWSER_PAYLOAD = '"><img src=x onerror="window.__injected=1">'


def injected_elements(page) -> list[dict]:
    return [
        element
        for element in page.evaluate("window.__appeared")
        if element["handlers"]
        or element["tag"] in ("img", "svg", "iframe", "object", "embed")
        or (element["tag"] == "script" and not element["src"].startswith("/static/"))
    ]


def assert_shown_as_text(page, items: list[str], table_name: str, where: str):
    column = page.locator(".synthesis-column").first
    for kind in ("insights", "proposals"):
        shown = column.locator(f'[data-kind="{kind}"] li').all_text_contents()
        assert shown == items, f"{where}: {kind} shown as {shown}"
    assert column.locator("h2").text_content() == table_name, where
    elements = page.locator("#synthesis-grid img, #synthesis-grid svg, #synthesis-grid script")
    assert elements.count() == 0, where
    assert page.evaluate("window.__injected") is None, f"{where}: injected code ran"
    assert not injected_elements(page), f"{where}: {injected_elements(page)}"


def test_the_synthesis_wall_shows_hostile_notes_as_text_in_a_real_browser(
    app, event, live_server, desktop_page
):
    """Both the server's HTML and what the page's script builds from data.json: the first
    poll's answer is held back until the server's version has been looked at."""
    load_event(hostile_event_file(BROWSER_PAYLOAD), "moca.yaml")
    items = [*CORPUS, BROWSER_PAYLOAD]
    content = notes.SheetContent(insights="\n".join(items), proposals="\n".join(items))
    notes.save_sheet(event.tables[0], 1, content, 0, "hostile-wall-1", "facilitatore@example.org")
    staff_account("admin@example.org", "Admin", "correct horse battery", Role.ADMIN)
    page = desktop_page
    page.add_init_script(WATCH_THE_DOCUMENT)
    page.goto(f"{live_server.url}/staff/login")
    page.locator("#email").fill("admin@example.org")
    page.locator("#password").fill("correct horse battery")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/**")

    held = []
    page.route("**/synthesis/data.json", lambda route: held.append(route))
    page.goto(f"{live_server.url}/brescia-citta-del-noi/synthesis/")
    assert_shown_as_text(page, items, BROWSER_PAYLOAD, "the server's HTML")
    page.evaluate(
        "document.querySelectorAll('.synthesis-column').forEach((c) => { c.dataset.server = '1'; })"
    )
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the page asked for data.json"
    held[0].continue_()
    expect(page.locator("#synthesis")).to_have_attribute("data-updated", re.compile(r"^\d+$"))
    expect(page.locator(".synthesis-column[data-server]")).to_have_count(0)  # the script's own columns
    assert_shown_as_text(page, items, BROWSER_PAYLOAD, "what the script put on screen")


def test_the_desk_shows_a_hostile_attendee_as_text_in_a_real_browser(app, event, live_server, desktop_page):
    """The desk's search results and its answer panel are built by its script from the API."""
    hostile = {
        "first_name": BROWSER_PAYLOAD,
        "last_name": "<script>window.__injected=2</script>",
        "organisation_name": '"><svg onload="window.__injected=3">',
        "dietary_needs": CORPUS[1],
        "accessibility_needs": CORPUS[-1],
        "email": "ospite.ostile@example.org",
    }
    register_someone(event, **hostile)
    token = create_desk_device(event, "Desk 2")[1]
    desk_user = staff_account("desk@example.org", "Desk Staff", "correct horse battery", Role.DESK)
    page = desktop_page
    page.add_init_script(WATCH_THE_DOCUMENT)
    open_desk(page, live_server, desk_user, token)

    page.locator("#search-input").press_sequentially("ostile", delay=40)
    found = page.locator("#search-results li")
    expect(found).to_have_count(1)
    for text in (hostile["first_name"], hostile["last_name"], hostile["organisation_name"]):
        expect(found).to_contain_text(text)
    found.get_by_role("button").first.click()
    panel = page.locator("#result")
    expect(panel).to_have_attribute("data-result", "green")
    for text in (hostile["first_name"], hostile["last_name"], CORPUS[1], CORPUS[-1]):
        expect(panel).to_contain_text(text)
    assert page.evaluate("window.__injected") is None, "injected code ran"
    assert not injected_elements(page), injected_elements(page)
