"""Registering in a real browser: on a phone, by keyboard, in both languages.

Italian is the default language; the words the tests look for come from the Italian
catalogue, so a test fails if a message the attendee sees is not translated.
"""

import re

import pytest
from flask_babel import force_locale, format_date, gettext
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Attendee, AttendeeStatus, DayPartKind, OutboxMessage, PartStatus
from app.registration.attendee_details import RegistrationData
from app.registration.signup import register
from app.registration.tokens import manage_token

PLENARY, LUNCH, WORLD_CAFE = (
    "Mattina: plenaria e Bilancio Sociale",
    "Pranzo con musica",
    "Pomeriggio: world café e conclusioni",
)
PRIVACY_CONSENT = "I have read the privacy notice and agree to the processing of my data for this event."


def field(page, label):
    return page.get_by_label(label, exact=True)


def saved_attendee(email):
    """The attendee as the database holds it now (the browser wrote it in another thread)."""
    db.session.rollback()
    return db.session.scalars(select(Attendee).filter_by(email=email)).one_or_none()


def fits_phone_width(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def tab_to(page, target, limit=40):
    """Press Tab until the target has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"{limit} presses of Tab never reached {target}")


def focus_ring(page):
    """The focused element's outline: its style and width."""
    return page.evaluate(
        "() => { const style = getComputedStyle(document.activeElement);"
        " return [style.outlineStyle, style.outlineWidth]; }"
    )


def test_whole_registration_on_a_phone(app, event, live_server, page, italian):
    page.goto(live_server.url)
    expect(page.locator("html")).to_have_attribute("lang", "it")
    expect(page.get_by_text(LUNCH, exact=True)).to_be_visible()
    page.get_by_role("link", name=italian("Register"), exact=True).click()

    expect(page.get_by_role("heading", name=italian("Register for the day"))).to_be_visible()
    assert fits_phone_width(page), "the registration form scrolls sideways on a phone"
    field(page, italian("First name")).fill("Lùcia")
    field(page, italian("Last name")).fill("D'Amico")
    field(page, "E-mail").fill("  Lucia.DAmico@Example.ORG ")
    field(page, italian("Phone (optional)")).fill("+39 030 123456")
    expect(page.locator("datalist option[value='Auser Brescia']")).to_have_count(1)
    field(page, italian("Organisation")).fill("auser brescia")
    field(page, italian("I take part as")).select_option(label=italian("Member of the network"))
    for part in (PLENARY, LUNCH, WORLD_CAFE):
        page.get_by_label(part).check()
    field(page, italian("First choice")).select_option(label="Prima infanzia")
    field(page, italian("Second choice")).select_option(label="Le 100 leve")
    field(page, italian("Third choice")).select_option(label="La forza della comunità")
    field(page, italian("Dietary needs and allergies")).fill("Vegetariana, allergia alle noci")
    field(page, italian("Accessibility needs")).fill("Accesso senza gradini")
    field(page, italian(PRIVACY_CONSENT)).check()
    page.get_by_role("button", name=italian("Register"), exact=True).click()

    expect(page).to_have_url(re.compile(r"/brescia-citta-del-noi/r/[^/]+$"))
    thanks = "Thank you, you are registered. We have sent you an e-mail with this page's link."
    expect(page.get_by_role("status")).to_have_text(italian(thanks))
    with app.test_request_context(), force_locale("it"):
        confirmed = gettext(
            "You are registered. See you on %(date)s at %(venue)s.",
            date=format_date(event.date, format="full"),
            venue=event.venue_name,
        )
    expect(page.get_by_text(confirmed)).to_be_visible()
    expect(page.get_by_text("Lùcia D'Amico")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=LUNCH)).to_contain_text(italian("confirmed"))
    assert fits_phone_width(page), "the personal page scrolls sideways on a phone"

    attendee = saved_attendee("lucia.damico@example.org")
    assert attendee is not None, "no attendee saved under the normalised, lower-case e-mail"
    assert (attendee.first_name, attendee.last_name) == ("Lùcia", "D'Amico")
    assert attendee.status == AttendeeStatus.CONFIRMED
    assert attendee.organisation_name == "Auser Brescia" and attendee.organisation is not None
    assert attendee.participant_type == "network_member"
    assert [part.status for part in attendee.parts] == [PartStatus.CONFIRMED] * 3
    assert [(pref.rank, pref.cafe_table.name["it"]) for pref in attendee.preferences] == [
        (1, "Prima infanzia"),
        (2, "Le 100 leve"),
        (3, "La forza della comunità"),
    ]
    assert attendee.dietary_needs == "Vegetariana, allergia alle noci"
    assert attendee.accessibility_needs == "Accesso senza gradini"


