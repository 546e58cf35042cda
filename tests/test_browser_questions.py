"""The event's own questions in a real browser: each kind answered by keyboard alone, the
missing answers announced with their question, and the page valid and accessible."""

import re

import pytest
from playwright.sync_api import expect
from test_accessibility import BLOCKING, axe_violations
from test_browser_registration import PLENARY, PRIVACY_CONSENT, field, saved_attendee, tab_to
from test_html_validity import nu_errors
from test_questions import QUESTIONS, load, moca_with


@pytest.fixture
def event(app):
    """The MO.CA day with the questions of test_questions (the live server serves it)."""
    return load(moca_with(QUESTIONS))


def fill_about_me(page, italian, email):
    field(page, italian("First name")).fill("Marta")
    field(page, italian("Last name")).fill("Rossi")
    field(page, "E-mail").fill(email)
    field(page, italian("I take part as")).select_option("citizen")
    page.get_by_label(PLENARY).check()
    field(page, italian(PRIVACY_CONSENT)).check()


def test_each_kind_of_question_answered_by_keyboard(event, live_server, page, italian, tmp_path):
    page.goto(f"{live_server.url}/brescia-citta-del-noi/register")
    fill_about_me(page, italian, "marta.rossi@example.org")
    page.get_by_role("button", name=italian("Register"), exact=True).click()

    # Nothing answered: each required question says so, read out with its field or group.
    expect(page.get_by_role("alert")).to_contain_text("Il tuo ruolo")
    role = field(page, "Il tuo ruolo")
    expect(role).to_have_attribute("aria-invalid", "true")
    expect(role).to_have_accessible_description(
        "Per esempio: educatrice, volontario " + italian("Answer this question.")
    )
    transport = page.get_by_role("group", name="Come arrivi?")
    expect(transport).to_have_accessible_description(italian("Choose an answer."))
    topics = page.get_by_role("group", name="Quali temi ti interessano?")
    expect(topics).to_have_accessible_description(italian("Choose at least one answer."))
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert blocking == [], blocking
    (tmp_path / "errors.html").write_text(page.content(), encoding="utf-8")
    assert nu_errors(tmp_path) == {}

    # The answers, by keyboard only.
    tab_to(page, role)
    page.keyboard.type("Educatrice")
    page.keyboard.press("Tab")
    expect(field(page, "Cosa ti aspetti dalla giornata?")).to_be_focused()
    page.keyboard.type("Conoscere altre associazioni")
    page.keyboard.press("Enter")  # a new line in the long answer, not a submission
    page.keyboard.type("e idee nuove")
    page.keyboard.press("Tab")
    expect(transport.get_by_label("In autobus")).to_be_focused()
    page.keyboard.press("ArrowDown")  # arrows move through a radio group and choose
    page.keyboard.press("ArrowDown")
    expect(transport.get_by_label("In bici")).to_be_checked()
    page.keyboard.press("Tab")
    expect(topics.get_by_label("Lavoro")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(topics.get_by_label("Abitare")).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    first_time = page.get_by_role("group", name="È la prima volta che partecipi?")
    expect(first_time.get_by_label("Sì")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(first_time.get_by_label("No")).to_be_checked()
    submit = page.get_by_role("button", name=italian("Register"), exact=True)
    tab_to(page, submit)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/brescia-citta-del-noi/r/[^/]+$"))
    expect(page.get_by_text("Lavoro, Abitare")).to_be_visible()
    answers = {row.question_key: row.value for row in saved_attendee("marta.rossi@example.org").answers}
    assert answers == {
        "role": "Educatrice",
        "hopes": "Conoscere altre associazioni\r\ne idee nuove",
        "transport": "bike",
        "topics": '["work", "housing"]',
        "first_time": "no",
    }
