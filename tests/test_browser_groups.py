"""A group in a real browser: its contact registers three people on one form (one without
an address, one row added), the group waits whole, one member is cancelled from the
group's page, and the two left are promoted from the waiting list together."""

import re

from helpers import register_someone
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Attendee, OutboxMessage

CONTACT = "anna.rossi@auser.example.org"


def row(page, italian, n):
    return page.get_by_role("group", name=italian("Person %(n)d", n=n), exact=True)


def fill_person(page, italian, n, first, last, email=None):
    person = row(page, italian, n)
    person.get_by_label(italian("First name"), exact=True).fill(first)
    person.get_by_label(italian("Last name"), exact=True).fill(last)
    if email:
        person.get_by_label(italian("E-mail (optional)"), exact=True).fill(email)
    person.get_by_label(italian("Takes part as"), exact=True).select_option("network_member")
    person.get_by_label(italian("World café: first choice"), exact=True).select_option(index=1)


def test_a_group_registered_waits_whole_loses_one_member_and_is_promoted_together(
    app, event, live_server, page, italian
):
    event.capacity = 4
    event.group_registration = {"policy": "all_or_nothing", "max_size": 10}
    db.session.commit()
    register_someone(event)
    register_someone(event)  # two places left: too few for a group of three

    page.goto(f"{live_server.url}/brescia-citta-del-noi/register")
    invitation = (
        "Registering several people, such as your organisation's colleagues? Register them as a group."
    )
    page.get_by_role("link", name=italian(invitation)).click()
    expect(page.get_by_role("heading", name=italian("Register a group"))).to_be_visible()
    page.get_by_label(italian("Your name"), exact=True).fill("Anna Rossi")
    page.get_by_label(italian("Your e-mail"), exact=True).fill(CONTACT)
    fill_person(page, italian, 1, "Lucia", "Verdi", "lucia.verdi@example.org")
    fill_person(page, italian, 2, "Piero", "Neri")  # no address: his badge goes to Anna
    # Three rows to start with; one more, by keyboard, keeps what was typed.
    page.get_by_role("button", name=italian("Add a row")).focus()
    page.keyboard.press("Enter")
    expect(row(page, italian, 4)).to_be_visible()
    expect(row(page, italian, 1).get_by_label(italian("Last name"), exact=True)).to_have_value("Verdi")
    fill_person(page, italian, 3, "Marta", "Bianchi", "marta.bianchi@example.org")
    page.get_by_label(re.compile("informativa sulla privacy")).check()
    page.get_by_role("button", name=italian("Register the group")).click()

    expect(page).to_have_url(re.compile(r"/brescia-citta-del-noi/g/[^/]+$"))
    expect(page.get_by_role("heading", name=italian("Your group"))).to_be_visible()
    members = page.locator(".group-members > li")
    expect(members).to_have_count(3)
    expect(members.locator(".member-status")).to_have_text([italian("waiting list")] * 3)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "fits a phone"

    # Marta cannot come: cancelled from the group's page; the two left now fit, together.
    page.get_by_role("button", name=italian("Cancel %(name)s", name="Marta Bianchi")).click()
    expect(page.get_by_role("status")).to_contain_text("Marta Bianchi")
    expect(members.locator(".member-status")).to_have_text(
        [italian("confirmed"), italian("confirmed"), italian("cancelled")]
    )

    db.session.rollback()
    lucia, piero, marta = db.session.scalars(
        select(Attendee).where(Attendee.group_id.is_not(None)).order_by(Attendee.id)
    )
    assert (lucia.status, piero.status, marta.status) == ("confirmed", "confirmed", "cancelled")
    promoted = db.session.scalars(select(OutboxMessage).filter_by(kind="promoted")).all()
    assert sorted((m.recipient, m.attendee_id) for m in promoted) == sorted(
        [("lucia.verdi@example.org", lucia.id), (CONTACT, piero.id)]
    ), "Piero's badge goes to the contact"