def test_errors_show_beside_their_fields_and_keep_what_was_typed(event, live_server, page, italian):
    page.goto(f"{live_server.url}/brescia-citta-del-noi/register")
    field(page, italian("First name")).fill("Marta")
    field(page, italian("Last name")).fill("Rossi")
    field(page, "E-mail").fill("marta.rossi@")
    field(page, italian("Organisation")).fill("Cooperativa La Rete")
    field(page, italian("I take part as")).select_option("citizen")
    page.get_by_label(PLENARY).check()
    page.get_by_label(WORLD_CAFE).check()
    field(page, italian("First choice")).select_option(label="Prima infanzia")
    field(page, italian("Second choice")).select_option(label="Prima infanzia")
    field(page, italian("Accessibility needs")).fill("Sedia a rotelle")
    page.get_by_role("button", name=italian("Register"), exact=True).click()

    expect(page.get_by_role("alert")).to_contain_text(italian("Please check the fields marked below."))
    errors = {
        "E-mail": italian("Enter a valid e-mail address, such as name@example.org."),
        italian("Second choice"): italian("You already chose this table: pick a different one."),
        italian(PRIVACY_CONSENT): italian("We need your consent to the privacy notice to register you."),
    }
    for label, message in errors.items():
        control = field(page, label)
        expect(control).to_have_attribute("aria-invalid", "true")
        expect(control).to_have_accessible_description(message)  # read out with the field
        expect(page.locator(".field", has=control).locator(".error")).to_have_text(message)

    expect(field(page, italian("First name"))).to_have_value("Marta")
    expect(field(page, italian("Last name"))).to_have_value("Rossi")
    expect(field(page, "E-mail")).to_have_value("marta.rossi@")
    expect(field(page, italian("Organisation"))).to_have_value("Cooperativa La Rete")
    expect(field(page, italian("I take part as"))).to_have_value("citizen")
    expect(page.get_by_label(PLENARY)).to_be_checked()
    expect(page.get_by_label(LUNCH)).not_to_be_checked()
    expect(page.get_by_label(WORLD_CAFE)).to_be_checked()
    expect(field(page, italian("First choice")).locator("option:checked")).to_have_text("Prima infanzia")
    expect(field(page, italian("Second choice")).locator("option:checked")).to_have_text("Prima infanzia")
    expect(field(page, italian("Accessibility needs"))).to_have_value("Sedia a rotelle")

    page.get_by_role("link", name="English").click()
    field(page, "E-mail").fill("marta.rossi@")
    page.get_by_role("button", name="Register", exact=True).click()
    expect(field(page, "E-mail")).to_have_accessible_description(
        "Enter a valid e-mail address, such as name@example.org."
    )
    assert saved_attendee("marta.rossi@") is None


def test_lunch_and_world_cafe_questions_appear_only_when_those_parts_are_ticked(
    event, live_server, page, italian
):
    page.goto(f"{live_server.url}/brescia-citta-del-noi/register")
    dietary = field(page, italian("Dietary needs and allergies"))
    first_choice = field(page, italian("First choice"))
    expect(dietary).to_be_hidden()
    expect(first_choice).to_be_hidden()

    page.get_by_label(PLENARY).check()
    expect(dietary).to_be_hidden()
    expect(first_choice).to_be_hidden()

    page.get_by_label(LUNCH).check()
    expect(dietary).to_be_visible()
    expect(first_choice).to_be_hidden()

    page.get_by_label(WORLD_CAFE).check()
    expect(first_choice).to_be_visible()
    expect(field(page, italian("Third choice"))).to_be_visible()

    page.get_by_label(LUNCH).uncheck()
    expect(dietary).to_be_hidden()
    expect(first_choice).to_be_visible()


def test_english_link_switches_the_language_and_remembers_it(event, live_server, page, italian):
    page.goto(f"{live_server.url}/brescia-citta-del-noi/register")
    expect(page.get_by_role("heading", level=1)).to_have_text(italian("Register for the day"))

    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(f"{live_server.url}/brescia-citta-del-noi/register")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register for the day")
    expect(page.get_by_label("Lunch with music")).to_be_attached()
    expect(page.get_by_role("link", name="Italiano")).to_be_visible()

    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Register for the day")

    page.goto(live_server.url)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("Lunch with music", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Register", exact=True)).to_be_visible()


def test_keyboard_only_registration(event, live_server, desktop_page, italian):
    page = desktop_page
    page.goto(live_server.url)

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name=italian("Skip to content"))
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()

    page.keyboard.press("Tab")
    register_action = page.get_by_role("link", name=italian("Register"), exact=True)
    expect(register_action).to_be_focused()
    assert focus_ring(page)[0] != "none", "the focused register button shows no focus ring"
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name=italian("Register for the day"))).to_be_visible()
    tab_to(page, field(page, italian("First name")))
    page.keyboard.type("Giulia")
    page.keyboard.press("Tab")
    expect(field(page, italian("Last name"))).to_be_focused()
    page.keyboard.type("Ferrari")
    page.keyboard.press("Tab")
    expect(field(page, "E-mail")).to_be_focused()
    page.keyboard.type("giulia.ferrari@example.org")
    tab_to(page, field(page, italian("I take part as")))
    page.keyboard.press("ArrowDown")
    expect(field(page, italian("I take part as"))).to_have_value("network_member")
    for part in (PLENARY, LUNCH, WORLD_CAFE):
        tab_to(page, page.get_by_label(part))
        page.keyboard.press("Space")
        expect(page.get_by_label(part)).to_be_checked()
    tab_to(page, field(page, italian("First choice")))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    tab_to(page, field(page, italian("Dietary needs and allergies")))
    page.keyboard.type("Senza glutine")
    tab_to(page, page.get_by_role("radio", name="Italiano"))
    page.keyboard.press("ArrowRight")
    expect(page.get_by_role("radio", name="English")).to_be_checked()
    tab_to(page, field(page, italian(PRIVACY_CONSENT)))
    page.keyboard.press("Space")
    submit = page.get_by_role("button", name=italian("Register"), exact=True)
    tab_to(page, submit)
    outline_style, outline_width = focus_ring(page)
    assert outline_style != "none" and outline_width != "0px", "the focused button shows no focus ring"
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name=italian("Your registration"))).to_be_visible()
    attendee = saved_attendee("giulia.ferrari@example.org")
    assert attendee is not None and attendee.status == AttendeeStatus.CONFIRMED
    assert attendee.participant_type == "network_member"
    assert len(attendee.parts) == 3
    assert [pref.cafe_table.name["it"] for pref in attendee.preferences] == [
        "La forza della comunità",
        "Prima infanzia",
    ]
    assert attendee.dietary_needs == "Senza glutine"
    assert attendee.language == "en"


