"""In Chromium: every script and stylesheet the desk and notes pages request is on the list
their service worker keeps offline (the list app/core/offline.py serves in front of it)."""

import json
import re
from urllib.parse import urlsplit

from playwright.sync_api import expect
from test_browser_desk import open_desk
from test_browser_notes import facilitator, open_notes, table  # noqa: F401

LOADED_SUFFIXES = (".js", ".mjs", ".css", ".wasm")


def collect_static_requests(browser_page):
    requested = set()

    def note(request):
        path = urlsplit(request.url).path
        if path.startswith("/static/") and path.endswith(LOADED_SUFFIXES):
            requested.add(path)

    browser_page.on("request", note)
    return requested


def served_list(browser_page, worker_url):
    text = browser_page.request.get(worker_url).text()  # with the page's session cookie
    return set(json.loads(re.search(r"^self\.OFFLINE_FILES = (.*);$", text, re.M).group(1)))


def test_the_desk_worker_keeps_every_file_the_desk_loads(live_server, desk_user, desk_token, desktop_page):
    requested = collect_static_requests(desktop_page)
    open_desk(desktop_page, live_server, desk_user, desk_token)
    expect(desktop_page.locator("#desk")).to_have_attribute("data-offline-ready", "true")
    assert "/static/js/shared/common.js" in requested  # the graph was really walked
    missing = requested - served_list(desktop_page, f"{live_server.url}/brescia-citta-del-noi/desk/sw.js")
    assert not missing, f"loaded by the desk but not kept offline: {sorted(missing)}"


def test_the_notes_worker_keeps_every_file_the_notes_page_loads(live_server, table, page):  # noqa: F811
    requested = collect_static_requests(page)
    open_notes(page, live_server, facilitator(table, "silvia@example.org"), table)
    expect(page.locator("#notes")).to_have_attribute("data-offline-ready", "true")
    assert "/static/js/shared/common.js" in requested
    missing = requested - served_list(page, f"{live_server.url}/brescia-citta-del-noi/facilitators/sw.js")
    assert not missing, f"loaded by the notes page but not kept offline: {sorted(missing)}"
