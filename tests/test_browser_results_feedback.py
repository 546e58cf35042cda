"""An attendee answers the questionnaire after the day on a phone, in a real browser: the
link from the e-mail, a mistake explained with what was typed kept, the language switch,
then the thank-you page; the answer is stored once, without a name. The organiser sees who
will get it before sending, and a double click sends once. Every page of the questionnaire
and of the organisers passes axe and the Nu HTML checker."""

import re
import uuid
from datetime import date, timedelta

import pytest
from conftest import PASSWORD, staff_account
from helpers import register_someone
from playwright.sync_api import expect
from sqlalchemy import select
from test_accessibility import BLOCKING, axe_violations, describe, sideways_overflow
from test_browser_mass_actions import sign_in, submit_twice_at_once
from test_html_validity import nu_errors

from app.checkin.services import check_in_attendee
from app.extensions import db
from app.models import FeedbackAnswer, FeedbackRequest, OutboxMessage, utcnow
from app.results import feedback as service
from app.results.feedback_answers import record_answers


@pytest.fixture
def asked(event):
    """Someone who came to the day, ten days ago, and has had the questionnaire."""
    lucia = register_someone(event, first_name="Lucia", language="it")
    check_in_attendee(event, lucia.id, None, uuid.uuid4().hex, desk_name="Desk 1")
    event.date = date.today() - timedelta(days=10)
    db.session.commit()
    assert service.send_questionnaire(event) == 1
    return lucia


def link_path(attendee) -> str:
    message = db.session.scalars(
        select(OutboxMessage).filter_by(attendee_id=attendee.id, kind="feedback")
    ).one()
    return re.search(r"/brescia-citta-del-noi/feedback/[A-Za-z0-9._-]+", message.body_text).group(0)


def test_an_attendee_answers_on_a_phone(live_server, asked, page):
    page.goto(live_server.url + link_path(asked))
    expect(page.get_by_role("heading", level=1)).to_have_text("Com'è andata la giornata?")
    page.get_by_label("Che cosa porta a casa da questa giornata? (facoltativa)").fill("Nuovi contatti")
    page.get_by_role("button", name="Invia le mie risposte").click()
    expect(page.locator("#form-errors")).to_contain_text("Rispondi a questa domanda, per favore.")
    expect(page.get_by_label("Che cosa porta a casa da questa giornata? (facoltativa)")).to_have_value(
        "Nuovi contatti"
    )
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How was the day?")
    overall = page.get_by_role("group", name="Overall, how was the day?")
    overall.get_by_label("4", exact=True).check()
    page.get_by_label("What would you change for next year? (optional)").fill("More shade in the courtyard")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("#feedback-thanks")).to_contain_text("Your answers are saved, without your name.")
    db.session.rollback()  # see what the server committed
    assert db.session.scalars(select(FeedbackAnswer.answers)).all() == [
        {"overall": 4, "next_year": "More shade in the courtyard"}
    ]
    page.go_back()
    page.reload()
    expect(page.locator("#feedback-already")).to_contain_text("You have already answered")


@pytest.fixture
def answered_day(event):
    """Six people came; five answered (so the organisers' page shows the answers), one did
    not, and was asked long enough ago for the reminder."""
    people = [register_someone(event, language="it") for _ in range(6)]
    for attendee in people:
        check_in_attendee(event, attendee.id, None, uuid.uuid4().hex, desk_name="Desk 1")
    event.date = date.today() - timedelta(days=10)
    db.session.commit()
    service.send_questionnaire(event)
    db.session.execute(db.update(FeedbackRequest).values(sent_at=utcnow() - timedelta(days=5)))
    db.session.commit()
    for n, attendee in enumerate(people[:5]):
        request = db.session.scalars(select(FeedbackRequest).filter_by(attendee_id=attendee.id)).one()
        record_answers(request, {"overall": 1 + n, "take_home": f"Idee <b>{n}</b> da portare a casa"})
    return people


def submit_empty(page):
    page.get_by_role("button", name="Invia le mie risposte").click()
    expect(page.locator("#form-errors")).to_be_visible()


def test_the_pages_pass_axe_and_the_nu_checker_on_a_phone(live_server, answered_day, page, tmp_path):
    organiser = staff_account("organiser@example.org", "Organiser", PASSWORD, "admin")
    waiting, answered = link_path(answered_day[5]), link_path(answered_day[0])
    pages = [
        ("questionnaire", waiting, None, 200),
        ("questionnaire, errors shown", waiting, submit_empty, 200),
        ("already answered", answered, None, 200),
        ("thank you", "/brescia-citta-del-noi/feedback/thanks", None, 200),
        ("link not valid", "/brescia-citta-del-noi/feedback/not-a-token", None, 404),
        ("organisers' page", "/brescia-citta-del-noi/admin/results/feedback/", None, 200),
        (
            "send the questionnaire",
            "/brescia-citta-del-noi/admin/results/feedback/send/questionnaire",
            None,
            200,
        ),
        ("send the reminder", "/brescia-citta-del-noi/admin/results/feedback/send/reminder", None, 200),
    ]
    blocking = []
    for number, (name, path, then, status) in enumerate(pages):
        if path.startswith("/brescia-citta-del-noi/admin") and number == 5:
            sign_in(page, live_server, organiser)
        page.goto("about:blank")
        assert page.goto(live_server.url + path).status == status, name
        if then:
            then(page)
        page.wait_for_load_state("load")
        blocking += [f"{name}: {text}" for text in sideways_overflow(page)]
        blocking += [describe(name, path, v) for v in axe_violations(page) if v["impact"] in BLOCKING]
        (tmp_path / f"{number:02d}.html").write_text(page.content(), encoding="utf-8")
    assert "Idee &lt;b&gt;4&lt;/b&gt; da portare a casa" in (tmp_path / "05.html").read_text(), "escaped"
    assert not blocking, "\n".join(blocking)
    assert nu_errors(tmp_path) == {}


def test_the_organiser_sees_who_first_and_a_double_click_sends_once(live_server, event, desktop_page):
    came = [register_someone(event, language="it") for _ in range(3)]
    for attendee in came:
        check_in_attendee(event, attendee.id, None, uuid.uuid4().hex, desk_name="Desk 1")
    register_someone(event, first_name="Assente")  # registered, never came
    event.date = date.today() - timedelta(days=10)
    db.session.commit()
    organiser = staff_account("organiser@example.org", "Organiser", PASSWORD, "admin")
    page = desktop_page
    sign_in(page, live_server, organiser)
    page.goto(f"{live_server.url}/brescia-citta-del-noi/admin/results/feedback/")
    page.get_by_role("link", name="Invia il questionario a 3 persone").click()
    expect(page.locator("#feedback-count")).to_have_text("3 persone riceveranno un'e-mail.")
    expect(page.get_by_text("Assente")).to_have_count(0)
    page.get_by_role("link", name="Annulla").click()
    assert queued_feedback() == 0, "cancel sends nothing"
    page.get_by_role("link", name="Invia il questionario a 3 persone").click()
    confirm = page.get_by_role("button", name="Invialo a 3 persone")
    assert submit_twice_at_once(page, confirm) == [200, 200]
    assert queued_feedback() == 3, "once each, though confirmed twice"
    page.goto(f"{live_server.url}/brescia-citta-del-noi/admin/results/feedback/")
    expect(
        page.get_by_text("Tutte le persone accreditate con un indirizzo e-mail l'hanno ricevuto.")
    ).to_be_visible()


def queued_feedback() -> int:
    db.session.rollback()  # see what the server committed
    return len(db.session.scalars(select(OutboxMessage.id).filter_by(kind="feedback")).all())
