"""Accessibility: axe-core in headless Chromium over every HTML page of the app, on a phone
(390x844) and on a laptop (1280x800). No violation of impact "serious" or "critical" is
allowed; "moderate" and "minor" ones are reported as warnings.

Every page is in PAGES as (name, path, role, then): `then` brings the page into the state
to check (a form sent with errors, a badge scanned at the desk...). The guard test below
fails when the app gains an HTML page that PAGES does not visit.

axe-core comes from node_modules (package.json, `npm ci`). It is evaluated through the
DevTools protocol: a <script> tag (inline) would be refused by the app's
Content-Security-Policy, as it should be.
"""

import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from conftest import MOCA, PASSWORD, ROOT, staff_account
from helpers import register_someone, registration_data, second_event
from PIL import Image
from playwright.sync_api import expect
from werkzeug.exceptions import NotFound

from app.checkin.badges import badge_token
from app.checkin.desks import create_desk_device
from app.checkin.services import check_in_attendee
from app.extensions import db
from app.facilitation import notes, photos
from app.mail.unsubscribe import unsubscribe_token
from app.models import (
    CommitmentOwner,
    FeedbackRequest,
    PublishedPhoto,
    Role,
    TableFacilitator,
    TableOutcome,
    utcnow,
)
from app.registration.cancellation import cancel_registration
from app.registration.groups import Contact, active_members, cancel_member, register_group
from app.registration.signup import register_walk_in
from app.registration.tokens import group_token, manage_token
from app.reporting.certificates import certificate_code
from app.results import commitments
from app.results.feedback_answers import answer_token
from app.staff.services import create_user, invite_user, password_link
from app.worldcafe import services as world_cafe

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

# GET routes that answer with something other than an HTML page (besides those the guard
# leaves out by their address: static files, .json, .pdf, .csv, .md, .png, .ics, .yaml,
# sw.js, /api/, /dev/ and /healthz).
NOT_HTML = {
    "site.set_language": "redirects back to the page it was asked from",
    "facilitators.photo_file": "a JPEG",
    "facilitators.photo_thumbnail": "a JPEG",
    "results.photo_file": "a JPEG",
    "results.photo_thumbnail": "a JPEG",
    "feedback.resume": "redirects back to the person's questionnaire",
}
NOT_HTML_SUFFIXES = (
    ".json",
    ".pdf",
    ".csv",
    ".md",
    ".png",
    ".ics",
    ".yaml",
    "sw.js",
    ".jsonld",
    ".ttl",
    ".atom",
)
NOT_HTML_PREFIXES = ("/static/", "/api/", "/dev/", "/healthz")


# ---- What to do on a page before checking it -------------------------------------------------


def submit_empty(page, site):
    """Send the page's form with its text fields emptied."""
    form = page.locator("main form").last
    for field in form.locator("input[type=text]:visible, input[type=email]:visible").all():
        field.fill("")
    form.locator("button[type=submit]").click()
    expect(page.locator("#form-errors")).to_be_visible()


def wrong_password(page, site):
    page.locator("#email").fill("nobody@example.org")
    page.locator("#password").fill("not the password")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#password-error")).to_be_visible()


def too_many_sign_ins(page, site):
    for _ in range(6):  # 5 failed sign-ins a minute per account, then 429
        page.locator("#email").fill("guesser@example.org")
        page.locator("#password").fill("guess")
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.locator("main form button[type=submit]").click()
        if answer.value.status == 429:
            page.wait_for_load_state()
            return
    raise AssertionError("no 429 page after 6 failed sign-ins")


def resend_sent(page, site):
    page.locator("#email").fill(site.email)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".notice").first).to_be_visible()


def desk_paired(page, site):
    expect(page.locator("#desk")).to_have_attribute("data-ready", "true")
    expect(page.locator("#desk-main")).to_be_visible()


def desk_unpaired(page, site):
    expect(page.locator("#pairing")).to_be_visible()


def desk_scanned(page, site):
    desk_paired(page, site)
    page.locator("#scan-code").fill(site.badge)
    page.locator("#scan-code").press("Enter")
    expect(page.locator("#result")).to_have_attribute("data-result", "green")


