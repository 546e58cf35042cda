"""A real browser for the tests: Debian's Chromium driven by Playwright.

Test modules take the fixtures with ``from browser import browser, page  # noqa: F401``
(add ``desktop_page`` when they need a desk-sized window). ``page`` is a phone (390x844),
``desktop_page`` a laptop (1280x800); each test gets a fresh context, so no cookies leak
from one test to the next. An uncaught JavaScript error or a Content-Security-Policy
violation fails the test that caused it, and a failing test leaves a screenshot under
the temporary directory (its path is printed).
"""

import os
import re
import tempfile
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags the closed network refuses many connections.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
TIMEOUT_MS = 5_000
FAILURE_SCREENSHOTS = Path(tempfile.gettempdir()) / "noiday-browser-failures"

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` "
            "(or point the CHROMIUM environment variable at it). Browser tests are never skipped.",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open_page(browser, request, options):
    context = browser.new_context(locale="it-IT", timezone_id="Europe/Rome", **options)
    context.set_default_timeout(TIMEOUT_MS)
    new_page = context.new_page()
    problems = []
    new_page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    new_page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    failed_before = request.session.testsfailed
    yield new_page
    if request.session.testsfailed > failed_before and not new_page.is_closed():
        FAILURE_SCREENSHOTS.mkdir(exist_ok=True)
        shot = FAILURE_SCREENSHOTS / (re.sub(r"[^\w.-]+", "_", request.node.name) + ".png")
        new_page.screenshot(path=str(shot), full_page=True)
        print(f"\nscreenshot of the failing page ({new_page.url}): {shot}")
    context.close()
    if problems:
        pytest.fail("the page reported problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def page(browser, request):
    """A phone-sized page in a fresh browser context."""
    yield from _open_page(browser, request, PHONE)


@pytest.fixture
def desktop_page(browser, request):
    """A laptop-sized page in a fresh browser context."""
    yield from _open_page(browser, request, DESKTOP)


def type_like_a_scanner(page, text: str, ms_per_key: float = 3) -> None:
    """What a USB or Bluetooth scanner does: the keys of ``text`` a few ms apart, then
    Enter. Each key carries the scanner's own time (Chrome's Input.dispatchKeyEvent
    timestamp, which pages read as event.timeStamp), so a loaded test machine, slow to
    deliver them, does not turn the scanner into a person typing."""
    cdp = page.context.new_cdp_session(page)
    start = time.time()
    try:
        for n, key in enumerate([*text, "Enter"]):
            at = start + n * ms_per_key / 1000
            down = {"type": "keyDown", "key": key, "text": key, "timestamp": at}
            if key == "Enter":
                down.update(code="Enter", text="\r", windowsVirtualKeyCode=13, nativeVirtualKeyCode=13)
            cdp.send("Input.dispatchKeyEvent", down)
            cdp.send("Input.dispatchKeyEvent", {**down, "type": "keyUp", "timestamp": at + 0.001})
    finally:
        cdp.detach()
