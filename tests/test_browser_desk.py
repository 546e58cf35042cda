"""The check-in desk in a real browser: a badge shown to a (fake) camera, a keyboard-wedge
scanner, the offline queue and its replay, the forgotten-badge search, live counters.

The desk page talks to the JSON API with a device token, given by the admin's pairing link
(/desk/#pair=<token>). The answer fills the screen: its colour is in data-result.
"""

import io
import subprocess
import uuid
from datetime import datetime, timedelta

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, _open_page, type_like_a_scanner
from conftest import PASSWORD, ROOT
from flask_babel import force_locale, gettext
from helpers import register_someone
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.checkin.badges import badge_token, qr_png
from app.checkin.desks import create_desk_device, device_for_token, revoke_desk_device
from app.extensions import db
from app.models import Attendee, CheckIn

REPLAY_WAIT_MS = 12_000  # the queue is sent on "online", and retried every 5 s
VENDORED_DECODER = ROOT / "app" / "static" / "vendor" / "zxing-wasm" / "zxing_reader.wasm"


@pytest.fixture
def in_italian(app):
    """in_italian("English message") -> what the Italian page shows (English when the
    catalogue has no translation yet)."""

    def translate(message, **values):
        with app.test_request_context(), force_locale("it"):
            return gettext(message, **values)

    return translate


def open_desk(page, live_server, desk_user, desk_token):
    """Sign in as desk staff, then open the admin's pairing link on this device."""
    page.goto(f"{live_server.url}/staff/login")
    page.locator("#email").fill(desk_user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/brescia-citta-del-noi/desk/")  # a desk user's home
    page.goto("about:blank")  # the link opens in a fresh page, as from an e-mail or a QR code
    page.goto(f"{live_server.url}/brescia-citta-del-noi/desk/#pair={desk_token}")
    expect(page.locator("#desk")).to_have_attribute("data-ready", "true")
    expect(page.locator("#desk-name")).to_have_text("Desk 2")
    assert "pair=" not in page.url, "the pairing token must leave the address bar"


def test_a_pairing_link_opened_signed_out_pairs_the_desk_after_sign_in(event, live_server, desk_user, page):
    """The admin's link reaches a phone that is not signed in: the token survives the
    sign-in page (it is in the address's fragment, which the redirects carry along)."""
    token = create_desk_device(event, "Desk 7")[1]
    page.goto(f"{live_server.url}/brescia-citta-del-noi/desk/#pair={token}")
    expect(page.locator("#email")).to_be_visible()
    page.locator("#email").fill(desk_user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator("#desk-name")).to_have_text("Desk 7")
    assert "pair=" not in page.url


def scan_with_wedge(page, token):
    """A USB scanner reads the badge (typing it in lower case: its keyboard layout may)."""
    type_like_a_scanner(page, token.lower())


def active_check_ins() -> int:
    db.session.rollback()  # see what the live server committed
    return db.session.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.undone_at.is_(None)))


def all_check_ins() -> list[CheckIn]:
    db.session.rollback()
    return db.session.scalars(select(CheckIn).order_by(CheckIn.id)).all()


def expect_result(page, colour, *texts, timeout=5_000):
    panel = page.locator("#result")
    expect(panel).to_have_attribute("data-result", colour, timeout=timeout)
    for text in texts:
        expect(panel).to_contain_text(text)
    return panel


# ---- The camera -----------------------------------------------------------------------------


def badge_video(token: str, folder) -> str:
    """A 3-second video of the badge's QR code on a white 640x480 frame, for Chromium's fake
    camera (which loops it)."""
    frame = Image.new("RGB", (640, 480), "white")
    qr = Image.open(io.BytesIO(qr_png(token))).convert("RGB")
    frame.paste(qr, ((640 - qr.width) // 2, (480 - qr.height) // 2))
    png, video = folder / "badge.png", folder / "badge.y4m"
    frame.save(png)
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-y", "-loop", "1", "-i", str(png), "-t", "3", "-r", "15"]
        + ["-pix_fmt", "yuv420p", str(video)],
        check=True,
    )
    return str(video.resolve())


@pytest.fixture
def camera_page_for(browser, request, tmp_path):
    """camera_page_for(token) -> a laptop-sized page whose camera films that badge."""
    opened = []

    def open_page(token):
        camera_browser = browser.browser_type.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS
            + [
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-video-capture={badge_video(token, tmp_path)}",
            ],
        )
        pages = _open_page(camera_browser, request, {**DESKTOP, "permissions": ["camera"]})
        opened.append((camera_browser, pages))
        return next(pages)

    if not VENDORED_DECODER.exists():
        pytest.fail("the QR decoder is not vendored: run `bash scripts/vendor-js.sh`", pytrace=False)
    yield open_page
    for camera_browser, pages in opened:
        try:
            next(pages, None)  # closes the context, reports JavaScript errors
        finally:
            camera_browser.close()