def desk_searched(page, site):
    desk_paired(page, site)
    page.locator("#search-input").fill(site.last_name)
    expect(page.locator("#search-results li").first).to_be_visible()


def desk_created(page, site):
    page.locator("#name").fill("Desk 3")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("code.token").first).to_be_visible()


def announcement_previewed(page, site):
    page.locator("#subject_it").fill("Cambio di sala")
    page.locator("#body_it").fill("Ci vediamo nella sala grande.\n\nA presto!")
    page.locator("button[value=preview]").click()
    expect(page.locator("#preview-title")).to_be_visible()


def load_a_broken_event_file(page, site):
    """Load an event file with a mistake: the problems are listed with their lines."""
    broken = MOCA.read_text(encoding="utf-8").replace("capacity: 250", "capacity: lots")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "moca.yaml", "mimeType": "application/yaml", "buffer": broken.encode()}]
    )
    page.locator("form[aria-labelledby=load-heading] button[type=submit]").click()
    expect(page.locator("#form-errors")).to_be_visible()


def announcement_empty(page, site):
    """Preview the announcement form empty (the reminder below has a form too)."""
    form = page.locator("form:has(input[name=request_id])")
    form.locator("button[type=submit]").first.click()
    expect(page.locator("#form-errors")).to_be_visible()


def invite_empty(page, site):
    """Send the staff page's invitation form empty (the rows below have forms too)."""
    form = page.locator("form[aria-labelledby=invite-heading]")
    form.locator("button[type=submit]").click()
    expect(page.locator("#form-errors")).to_be_visible()


def notes_ready(page, site):
    expect(page.locator("#notes")).to_have_attribute("data-ready", "true")


def group_form_with_mistakes(page, site):
    """Send a group's form with one person half typed: a first name, a wrong address.
    (submit_empty would not do: the form has two submit buttons, "Add a row" too.)"""
    person = page.locator("#group-form fieldset.group-member").first
    person.locator("input[name$='-first_name']").fill("Lucia")
    person.locator("input[name$='-email']").fill("not-an-address")
    page.locator("#group-form button.primary[type=submit]").click()
    expect(page.locator("#form-errors")).to_be_visible()
    expect(page.locator("#group-form .error").first).to_be_visible()


def attendance_ready(page, site):
    expect(page.locator("#attendance")).to_have_attribute("data-ready", "true")


def attendance_scanned(page, site):
    attendance_ready(page, site)
    page.locator("#scan-code").fill(site.badge)
    page.locator("#scan-code").press("Enter")
    expect(page.locator("#scan-result")).not_to_have_attribute("data-result", "")


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # filled from the site fixture: {token}, {attendee}, {table}, {run}...
    role: str  # who opens it: public (nobody signed in), admin, desk, facilitator
    then: Callable | None = None
    status: int = 200  # of the page as first opened


