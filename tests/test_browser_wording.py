"""What the desk and the facilitators' pages say, in a real browser: one person's status in
the singular, a badge that fails its check called invalid (the reason in small print), the
camera's failures in Italian without claiming it is on, and times written in the page's
language even when the browser speaks another one."""

import re

import pytest
import test_browser_desk as desk
from browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, TIMEOUT_MS
from conftest import PASSWORD, staff_account
from helpers import register_someone
from playwright.sync_api import expect
from test_browser_notes import facilitator, open_notes, wait_for_server
from test_facilitators import publish_seats

from app.checkin.badges import badge_token
from app.extensions import db
from app.facilitation import notes
from app.registration.cancellation import cancel_registration

# The desk's fixtures (a desk user, a paired device, Italian as the page shows it).
in_italian = desk.in_italian  # the desk fixtures (desk_user, desk_token) come from conftest
camera_page_for = desk.camera_page_for
expect_result, open_desk, scan_with_wedge = desk.expect_result, desk.open_desk, desk.scan_with_wedge
SERVER_WAIT_MS = 12_000
HH_MM = r"\d{2}:\d{2}"  # Italian: 14:05; the browser's American English would say 02:05 PM


def open_page_in(browser, request, locale, options, permissions=()):
    """A page in a fresh context whose browser speaks `locale` (the site stays Italian: it
    follows the visitor's choice, not the browser's). Fails the test on a JavaScript error."""
    context = browser.new_context(locale=locale, timezone_id="Europe/Rome", **options)
    context.set_default_timeout(TIMEOUT_MS)
    if permissions:
        context.grant_permissions(list(permissions))
    new_page = context.new_page()
    problems = []
    new_page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    yield new_page
    context.close()
    if problems:
        pytest.fail("the page reported problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def american_page(browser, request):
    """A phone whose browser is set to American English."""
    yield from open_page_in(browser, request, "en-US", PHONE)


@pytest.fixture
def american_second_page(browser, request):
    yield from open_page_in(browser, request, "en-US", PHONE)


@pytest.fixture
def american_desktop(browser, request):
    yield from open_page_in(browser, request, "en-US", DESKTOP)


@pytest.fixture
def no_camera_page(browser, request):
    """A laptop allowed to use a camera it does not have (Chromium without a fake device)."""
    yield from open_page_in(browser, request, "it-IT", DESKTOP, permissions=["camera"])


# ---- The desk -------------------------------------------------------------------------------


def test_a_cancelled_person_found_at_the_desk_reads_in_the_singular(
    event, live_server, desk_user, desk_token, desktop_page, in_italian
):
    page = desktop_page
    cancel_registration(register_someone(event, first_name="Piera", last_name="Gnutti"))
    open_desk(page, live_server, desk_user, desk_token)
    page.locator("#search-input").press_sequentially("gnutti", delay=40)
    status = page.locator("#search-results li .status-tag")
    expect(status).to_have_text(in_italian("Registration cancelled"))
    expect(status).to_have_text("Iscrizione annullata")
    expect(page.locator("#search-results")).not_to_contain_text("Annullate")
    expect(page.locator("#counters-title")).to_have_text("Persone accreditate")  # many: plural


def test_a_badge_that_fails_its_check_is_invalid_with_the_reason_in_small_print(
    event, live_server, desk_user, desk_token, desktop_page, in_italian
):
    page = desktop_page
    token = badge_token(register_someone(event))
    open_desk(page, live_server, desk_user, desk_token)
    scan_with_wedge(page, token[:-1] + ("A" if token[-1] != "A" else "B"))
    panel = expect_result(page, "red")
    headline = panel.locator(".result-headline")
    expect(headline).to_have_text(re.compile("Badge non valido"))  # as written, not in capitals
    assert "contraffatto" not in panel.inner_text().lower()
    reason = panel.locator(".result-message")
    expect(reason).to_have_text(in_italian("Forged or damaged badge: the signature does not match."))
    size = {
        name: float(part.evaluate("node => getComputedStyle(node).fontSize")[:-2])
        for name, part in (("headline", headline), ("reason", reason))
    }
    assert size["reason"] < 0.4 * size["headline"], f"the reason is small print: {size}"


def camera_failure(in_italian, why: str) -> str:
    return in_italian("Camera not available: {error}").replace("{error}", in_italian(why))


NO_CAMERA = "no camera found on this device."
DENIED = "permission refused (allow the camera in the browser's site settings)"
SCANNER_ONLY = "The scanner is on; the camera is off. The result clears itself."


def test_a_desk_without_a_camera_says_so_in_italian_and_does_not_claim_it_is_on(
    live_server, desk_user, desk_token, desktop_page, in_italian
):
    page = desktop_page  # the tests' Chromium has no camera at all
    open_desk(page, live_server, desk_user, desk_token)
    hint = page.locator("#result .result-hint")
    expect(hint).to_have_text(in_italian(SCANNER_ONLY))

    page.locator("#camera-toggle").click()
    expect(page.locator("#camera")).to_have_attribute("data-state", "error")
    expect(page.locator("#camera-status")).to_have_text(camera_failure(in_italian, NO_CAMERA))
    assert "Requested device" not in page.locator("#camera-status").inner_text(), "not the browser's English"
    expect(hint).to_have_text(in_italian(SCANNER_ONLY))
    both_on = in_italian("Camera and scanner are both on. The result clears itself.")
    expect(page.locator("#result")).not_to_contain_text(both_on)
    expect(page.locator("#camera-toggle")).to_have_text(in_italian("Start camera"))


def test_a_camera_allowed_before_but_missing_is_not_shown_as_on(
    live_server, desk_user, desk_token, no_camera_page, in_italian
):
    page = no_camera_page
    open_desk(page, live_server, desk_user, desk_token)  # allowed before: it starts by itself
    expect(page.locator("#camera")).to_have_attribute("data-state", "error")
    expect(page.locator("#camera-status")).to_have_text(camera_failure(in_italian, NO_CAMERA))
    expect(page.locator("#result .result-hint")).to_have_text(in_italian(SCANNER_ONLY))


def test_a_working_camera_is_said_to_be_on(
    event, live_server, desk_user, desk_token, camera_page_for, in_italian
):
    page = camera_page_for(badge_token(register_someone(event, first_name="Ada", last_name="Lovelace")))
    open_desk(page, live_server, desk_user, desk_token)
    expect(page.locator("#camera")).to_have_attribute("data-state", "on")
    expect_result(page, "green", "Ada Lovelace")
    both_on = in_italian("Camera and scanner are both on. The result clears itself.")
    expect(page.locator("#result .result-hint")).to_have_text(both_on, timeout=8_000)  # once it clears


@pytest.fixture
def refusing_browser_page(browser, request):
    """A laptop with a camera whose browser refuses it to the site (as when the staff
    clicked "Block"): Chromium with a fake camera that denies every permission prompt."""
    refusing = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS + ["--use-fake-device-for-media-stream", "--deny-permission-prompts"],
    )
    try:
        yield from open_page_in(refusing, request, "it-IT", DESKTOP)
    finally:
        refusing.close()