def test_badge_shown_to_the_camera_checks_in_once(event, live_server, desk_user, desk_token, camera_page_for):
    attendee = register_someone(event, first_name="Ada", last_name="Lovelace", dietary_needs="Vegana")
    page = camera_page_for(badge_token(attendee))

    open_desk(page, live_server, desk_user, desk_token)

    # The camera was allowed before, so it starts by itself and decodes with zxing-wasm
    # (Chromium on Linux has no BarcodeDetector).
    expect(page.locator("#camera")).to_have_attribute("data-state", "on")
    expect_result(page, "green", "Ada Lovelace", "Vegana")
    # The badge stays in front of the camera: it is read once, not once per frame.
    page.wait_for_timeout(1_500)
    assert page.locator("#result").get_attribute("data-result") == "green"
    assert active_check_ins() == 1
    assert all_check_ins()[0].desk_name == "Desk 2"


# ---- The keyboard-wedge scanner -------------------------------------------------------------


def test_scanner_green_then_amber_then_red_for_a_forged_badge(
    event, live_server, desk_user, desk_token, desktop_page, in_italian
):
    page = desktop_page
    attendee = register_someone(
        event,
        first_name="Grace",
        last_name="Hopper",
        organisation_name="Auser Brescia",
        accessibility_needs="Sedia a rotelle",
    )
    token = badge_token(attendee)
    open_desk(page, live_server, desk_user, desk_token)
    expect(page.locator("#scan-code")).to_be_focused()

    scan_with_wedge(page, token)
    panel = expect_result(page, "green", "Grace Hopper", "Auser Brescia", "Sedia a rotelle")
    expect(panel.get_by_role("link", name=in_italian("Print badge"))).to_have_attribute(
        "href", f"/brescia-citta-del-noi/desk/attendees/{attendee.id}/badge.pdf"
    )

    scan_with_wedge(page, token)
    expect_result(page, "amber", "Grace Hopper", in_italian("Already checked in"), "Desk 2")

    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    scan_with_wedge(page, forged)
    panel = expect_result(page, "red", in_italian("Invalid badge"))
    expect(panel).to_have_attribute("data-reason", "forged")
    check_ins = all_check_ins()
    assert len(check_ins) == 1 and check_ins[0].desk_name == "Desk 2"


def test_scanner_is_heard_wherever_the_focus_is(event, live_server, desk_user, desk_token, desktop_page):
    page = desktop_page
    alan = register_someone(event, first_name="Alan", last_name="Turing")
    katherine = register_someone(event, first_name="Katherine", last_name="Johnson")
    open_desk(page, live_server, desk_user, desk_token)

    page.locator("#sound-toggle").focus()  # a keyboard user left the focus on a button
    scan_with_wedge(page, badge_token(alan))
    expect_result(page, "green", "Alan Turing")
    expect(page.locator("#sound-toggle")).to_have_attribute("aria-pressed", "false")  # Enter did not press it

    search = page.locator("#search-input")
    search.press_sequentially("joh", delay=60)  # someone is searching when the next badge comes
    page.wait_for_timeout(400)  # people pause after typing; scanners do not
    scan_with_wedge(page, badge_token(katherine))
    expect_result(page, "green", "Katherine Johnson")
    expect(search).to_have_value("joh")  # the scanner's keys were taken out of the search
    assert active_check_ins() == 2


def test_text_that_is_not_a_badge_is_refused_at_once(
    event, live_server, desk_user, desk_token, desktop_page, in_italian
):
    page = desktop_page
    open_desk(page, live_server, desk_user, desk_token)
    scan_with_wedge(page, "https://example.org/wifi")
    panel = expect_result(page, "red", in_italian("Not a badge"))
    expect(panel).to_have_attribute("data-result", "ready", timeout=6_000)  # clears by itself
    assert active_check_ins() == 0


# ---- Offline ----------------------------------------------------------------------------------