PAGES = [
    # Public
    Page("events of the instance", "/", "public"),
    Page("home", "/brescia-citta-del-noi/", "public"),
    Page("register", "/brescia-citta-del-noi/register", "public"),
    Page("register, errors shown", "/brescia-citta-del-noi/register", "public", submit_empty),
    Page("resend link", "/brescia-citta-del-noi/register/link", "public"),
    Page("resend link, errors shown", "/brescia-citta-del-noi/register/link", "public", submit_empty),
    Page("resend link, sent", "/brescia-citta-del-noi/register/link", "public", resend_sent),
    Page("register a group", "/brescia-citta-del-noi/register/group", "public"),
    Page(
        "register a group, errors shown",
        "/brescia-citta-del-noi/register/group",
        "public",
        group_form_with_mistakes,
    ),
    Page("a group's page", "/brescia-citta-del-noi/g/{group_token}", "public"),
    Page("add people to a group", "/brescia-citta-del-noi/g/{group_token}/add", "public"),
    Page(
        "add people to a group, errors shown",
        "/brescia-citta-del-noi/g/{group_token}/add",
        "public",
        group_form_with_mistakes,
    ),
    Page("privacy notice", "/brescia-citta-del-noi/privacy", "public"),
    Page("personal page, confirmed", "/brescia-citta-del-noi/r/{token}", "public"),
    Page("personal page, waiting list", "/brescia-citta-del-noi/r/{waitlisted_token}", "public"),
    Page("personal page, cancelled", "/brescia-citta-del-noi/r/{cancelled_token}", "public"),
    Page("change registration", "/brescia-citta-del-noi/r/{token}/edit", "public"),
    Page(
        "change registration, errors shown", "/brescia-citta-del-noi/r/{token}/edit", "public", submit_empty
    ),
    Page("cancel registration", "/brescia-citta-del-noi/r/{token}/cancel", "public"),
    Page("delete registration", "/brescia-citta-del-noi/r/{token}/delete", "public"),
    Page("certificate check, genuine", "/brescia-citta-del-noi/certificates/{certificate}", "public"),
    Page("stop announcements", "/unsubscribe/{unsubscribe_token}", "public"),
    Page("stop announcements, link not valid", "/unsubscribe/not-a-token", "public", status=404),
    Page(
        "certificate check, unknown code",
        "/brescia-citta-del-noi/certificates/not-a-code",
        "public",
        status=404,
    ),
    Page("results of the day", "/brescia-citta-del-noi/results/", "public"),
    Page("commitments", "/brescia-citta-del-noi/results/commitments", "public"),
    Page("open data", "/brescia-citta-del-noi/results/open-data/", "public"),
    Page("feedback questionnaire", "/brescia-citta-del-noi/feedback/{feedback_token}", "public"),
    Page(
        "feedback questionnaire, errors shown",
        "/brescia-citta-del-noi/feedback/{feedback_token}",
        "public",
        submit_empty,
    ),
    Page("feedback, thank you", "/brescia-citta-del-noi/feedback/thanks", "public"),
    Page("staff sign-in", "/staff/login", "public"),
    Page("staff sign-in, wrong password", "/staff/login", "public", wrong_password),
    Page("forgot password", "/staff/password/forgot", "public"),
    Page("forgot password, errors shown", "/staff/password/forgot", "public", submit_empty),
    Page("choose password", "/staff/password/{password_token}", "public"),
    Page("choose password, errors shown", "/staff/password/{password_token}", "public", submit_empty),
    Page("password link no longer works", "/staff/password/spent", "public"),
    Page("404 page", "/no-such-page", "public", status=404),
    Page("429 page", "/staff/login", "public", too_many_sign_ins),  # last: it uses up the limit
    # Admin
    Page("admin: attendees", "/brescia-citta-del-noi/admin/", "admin"),
    Page("admin: one attendee", "/brescia-citta-del-noi/admin/attendees/{attendee}", "admin"),
    Page("admin: numbers and needs", "/brescia-citta-del-noi/admin/needs", "admin"),
    Page("admin: desks", "/brescia-citta-del-noi/admin/desks", "admin"),
    Page("admin: desks, pairing link shown", "/brescia-citta-del-noi/admin/desks", "admin", desk_created),
    Page("admin: world café runs", "/brescia-citta-del-noi/admin/assignment/", "admin"),
    Page("admin: published run", "/brescia-citta-del-noi/admin/assignment/runs/{run}", "admin"),
    Page("admin: draft run", "/brescia-citta-del-noi/admin/assignment/runs/{draft_run}", "admin"),
    Page(
        "admin: publishing a run, confirmation",
        "/brescia-citta-del-noi/admin/assignment/runs/{draft_run}/publish",
        "admin",
    ),
    Page("admin: facilitators", "/brescia-citta-del-noi/admin/facilitators/", "admin"),
    Page("admin: announcements", "/brescia-citta-del-noi/admin/announcements/", "admin"),
    Page("admin: reminder, confirmation", "/brescia-citta-del-noi/admin/announcements/reminders", "admin"),
    Page("admin: staff accounts", "/brescia-citta-del-noi/admin/staff/", "admin"),
    Page("admin: event file", "/brescia-citta-del-noi/admin/event/", "admin"),
    Page(
        "admin: event file, errors shown",
        "/brescia-citta-del-noi/admin/event/",
        "admin",
        load_a_broken_event_file,
    ),
    Page("admin: staff accounts, errors shown", "/brescia-citta-del-noi/admin/staff/", "admin", invite_empty),
    Page(
        "admin: announcements, errors shown",
        "/brescia-citta-del-noi/admin/announcements/",
        "admin",
        announcement_empty,
    ),
    Page(
        "admin: announcement previewed",
        "/brescia-citta-del-noi/admin/announcements/",
        "admin",
        announcement_previewed,
    ),
    Page(
        "admin: the day moved, confirmation",
        "/brescia-citta-del-noi/admin/announcements/schedule-update",
        "admin",
    ),
    Page("admin: results", "/brescia-citta-del-noi/admin/results/", "admin"),
    Page("admin: a table's outcomes", "/brescia-citta-del-noi/admin/results/tables/{table}", "admin"),
    Page("admin: a table's photos", "/brescia-citta-del-noi/admin/results/tables/{table}/photos", "admin"),
    Page(
        "admin: picking a photo",
        "/brescia-citta-del-noi/admin/results/tables/{table}/photos/{photo}",
        "admin",
    ),
    Page("admin: commitments", "/brescia-citta-del-noi/admin/results/commitments/", "admin"),
    Page("admin: new commitment", "/brescia-citta-del-noi/admin/results/commitments/new", "admin"),
    Page(
        "admin: new commitment, errors shown",
        "/brescia-citta-del-noi/admin/results/commitments/new",
        "admin",
        submit_empty,
    ),
    Page("admin: a commitment", "/brescia-citta-del-noi/admin/results/commitments/{commitment}", "admin"),
    Page("admin: the day in figures", "/brescia-citta-del-noi/admin/results/figures/", "admin"),
    Page("admin: feedback", "/brescia-citta-del-noi/admin/results/feedback/", "admin"),
    Page(
        "admin: feedback, confirmation",
        "/brescia-citta-del-noi/admin/results/feedback/send/questionnaire",
        "admin",
    ),
    # Check-in desk
    Page("desk, not paired", "/brescia-citta-del-noi/desk/", "desk", desk_unpaired),
    Page("desk, paired", "/brescia-citta-del-noi/desk/#pair={desk_token}", "desk", desk_paired),
    Page("desk, badge scanned", "/brescia-citta-del-noi/desk/#pair={desk_token}", "desk", desk_scanned),
    Page(
        "desk, forgotten badge search",
        "/brescia-citta-del-noi/desk/#pair={desk_token}",
        "desk",
        desk_searched,
    ),
    Page("walk-in form", "/brescia-citta-del-noi/desk/walk-in", "desk"),
    Page("walk-in form, errors shown", "/brescia-citta-del-noi/desk/walk-in", "desk", submit_empty),
    Page("walk-in done", "/brescia-citta-del-noi/desk/walk-in/{walk_in}", "desk"),
    Page(
        "walk-in on the waiting list, desk",
        "/brescia-citta-del-noi/desk/walk-in/{waiting_walk_in}/waiting",
        "desk",
    ),
    Page(
        "walk-in on the waiting list, organiser",
        "/brescia-citta-del-noi/desk/walk-in/{waiting_walk_in}/waiting",
        "admin",
    ),
    Page("arrivals, desk", "/brescia-citta-del-noi/arrivals/", "desk"),
    Page("arrivals, organiser", "/brescia-citta-del-noi/arrivals/", "admin"),
    # Facilitators
    Page("facilitators: my tables", "/brescia-citta-del-noi/facilitators/", "facilitator"),
    Page(
        "facilitators: attendance",
        "/brescia-citta-del-noi/facilitators/tables/{table}/",
        "facilitator",
        attendance_ready,
    ),
    Page(
        "facilitators: badge scanned",
        "/brescia-citta-del-noi/facilitators/tables/{table}/",
        "facilitator",
        attendance_scanned,
    ),
    Page(
        "facilitators: notes",
        "/brescia-citta-del-noi/facilitators/tables/{table}/notes/1",
        "facilitator",
        notes_ready,
    ),
    Page(
        "facilitators: summary",
        "/brescia-citta-del-noi/facilitators/tables/{table}/notes/0",
        "facilitator",
        notes_ready,
    ),
    Page(
        "facilitators: history",
        "/brescia-citta-del-noi/facilitators/tables/{table}/notes/1/history",
        "facilitator",
    ),
    Page("facilitators: photos", "/brescia-citta-del-noi/facilitators/tables/{table}/photos", "facilitator"),
    Page(
        "facilitators: a commitment",
        "/brescia-citta-del-noi/facilitators/tables/{table}/commitments",
        "facilitator",
    ),
    Page("synthesis", "/brescia-citta-del-noi/synthesis/", "facilitator"),
    Page("your events", "/staff/", "admin"),
    # An instance administrator's
    Page("organiser groups", "/instance/", "instance"),
    Page("organiser groups, errors shown", "/instance/", "instance", submit_empty),
    Page("copy an event", "/brescia-citta-del-noi/admin/event/copy", "instance"),
    Page("copy an event, errors shown", "/brescia-citta-del-noi/admin/event/copy", "instance", submit_empty),
    Page("every event", "/staff/", "instance"),
    Page("403 page", "/brescia-citta-del-noi/admin/", "facilitator", status=403),
]