def test_second_registration_with_same_email_offers_link_resend(app, event, live_server, page, italian):
    register(
        event,
        RegistrationData(
            first_name="Giovanna",
            last_name="Lanfranchi",
            email="famiglia.bono@example.org",
            participant_type="citizen",
            day_part_ids=[event.day_parts[0].id],
        ),
    )
    page.goto(f"{live_server.url}/brescia-citta-del-noi/register")
    field(page, italian("First name")).fill("Marco")
    field(page, italian("Last name")).fill("Bono")
    field(page, "E-mail").fill("Famiglia.Bono@example.org")
    field(page, italian("I take part as")).select_option("social_worker")
    page.get_by_label(LUNCH).check()
    field(page, italian("Dietary needs and allergies")).fill("Nessun latticino")
    field(page, italian(PRIVACY_CONSENT)).check()
    page.get_by_role("button", name=italian("Register"), exact=True).click()

    already = italian("Already registered: see the message at the top of the page.")
    expect(field(page, "E-mail")).to_have_accessible_description(already)
    expect(field(page, "E-mail")).to_have_value("famiglia.bono@example.org")
    expect(field(page, italian("First name"))).to_have_value("Marco")
    expect(field(page, italian("Last name"))).to_have_value("Bono")
    expect(field(page, italian("I take part as"))).to_have_value("social_worker")
    expect(page.get_by_label(LUNCH)).to_be_checked()
    expect(field(page, italian("Dietary needs and allergies"))).to_have_value("Nessun latticino")
    expect(page.locator("body")).not_to_contain_text("Giovanna")

    page.get_by_role("button", name=italian("Send the link to this address")).click()
    notice = italian(
        "If %(email)s is registered, its personal link is on its way: check your inbox.",
        email="famiglia.bono@example.org",
    )
    expect(page.get_by_role("status")).to_have_text(notice)
    expect(page.locator("body")).not_to_contain_text("Giovanna")
    expect(page.locator("body")).not_to_contain_text("Lanfranchi")

    db.session.rollback()
    sent = db.session.scalars(select(OutboxMessage).filter_by(kind="manage_link")).all()
    assert [message.recipient for message in sent] == ["famiglia.bono@example.org"]
    assert saved_attendee("famiglia.bono@example.org").first_name == "Giovanna"


def test_cancelling_from_the_personal_page_frees_the_place_for_the_waiting_list(
    app, event, live_server, page, italian
):
    lunch = event.day_part(DayPartKind.LUNCH)
    lunch.capacity = 1
    db.session.commit()

    def lunch_registration(first_name, email):
        data = RegistrationData(first_name, "Lunch", email, "citizen", day_part_ids=[lunch.id])
        return register(event, data)

    anna = lunch_registration("Anna", "anna@example.org")
    bruno = lunch_registration("Bruno", "bruno@example.org")
    assert bruno.part(lunch.id).status == PartStatus.WAITLISTED
    anna_link, bruno_link = (
        f"{live_server.url}/brescia-citta-del-noi/r/{manage_token(a)}" for a in (anna, bruno)
    )

    page.goto(anna_link)
    page.get_by_role("link", name=italian("Cancel my registration")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(italian("Cancel your registration?"))
    page.get_by_role("button", name=italian("Yes, cancel my registration")).click()
    expect(page.get_by_text(italian("This registration is cancelled."))).to_be_visible()
    expect(page.get_by_role("link", name=italian("Cancel my registration"))).to_have_count(0)

    assert saved_attendee("anna@example.org").status == AttendeeStatus.CANCELLED
    assert saved_attendee("bruno@example.org").part(lunch.id).status == PartStatus.CONFIRMED
    page.goto(bruno_link)
    expect(page.get_by_role("listitem").filter(has_text=LUNCH)).to_contain_text(italian("confirmed"))