def test_offline_scans_survive_a_reload_and_are_sent_once_when_the_network_is_back(
    app, event, live_server, desk_user, desk_token, desktop_page, in_italian
):
    page = desktop_page
    first = register_someone(event, first_name="Maria", last_name="Montessori")
    second = register_someone(event, first_name="Rita", last_name="Levi-Montalcini")
    open_desk(page, live_server, desk_user, desk_token)
    # A service worker keeps a copy of the page for reloads; its scope must cover the desk.
    routes = {rule.rule for rule in app.url_map.iter_rules()}
    assert "/<event_slug>/desk/sw.js" in routes, (
        "app/static/js/checkin/desk-sw.js must be served at /<event-slug>/desk/sw.js"
    )
    expect(page.locator("#desk")).to_have_attribute("data-offline-ready", "true")

    page.context.set_offline(True)
    scan_with_wedge(page, badge_token(first))
    expect_result(page, "blue", in_italian("Saved offline"))
    scan_with_wedge(page, badge_token(second))
    expect(page.locator("#network-status")).to_have_attribute("data-state", "offline")
    expect(page.locator("#queue-count")).to_have_attribute("data-count", "2")
    queued = page.evaluate("JSON.parse(localStorage.getItem('noiday.deskQueue'))")

    page.reload()  # still offline: the page comes from the service worker's copy
    expect(page.locator("#desk")).to_have_attribute("data-ready", "true")
    expect(page.locator("#desk-name")).to_have_text("Desk 2")
    expect(page.locator("#queue-count")).to_have_attribute("data-count", "2")
    assert active_check_ins() == 0

    page.context.set_offline(False)
    sent = page.locator("#replayed-list li")
    expect(sent).to_have_count(2, timeout=REPLAY_WAIT_MS)
    expect(page.locator("#replayed-list li[data-result=green]")).to_have_count(2)
    expect(page.locator("#replayed-list")).to_contain_text("Maria Montessori")
    expect(page.locator("#replayed-list")).to_contain_text("Rita Levi-Montalcini")
    expect(page.locator("#queue-count")).to_have_attribute("data-count", "0")
    expect(page.locator("#network-status")).to_have_attribute("data-state", "online")
    assert active_check_ins() == 2
    # Each check-in keeps the time of its scan at the desk, not of its arrival.
    scanned = sorted(datetime.fromisoformat(item["scanned_at"]).replace(tzinfo=None) for item in queued)
    recorded = sorted(check_in.checked_in_at for check_in in all_check_ins())
    assert all(abs(a - b) < timedelta(seconds=1) for a, b in zip(scanned, recorded, strict=True))

    # The same requests once more (say the answers were lost on the way): no new check-in.
    page.evaluate("items => localStorage.setItem('noiday.deskQueue', JSON.stringify(items))", queued)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(sent).to_have_count(4, timeout=REPLAY_WAIT_MS)
    expect(page.locator("#queue-count")).to_have_attribute("data-count", "0")
    assert len(all_check_ins()) == 2 and active_check_ins() == 2


# ---- Forgotten badge, pairing, counters ---------------------------------------------------------


def test_forgotten_badge_found_by_surname_checked_in_then_undone(
    event, live_server, desk_user, desk_token, desktop_page, in_italian
):
    page = desktop_page
    register_someone(event, first_name="Enrico", last_name="Fermi", organisation_name="INFN")
    register_someone(event, first_name="Laura", last_name="Bassi")
    open_desk(page, live_server, desk_user, desk_token)

    page.locator("#search-input").press_sequentially("ferm", delay=40)
    found = page.locator("#search-results li")
    expect(found).to_have_count(1)
    expect(found).to_contain_text("INFN")
    found.get_by_role("button", name=in_italian("Check in")).click()

    panel = expect_result(page, "green", "Enrico Fermi")
    expect(page.locator("#scan-code")).to_be_focused()  # ready for the next badge
    expect(found).to_contain_text("Desk 2")
    assert active_check_ins() == 1 and all_check_ins()[0].method == "search"

    panel.get_by_role("button", name=in_italian("Undo check-in")).click()
    expect_result(page, "info", in_italian("Check-in undone"), "Enrico Fermi")
    expect(found.get_by_role("button", name=in_italian("Check in"))).to_be_visible()
    assert active_check_ins() == 0 and all_check_ins()[0].undone_at is not None


def test_a_revoked_device_asks_to_be_paired_again_and_keeps_the_scan(
    event, live_server, desk_user, desk_token, desktop_page
):
    page = desktop_page
    attendee = register_someone(event)
    open_desk(page, live_server, desk_user, desk_token)
    revoke_desk_device(device_for_token(desk_token), "admin@example.org")

    scan_with_wedge(page, badge_token(attendee))

    expect(page.locator("#pairing")).to_be_visible()
    expect(page.locator("#pairing-error")).to_be_visible()
    expect(page.locator("#pairing-token")).to_be_focused()
    assert page.evaluate("localStorage.getItem('noiday.deskQueue')").count("request_id") == 1

    page.locator("#pairing-token").fill(
        f"{live_server.url}/brescia-citta-del-noi/desk/#pair={create_desk_device(event, 'Desk 4')[1]}"
    )
    page.locator("#pairing-token").press("Enter")
    expect(page.locator("#desk-name")).to_have_text("Desk 4")
    expect(page.locator("#replayed-list li[data-result=green]")).to_have_count(1)
    assert all_check_ins()[0].desk_name == "Desk 4"