# Example values, for the guard test to match each path against the app's routes.
EXAMPLE_VALUES = dict(
    token="t",
    waitlisted_token="t",
    cancelled_token="t",
    group_token="t",
    attendee=1,
    walk_in=1,
    waiting_walk_in=1,
    table=1,
    run=1,
    draft_run=2,
    desk_token="t",
    password_token="t",
    certificate="c",
    unsubscribe_token="t",
    feedback_token="t",
    photo=1,
    commitment=1,
)


# ---- The site: people, tables, runs, notes, photos ------------------------------------------


class Site:
    """The ids and tokens the pages' paths and actions need."""

    def values(self) -> dict:
        return {key: getattr(self, key) for key in EXAMPLE_VALUES}


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (160, 120), "orange").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def site(app, event, live_server, tmp_path):
    before = app.config.get("UPLOAD_DIR")
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    s = Site()
    people = [
        register_someone(
            event, dietary_needs="Vegana", accessibility_needs="Sedia a rotelle", phone="+39 030 1"
        )
    ]
    people += [register_someone(event) for _ in range(5)]
    s.attendee, s.token, s.badge = people[0].id, manage_token(people[0]), badge_token(people[0])
    s.email, s.last_name = people[0].email, people[0].last_name
    s.unsubscribe_token = unsubscribe_token(people[0])
    cancel_registration(people[-1])
    s.cancelled_token = manage_token(people[-1])
    group = a_group(event)
    s.group_token = group_token(group)
    event.capacity = len(people) - 1 + len(active_members(group))  # full: the next one waits
    db.session.commit()
    waitlisted = register_someone(event)
    assert waitlisted.status == "waitlisted"
    s.waitlisted_token = manage_token(waitlisted)
    s.waiting_walk_in = register_walk_in(event, registration_data(event, email=None), "Desk 1").attendee.id
    checked_in = check_in_attendee(
        event, people[1].id, None, "a11y-1", method="walk_in", desk_name="Desk 1"
    ).check_in
    s.walk_in = people[1].id  # the walk-in done page is only for a walk-in checked in
    s.certificate = certificate_code(checked_in)

    table = event.tables[0]
    s.table = table.id
    s.users = {
        role: staff_account(f"{role}@example.org", f"{role.title()} Rossi", PASSWORD, role)
        for role in ("admin", "desk", "facilitator")
    }
    s.users["instance"] = create_user(
        "instance@example.org", "Instance Rossi", PASSWORD, "admin", instance_admin=True
    )
    second_event()  # the instance's home lists the events
    db.session.add(TableFacilitator(cafe_table_id=table.id, user_id=s.users["facilitator"].id))
    db.session.commit()
    run = world_cafe.run_assignment(event, "admin@example.org")
    world_cafe.publish(run, "admin@example.org")
    s.run = run.id
    s.draft_run = world_cafe.run_assignment(event, "admin@example.org").id
    s.desk_token = create_desk_device(event, "Desk 1")[1]
    invited = invite_user("new@example.org", "Nuova Persona", Role.DESK, "it", "admin@example.org", event)
    s.password_token = password_link(invited, "invite").rsplit("/", 1)[1]

    content = notes.SheetContent(insights="Servizi vicino a casa\nReti di vicinato", tags=("casa",))
    notes.save_sheet(table, 1, content, 0, "save-0000001", "facilitator@example.org")
    other = notes.SheetContent(insights="Giovani protagonisti")
    notes.save_sheet(table, 1, other, 0, "save-0000002", "other@example.org")  # a conflict
    notes.save_sheet(table, 0, notes.SheetContent(proposals="Un tavolo ogni mese"), 0, "save-0000003", "f")
    saved = photos.save_photo(table, 1, io.BytesIO(png_bytes()), "Tovaglia", "facilitator@example.org")
    assert saved.result is photos.PhotoResult.SAVED
    s.photo = saved.photo.id
    results_of_the_day(s, event, table, saved.photo, people[1])
    s.url = live_server.url
    yield s
    app.config["UPLOAD_DIR"] = before


