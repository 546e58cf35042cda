"""Small things the organisers noticed, in a real browser: the language chosen on the site
is the one preselected for a person's e-mails and badge; a name or organisation made of one
very long word wraps, on a phone and on paper, instead of pushing the staff pages sideways."""

import pytest
from conftest import PASSWORD, staff_account
from helpers import register_someone
from playwright.sync_api import expect

from app.extensions import db
from app.facilitation.facilitators import assign_facilitator
from app.worldcafe import services as world_cafe

LONG_NAME = "Bartolomeo" * 10  # 100 letters, the most a name field takes
LONG_WORD = "Cooperativa" * 18 + "Sociale"[:2]  # 200 letters, the most an organisation takes


def sign_in(page, live_server, role="admin"):
    user = staff_account(f"{role}@example.org", role.title(), PASSWORD, role)
    page.goto(f"{live_server.url}/staff/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page.locator(".staff-nav")).to_be_visible()
    return user


def choose_english(page, live_server):
    page.goto(f"{live_server.url}/brescia-citta-del-noi/")
    page.locator(".lang-switch a[hreflang=en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_choosing_english_on_the_site_preselects_english_for_the_persons_messages(live_server, page):
    page.goto(f"{live_server.url}/brescia-citta-del-noi/register")
    expect(page.locator("input[name=language][value=it]")).to_be_checked()

    choose_english(page, live_server)
    page.goto(f"{live_server.url}/brescia-citta-del-noi/register")
    expect(page.locator("input[name=language][value=en]")).to_be_checked()
    expect(page.locator("input[name=language][value=it]")).not_to_be_checked()


def test_the_desks_walk_in_form_preselects_the_language_the_desk_reads(live_server, page):
    sign_in(page, live_server, "desk")
    page.goto(f"{live_server.url}/brescia-citta-del-noi/desk/walk-in")
    expect(page.locator("input[name=language][value=it]")).to_be_checked()

    choose_english(page, live_server)
    page.goto(f"{live_server.url}/brescia-citta-del-noi/desk/walk-in")
    expect(page.locator("input[name=language][value=en]")).to_be_checked()


@pytest.fixture
def long_named(event):
    """Someone whose name, organisation and needs are each one very long word, seated at a
    table by a published assignment; a second run waits as a draft."""
    attendee = register_someone(
        event,
        first_name=LONG_NAME,
        last_name=LONG_NAME,
        organisation_name=LONG_WORD,
        dietary_needs=LONG_WORD,
        accessibility_needs=LONG_WORD,
    )
    world_cafe.publish(world_cafe.run_assignment(event, created_by="admin@example.org"), "admin@example.org")
    draft = world_cafe.run_assignment(event, created_by="admin@example.org", full=True)
    facilitator = staff_account("long@example.org", LONG_NAME * 2, PASSWORD, "facilitator")
    assign_facilitator(event.tables[0], facilitator)
    db.session.commit()
    return attendee, draft


def staff_pages(attendee, run) -> dict[str, str]:
    table_id = attendee.preferences[0].cafe_table_id
    return {
        "attendee list": "/brescia-citta-del-noi/admin/",
        "attendee page": f"/brescia-citta-del-noi/admin/attendees/{attendee.id}",
        "numbers and needs": "/brescia-citta-del-noi/admin/needs",
        "assignment run": f"/brescia-citta-del-noi/admin/assignment/runs/{run.id}",
        "assignment publish page": f"/brescia-citta-del-noi/admin/assignment/runs/{run.id}/publish",
        "facilitators' roster": f"/brescia-citta-del-noi/facilitators/tables/{table_id}/",
        "facilitators' list": "/brescia-citta-del-noi/admin/facilitators/",
    }


# The page's overflow, and the texts that stick out (outside the tables' own scrolling boxes).
WIDER_THAN_THE_WINDOW = """() => {
  const width = document.documentElement.clientWidth, out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    if (range.getBoundingClientRect().right > width && !node.parentElement.closest(".table-scroll")) {
      out.push(node.parentElement.tagName + ": " + node.textContent.slice(0, 40));
    }
  }
  return {overflow: document.documentElement.scrollWidth - width, culprits: out.slice(0, 5)};
}"""


def page_overflow(page) -> tuple[int, list[str]]:
    """How many pixels the page is wider than its window (0: nothing to scroll sideways),
    and the first texts that stick out."""
    found = page.evaluate(WIDER_THAN_THE_WINDOW)
    return found["overflow"], found["culprits"]


def test_a_200_letter_word_does_not_make_staff_pages_wider_than_a_phone(live_server, page, long_named):
    attendee, run = long_named
    sign_in(page, live_server)
    for name, path in staff_pages(attendee, run).items():
        page.goto(f"{live_server.url}{path}")
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        if name != "assignment publish page":  # lists only those whose table changes: nobody
            expect(
                page.locator("main").get_by_text(LONG_NAME[:30]).locator("visible=true").first
            ).to_be_visible()
        overflow, culprits = page_overflow(page)
        assert overflow == 0, f"the {name} scrolls sideways on a 390-pixel phone: {culprits}"


def test_the_printed_attendee_list_and_numbers_keep_every_column_on_the_paper(
    live_server, desktop_page, long_named
):
    attendee, run = long_named
    sign_in(desktop_page, live_server)
    desktop_page.set_viewport_size({"width": 700, "height": 1000})  # about an A4 page's width
    desktop_page.emulate_media(media="print")
    for path in ("/brescia-citta-del-noi/admin/", "/brescia-citta-del-noi/admin/needs"):
        desktop_page.goto(f"{live_server.url}{path}")
        right_edges = desktop_page.evaluate(
            "[...document.querySelectorAll('main table')].map(t => t.getBoundingClientRect().right)"
        )
        assert right_edges and max(right_edges) <= 700, f"{path}: a column falls off the printed page"
        assert page_overflow(desktop_page)[0] == 0
        expect(desktop_page.locator(".staff-nav")).to_be_hidden()  # the menu is not printed