def test_a_badge_scanned_while_the_desk_waits_for_pairing_is_kept_as_a_scan(
    event, live_server, desk_user, desk_token, desktop_page, in_italian
):
    page = desktop_page
    attendee = register_someone(event)
    open_desk(page, live_server, desk_user, desk_token)
    code = badge_token(attendee).lower()
    revoke_desk_device(device_for_token(desk_token), "admin@example.org")
    page.keyboard.type(code[:10], delay=5)  # the scanner has begun typing into the scan field...
    expect(page.locator("#pairing")).to_be_visible(timeout=15_000)  # ...when the counters' poll is refused
    page.keyboard.type(code[10:], delay=5)  # the rest lands in the pairing field
    page.keyboard.press("Enter")

    expect(page.locator("#pairing-error")).to_contain_text(
        in_italian(
            "That was a badge, not a pairing code: the scan is kept and sent once this device "
            "is paired. Paste the pairing code."
        )
    )
    expect(page.locator("#pairing-token")).to_have_value("")
    assert page.evaluate("localStorage.getItem('noiday.deskQueue')").count("request_id") == 1

    page.locator("#pairing-token").fill(create_desk_device(event, "Desk 5")[1])
    page.locator("#pairing-token").press("Enter")
    expect(page.locator("#desk-name")).to_have_text("Desk 5")
    expect(page.locator("#replayed-list li[data-result=green]")).to_have_count(1)
    assert [c.desk_name for c in all_check_ins()] == ["Desk 5"]


def test_counters_show_another_desks_check_in_within_seconds(
    app, event, live_server, desk_user, desk_token, page
):
    people = [register_someone(event) for _ in range(3)]
    other_desk = create_desk_device(event, "Desk 3")[1]
    open_desk(page, live_server, desk_user, desk_token)  # on a phone, this time
    total = page.locator("[data-counter-total]")
    expect(total).to_have_text("0")
    expect(page.locator("[data-counter-expected]")).to_contain_text("3")

    answer = app.test_client().post(
        "/api/v1/scan",
        json={"code": badge_token(people[0]), "request_id": str(uuid.uuid4())},
        headers={"Authorization": f"Bearer {other_desk}"},
    )
    assert answer.get_json()["result"] == "green"

    expect(total).to_have_text("1", timeout=5_000)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "wider than the phone"


# ---- Walk-ins -------------------------------------------------------------------------------


def fill_walk_in(page, first_name, last_name, email):
    page.locator("#first_name").fill(first_name)
    page.locator("#last_name").fill(last_name)
    page.locator("#email").fill(email)
    page.locator("#participant_type").select_option("citizen")
    page.locator("#consent_privacy").check()
    page.locator("#registration-form button[type=submit]").click()


def test_walk_ins_at_the_last_place_and_then_at_a_full_event_show_what_really_happened(
    event, live_server, desk_user, desk_token, desktop_page, in_italian
):
    """The last place goes to the first walk-in (checked in, badge to print); the next one
    goes on the waiting list, and the desk sees that in amber, not a green "checked in"."""
    page = desktop_page
    register_someone(event)
    event.capacity = 2
    db.session.commit()
    open_desk(page, live_server, desk_user, desk_token)
    page.get_by_role("link", name=in_italian("Walk-in registration")).click()

    fill_walk_in(page, "Primo", "Arrivato", "primo@example.org")
    checked_in = in_italian("%(name)s is registered and checked in.", name="Primo Arrivato")
    expect(page.locator(".status-confirmed")).to_have_text(checked_in)
    with page.expect_popup() as badge_tab:
        page.get_by_role("link", name=in_italian("Print the badge")).click()
    assert badge_tab.value.evaluate("document.contentType") == "application/pdf"
    badge_tab.value.close()

    page.get_by_role("link", name=in_italian("Another walk-in")).click()
    fill_walk_in(page, "Secondo", "Arrivato", "secondo@example.org")
    notice = page.locator("#walk-in-waiting")  # the walk-ins' own page (tests/test_browser_walk_in.py)
    expect(notice).to_contain_text(
        in_italian("%(name)s is on the waiting list: the day is full.", name="Secondo Arrivato")
    )
    expect(notice).to_contain_text(in_italian("NOT checked in, no badge to print."))
    expect(notice).to_have_class("status status-waiting")
    expect(page.locator(".status-confirmed, .notice-success")).to_have_count(0)
    expect(page.get_by_role("link", name=in_italian("Print the badge"))).to_have_count(0)
    page.get_by_role("link", name=in_italian("Another walk-in")).click()
    expect(page.locator("#first_name")).to_have_value("")  # ready for the next person

    db.session.rollback()
    people = {a.first_name: a for a in db.session.scalars(select(Attendee).filter_by(source="desk"))}
    assert people["Primo"].status == "confirmed" and people["Secondo"].status == "waitlisted"
    assert [(c.attendee_id, c.method, c.desk_name) for c in all_check_ins()] == [
        (people["Primo"].id, "walk_in", "Desk 2")
    ]