def a_group(event):
    """A group of three as its contact registers it (one without an address), one of them
    cancelled since: its page shows each kind of row."""
    contact = Contact(name="Anna Rossi", email="anna.rossi@auser.example.org", language="it")
    members = [registration_data(event), registration_data(event, email=None), registration_data(event)]
    group = register_group(event, contact, members)
    cancel_member(group, group.members[-1])
    assert [m.status for m in group.members] == ["confirmed", "confirmed", "cancelled"]
    return group


def results_of_the_day(s, event, table, photo, checked_in):
    """A table's outcomes published with a picked photo and a commitment, and the
    questionnaire sent to someone who came."""
    db.session.add(TableOutcome(event_id=event.id, cafe_table_id=table.id, published_at=utcnow(),
                                text={"it": "Un tavolo ogni mese.", "en": "A table every month."},
                                updated_by="admin@example.org"))  # fmt: skip
    db.session.add(PublishedPhoto(photo_id=photo.id, picked_by="admin@example.org"))
    owner = commitments.Owner(CommitmentOwner.CITY, "Comune di Brescia")
    s.commitment = commitments.create_commitment(table, {"it": "Uno sportello"}, owner, None, "admin").id
    request = FeedbackRequest(event_id=event.id, attendee_id=checked_in.id)
    db.session.add(request)
    db.session.commit()
    s.feedback_token = answer_token(request)


