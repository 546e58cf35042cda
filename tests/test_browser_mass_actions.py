"""Mass actions in a real browser: publishing an assignment and sending the reminder show
how many people will get an e-mail and wait for a confirmation (cancel sends nothing, a
double click sends once); moving a person by typing their name; comparing runs from a list."""

import re

import pytest
from conftest import PASSWORD, staff_account
from helpers import register_someone
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import AssignmentRun, OutboxMessage, SeatAssignment
from app.worldcafe import services as world_cafe


@pytest.fixture
def organiser(app):
    return staff_account("organiser@example.org", "Organiser", PASSWORD, "admin")


@pytest.fixture
def crowd(event):
    """Twelve people for the world café; the last came to the desk without an e-mail."""
    people = [register_someone(event, table_ids=[event.tables[n % 3].id]) for n in range(12)]
    people[-1].email = None
    db.session.commit()
    return people


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/staff/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/staff/login"))


def queued(kind: str) -> int:
    db.session.rollback()  # see what the server committed
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).filter_by(kind=kind))


def submit_twice_at_once(page, button) -> list[int]:
    """What a double click does on a slow network, or a browser that retries: the button's
    form sent twice at the same moment (fetch, following the answer's redirect)."""
    return button.evaluate(
        """async (button) => {
            const send = () => fetch(button.form.action, {method: "POST", body: new FormData(button.form)});
            const answers = await Promise.all([send(), send()]);
            return answers.map((answer) => answer.status);
        }"""
    )


def people_counted(text: str) -> int:
    return int(re.match(r"(\d+) person[ae] riceve", text).group(1))


def test_publishing_asks_first_cancel_sends_nothing_confirm_sends_the_count_shown(
    event, crowd, live_server, organiser, desktop_page
):
    page = desktop_page
    run = world_cafe.run_assignment(event, "a")
    sign_in(page, live_server, organiser)
    page.goto(f"{live_server.url}/brescia-citta-del-noi/admin/assignment/runs/{run.id}")
    page.get_by_role("link", name="Pubblica questa elaborazione").click()
    count = page.locator("#publish-count")
    expect(count).to_have_text("11 persone riceveranno un'e-mail sul loro tavolo.")
    expect(page.get_by_text("1 persona a cui cambia il tavolo non ha un indirizzo e-mail")).to_be_visible()
    page.get_by_role("link", name="Annulla").click()
    expect(page).to_have_url(f"{live_server.url}/brescia-citta-del-noi/admin/assignment/runs/{run.id}")
    assert queued("assignment") == 0 and db.session.get(AssignmentRun, run.id).published_at is None

    page.get_by_role("link", name="Pubblica questa elaborazione").click()
    shown = people_counted(count.inner_text())
    confirm = page.get_by_role("button", name=f"Pubblica e avvisa {shown} persone via e-mail")
    assert submit_twice_at_once(page, confirm) == [200, 200]
    page.goto(f"{live_server.url}/brescia-citta-del-noi/admin/assignment/runs/{run.id}")
    expect(page.get_by_text(re.compile(r"Pubblicata il .* da organiser@example.org"))).to_be_visible()
    assert queued("assignment") == shown == 11, "the number shown, once though confirmed twice"


def test_the_reminder_asks_first_cancel_sends_nothing_confirm_sends_the_count_shown(
    event, crowd, live_server, organiser, desktop_page
):
    page = desktop_page
    sign_in(page, live_server, organiser)
    page.goto(f"{live_server.url}/brescia-citta-del-noi/admin/announcements/")
    page.get_by_role("link", name="Invia il promemoria a 11 persone").click()
    count = page.locator("#reminder-count")
    expect(count).to_have_text("11 persone riceveranno un'e-mail.")
    page.get_by_role("link", name="Annulla").click()
    expect(page).to_have_url(f"{live_server.url}/brescia-citta-del-noi/admin/announcements/")
    assert queued("reminder") == 0

    page.get_by_role("link", name="Invia il promemoria a 11 persone").click()
    shown = people_counted(count.inner_text())
    confirm = page.get_by_role("button", name=f"Invia il promemoria a {shown} persone")
    assert submit_twice_at_once(page, confirm) == [200, 200]
    assert queued("reminder") == shown == 11, "the number shown, once though confirmed twice"
    confirm.click()  # and once more, by hand: nothing left to send
    expect(page).to_have_url(f"{live_server.url}/brescia-citta-del-noi/admin/announcements/")
    expect(page.get_by_role("status").first).to_have_text(
        "Tutte le persone confermate hanno già ricevuto il promemoria: non è stato inviato altro."
    )
    expect(page.get_by_text("Tutte le persone confermate hanno ricevuto il promemoria.")).to_be_visible()
    assert queued("reminder") == 11


def test_a_person_is_moved_by_typing_their_name(event, live_server, organiser, desktop_page):
    page = desktop_page
    lucia = register_someone(event, first_name="Lùcia", last_name="Ferretti", table_ids=[event.tables[0].id])
    register_someone(event, first_name="Luca", last_name="Ferrari", table_ids=[event.tables[0].id])
    run = world_cafe.run_assignment(event, "a")
    target = event.tables[4]
    sign_in(page, live_server, organiser)
    page.goto(f"{live_server.url}/brescia-citta-del-noi/admin/assignment/runs/{run.id}")
    person = page.get_by_label("Persona", exact=True)
    expect(page.locator("datalist#people option")).to_have_count(2)
    person.press_sequentially("lucia fer")
    page.get_by_label("Tavolo", exact=True).select_option(label=target.name["it"])
    person.press("Enter")  # the keyboard alone
    expect(page.get_by_role("status").first).to_have_text(
        f"Lùcia Ferretti ora è al tavolo «{target.name['it']}»."
    )
    db.session.rollback()
    seat = db.session.scalars(
        select(SeatAssignment).filter_by(run_id=run.id, attendee_id=lucia.id, round=1)
    ).one()
    assert seat.cafe_table_id == target.id and seat.moved_by_hand


def test_runs_are_compared_by_picking_one_from_the_list(event, crowd, live_server, organiser, desktop_page):
    page = desktop_page
    first = world_cafe.run_assignment(event, "a", seed=1)
    second = world_cafe.run_assignment(event, "a", seed=2, mixing_weight=3)
    sign_in(page, live_server, organiser)
    page.goto(f"{live_server.url}/brescia-citta-del-noi/admin/assignment/runs/{second.id}")
    expect(page.get_by_role("heading", name=f"Elaborazione #{first.id}")).to_have_count(0)
    choice = page.get_by_label("Confronta con")
    option = choice.locator("option", has_text=f"Elaborazione #{first.id} ·")
    expect(option).to_contain_text(f"prime scelte {first.summary['counts']['first']}/")
    choice.select_option(label=option.inner_text().strip())
    page.get_by_role("button", name="Confronta").click()
    expect(page).to_have_url(re.compile(rf"compare={first.id}"))
    expect(page.get_by_role("heading", name=f"Elaborazione #{first.id}")).to_be_visible()
    expect(page.get_by_label("Confronta con")).to_have_value(str(first.id))