def test_a_refused_camera_is_said_in_italian_with_the_way_out(
    live_server, desk_user, desk_token, refusing_browser_page, in_italian
):
    page = refusing_browser_page
    open_desk(page, live_server, desk_user, desk_token)
    page.locator("#camera-toggle").click()
    expect(page.locator("#camera")).to_have_attribute("data-state", "error")
    expect(page.locator("#camera-status")).to_have_text(camera_failure(in_italian, DENIED))
    expect(page.locator("#result .result-hint")).to_have_text(in_italian(SCANNER_ONLY))


# ---- The facilitators' pages ----------------------------------------------------------------


def test_a_table_phone_without_a_camera_says_so_in_italian(event, live_server, page, in_italian):
    table = event.tables[0]
    publish_seats(event, [(register_someone(event), table, 1, 0)])
    user = facilitator(table, "silvia@example.org")
    open_notes(page, live_server, user, table)
    page.goto(f"{live_server.url}/brescia-citta-del-noi/facilitators/tables/{table.id}/?round=1")
    expect(page.locator("#attendance")).to_have_attribute("data-ready", "true")
    page.locator("#camera-toggle").click()
    expect(page.locator("#camera-status")).to_have_text(camera_failure(in_italian, NO_CAMERA))
    expect(page.locator("#camera-video")).to_be_hidden()
    expect(page.locator("#camera-toggle")).to_have_attribute("aria-pressed", "false")


def test_notes_are_saved_at_a_time_written_in_the_pages_language(event, live_server, american_page):
    page = american_page
    table = event.tables[0]
    open_notes(page, live_server, facilitator(table, "silvia@example.org"), table)
    assert page.locator("html").get_attribute("lang") == "it"
    page.locator("#note-insights").fill("Più servizi vicino a casa")
    expect(page.locator("#save-status")).to_have_text(
        re.compile(rf"^Salvato alle {HH_MM}$"), timeout=SERVER_WAIT_MS
    )


def test_a_notes_conflict_names_the_other_writer_and_the_time(
    event, live_server, american_page, american_second_page
):
    table = event.tables[0]
    marta = facilitator(table, "marta.rossi@example.org")
    marta.name = "Marta Rossi"
    db.session.commit()
    marco = facilitator(table, "marco@example.org")
    open_notes(american_page, live_server, marta, table)
    open_notes(american_second_page, live_server, marco, table)

    american_second_page.context.set_offline(True)  # Marco writes where the network does not reach
    american_second_page.locator("#note-insights").fill("Idea di Marco: orti condivisi")
    american_page.locator("#note-insights").fill("Idea di Marta: banca del tempo")
    wait_for_server(american_page, table, lambda s: "Marta" in s.insights)
    american_second_page.context.set_offline(False)

    conflict = american_second_page.locator("#conflict")
    expect(conflict).to_be_visible(timeout=SERVER_WAIT_MS)
    expect(conflict.locator("#conflict-title")).to_have_text(
        re.compile(rf"^Marta Rossi ha salvato una versione più recente alle {HH_MM}$")
    )
    expect(american_second_page.locator('[data-theirs="insights"] .theirs-label')).to_have_text(
        "Salvato da Marta Rossi"
    )
    expect(conflict).not_to_contain_text("@")


def test_the_synthesis_clock_is_in_the_pages_language(event, live_server, american_desktop):
    page = american_desktop
    table = event.tables[0]
    admin = staff_account("admin@example.org", "Admin", PASSWORD, "admin")
    notes.save_sheet(
        table, 0, notes.SheetContent(insights="Patti di collaborazione"), 0, "synthesis-clock-1", admin.email
    )
    page.goto(f"{live_server.url}/staff/login")
    page.locator("#email").fill(admin.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.goto(f"{live_server.url}/brescia-citta-del-noi/synthesis/")
    expect(page.locator("#synthesis-updated")).to_have_text(
        re.compile(rf"^Aggiornata alle {HH_MM}:\d{{2}}$"), timeout=SERVER_WAIT_MS
    )