# ---- Running axe ---------------------------------------------------------------------------


def sign_in(page, site, role):
    page.goto(f"{site.url}/staff/login")
    page.locator("#email").fill(site.users[role].email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).not_to_have_url(f"{site.url}/staff/login")


# axe's violations, each with its nodes as "selector — what to fix".
RUN_AXE = """async () => {
    const result = await axe.run(document, {resultTypes: ['violations']});
    const fix = n => (n.failureSummary || '').split('\\n').slice(1).join(' ');
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + fix(n)),
    }));
}"""

# What runs past the right edge of a screen `width` pixels wide: the outermost such elements
# (those not inside a scrolling box, unless an absolute element escapes its scroller).
OVERFLOW = """width => {
    const page = document.documentElement.scrollWidth;
    if (page <= width) return [];
    const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + [...e.classList].map(c => '.' + c).join('');
    const right = e => Math.round(e.getBoundingClientRect().right);
    const clipped = e => {
        for (let p = e.parentElement; p; p = p.parentElement) {
            if (getComputedStyle(p).overflowX !== 'visible') return true;
        }
        return false;
    };
    const past = [...document.body.querySelectorAll('*')].filter(e => right(e) > width + 1);
    const unclipped = past.filter(e => !clipped(e));
    const wide = unclipped.length ? unclipped : past;
    const outer = wide.filter(e => !wide.includes(e.parentElement));
    return [`the page is ${page}px wide on a ${width}px screen`]
        .concat(outer.slice(0, 5).map(e => `${name(e)} ends at ${right(e)}px`));
}"""


def axe_violations(page) -> list[dict]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    return page.evaluate(RUN_AXE)


def sideways_overflow(page) -> list[str]:
    """WCAG 1.4.10 Reflow: nothing runs past the right edge of the screen. On a phone the
    page would scroll sideways, and text past a coloured header would be white on white."""
    return page.evaluate(OVERFLOW, page.viewport_size["width"])


def describe(name, url, violation) -> str:
    nodes = "\n      ".join(violation["nodes"][:5])
    more = f" (+{len(violation['nodes']) - 5} more)" if len(violation["nodes"]) > 5 else ""
    return (
        f"{name} ({url}): [{violation['impact']}] {violation['id']}: {violation['help']}{more}\n      {nodes}"
    )


def check_pages(page, site, role):
    if not AXE.exists():
        pytest.fail("axe-core is not installed: run `npm ci` (or scripts/vendor-js.sh)", pytrace=False)
    if role != "public":
        sign_in(page, site, role)
    blocking, others = [], []
    for entry in (p for p in PAGES if p.role == role):
        url = site.url + entry.path.format(**site.values())
        page.goto("about:blank")  # a fresh load even when only the #fragment differs
        response = page.goto(url)
        assert response.status == entry.status, f"{entry.name}: {url} answered {response.status}"
        if entry.then:
            entry.then(page, site)
        # A form post shows its errors before the page's stylesheet has loaded: measure
        # the page as the user sees it, once it has.
        page.wait_for_load_state("load")
        overflow = sideways_overflow(page)
        if overflow:
            blocking.append(f"{entry.name} ({url}): [serious] reflow: " + "\n      ".join(overflow))
        for violation in axe_violations(page):
            text = describe(entry.name, url, violation)
            (blocking if violation["impact"] in BLOCKING else others).append(text)
    viewport = page.viewport_size["width"]
    for text in others:
        warnings.warn(f"accessibility ({viewport}px wide): {text}", stacklevel=2)
    assert not blocking, (
        f"serious or critical accessibility violations at {viewport}px wide:\n  "
        + "\n  ".join(blocking)
        + ("\nmoderate or minor ones (warnings):\n  " + "\n  ".join(others) if others else "")
    )


@pytest.mark.parametrize("role", ["public", "admin", "desk", "facilitator", "instance"])
def test_no_serious_violation_on_a_phone(page, site, role):
    check_pages(page, site, role)


@pytest.mark.parametrize("role", ["public", "admin", "desk", "facilitator", "instance"])
def test_no_serious_violation_on_a_laptop(desktop_page, site, role):
    check_pages(desktop_page, site, role)


def test_the_check_catches_what_it_should(page, live_server):
    """axe really runs: a field without a label and an image without a text are reported."""
    page.goto(f"{live_server.url}/brescia-citta-del-noi/privacy")
    page.evaluate(
        """() => document.getElementById('main').insertAdjacentHTML('beforeend',
            '<input type="text" name="unlabelled"><img src="/static/missing.png">')"""
    )
    found = {v["id"]: v["impact"] for v in axe_violations(page)}
    assert found.get("label") == "critical" and found.get("image-alt") == "critical", found


# ---- Every HTML page is checked ------------------------------------------------------------


def test_every_html_page_of_the_app_is_in_the_list(app):
    adapter = app.url_map.bind("localhost")
    checked = set()
    for entry in PAGES:
        try:
            endpoint, _ = adapter.match(urlsplit(entry.path.format(**EXAMPLE_VALUES)).path, method="GET")
        except NotFound:
            continue  # the 404 page
        checked.add(endpoint)
    html_routes = {
        rule.endpoint: rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and rule.endpoint not in NOT_HTML
        and not rule.rule.endswith(NOT_HTML_SUFFIXES)
        and not rule.rule.startswith(NOT_HTML_PREFIXES)
    }
    missing = sorted(
        f"{rule} ({endpoint})" for endpoint, rule in html_routes.items() if endpoint not in checked
    )
    assert not missing, (
        "HTML pages that tests/test_accessibility.py does not check: add them to PAGES\n" + "\n".join(missing)
    )
    assert set(NOT_HTML) <= {rule.endpoint for rule in app.url_map.iter_rules()}, (
        "NOT_HTML names a gone route"
    )


# ---- Keyboard ---------------------------------------------------------------------------------


def test_the_first_tab_shows_a_skip_link_that_moves_the_focus_to_the_content(page, live_server):
    page.goto(f"{live_server.url}/brescia-citta-del-noi/register")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the focused skip link must be on screen"
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    page.keyboard.press("Tab")  # the next stop is inside the content, not back in the header
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")
