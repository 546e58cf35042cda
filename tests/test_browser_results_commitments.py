"""A commitment's status change, in a real browser: an organiser sets it to done with a note;
the public commitments page shows the new status and the note (on a phone, with no serious
accessibility violation) and the Atom feed has the new entry on top."""

import xml.etree.ElementTree as ET
from datetime import date

from conftest import PASSWORD, staff_account
from playwright.sync_api import expect
from test_accessibility import axe_violations, sideways_overflow
from test_browser_mass_actions import sign_in

from app.extensions import db
from app.models import CommitmentOwner, Role, TableFacilitator, TableOutcome, utcnow
from app.results import commitments as service

ATOM = "{http://www.w3.org/2005/Atom}"


def serious(page) -> list[dict]:
    return [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]


def test_a_status_change_shows_on_the_public_page_and_in_the_feed(page, live_server, event, italian):
    table = event.tables[0]
    db.session.add(
        TableOutcome(
            event_id=event.id, cafe_table_id=table.id, text={}, updated_by="t", published_at=utcnow()
        )
    )
    owner = service.Owner(CommitmentOwner.CITY, event.organiser)
    commitment = service.create_commitment(
        table, {"it": "Una panchina del Noi in ogni quartiere"}, owner, date(2027, 11, 30), "x@example.org"
    )
    organiser = staff_account("organiser@example.org", "Organiser", PASSWORD, "admin")

    sign_in(page, live_server, organiser)
    page.goto(f"{live_server.url}/brescia-citta-del-noi/admin/results/commitments/new")
    page.get_by_role("button", name=italian("Save the commitment")).click()
    expect(page.locator("#form-errors")).to_be_visible()
    assert serious(page) == [], "the organisers' form, errors shown"
    page.goto(f"{live_server.url}/brescia-citta-del-noi/admin/results/commitments/")
    assert serious(page) == [], "the organisers' list"
    page.get_by_role("link", name="Una panchina del Noi in ogni quartiere").click()
    assert serious(page) == [], "the status page"
    page.get_by_label(italian("Status"), exact=True).select_option(label=italian("done"))
    page.get_by_label(italian("Public note (%(language)s)", language="Italiano")).fill(
        "Inaugurate le prime tre"
    )
    page.get_by_role("button", name=italian("Save the status")).click()
    expect(page.locator(".notice-success")).to_have_text(italian("Status saved."))

    page.goto(f"{live_server.url}/brescia-citta-del-noi/results/commitments")
    entry = page.locator(f"#commitment-{commitment.id}")
    expect(entry.locator(".commitment-status")).to_have_text(f"● {italian('done')}")
    expect(entry.locator(".commitment-note")).to_have_text("Inaugurate le prime tre")
    assert serious(page) == []
    assert sideways_overflow(page) == [], "readable on a phone without scrolling sideways"

    feed_link = page.get_by_role("link", name=italian("Follow the changes (Atom feed)"))
    feed = ET.fromstring(page.request.get(live_server.url + feed_link.get_attribute("href")).body())
    newest = feed.find(f"{ATOM}entry")
    assert newest.findtext(f"{ATOM}title") == "realizzato: Una panchina del Noi in ogni quartiere"
    assert newest.findtext(f"{ATOM}content") == "Inaugurate le prime tre"
    assert len(feed.findall(f"{ATOM}entry")) == 2, "the creation, then the change"


def test_a_facilitator_marks_a_commitment_from_the_tables_page_on_a_phone(page, live_server, event, italian):
    table = event.tables[0]
    facilitator = staff_account("facilitatore@example.org", "Facilitatore", PASSWORD, Role.FACILITATOR)
    db.session.add(TableFacilitator(cafe_table_id=table.id, user_id=facilitator.id))
    db.session.commit()

    sign_in(page, live_server, facilitator)
    page.goto(f"{live_server.url}/brescia-citta-del-noi/facilitators/tables/{table.id}/")
    section = page.locator("#commitments")
    section.get_by_role("button", name=italian("Save the commitment")).click()
    expect(page.locator("#form-errors")).to_be_visible()  # nothing written, nobody chosen
    assert serious(page) == [] and sideways_overflow(page) == []

    page.get_by_label(italian("Commitment"), exact=True).fill("Un gruppo di cammino il sabato")
    page.get_by_label(italian("Who takes it on")).select_option(label="Auser Brescia")
    page.get_by_label(italian("By when (optional)")).fill("2027-09-30")
    page.get_by_label(italian("By when (optional)")).press("Enter")  # the keyboard sends the form
    expect(page.locator(".notice-success")).to_be_visible()
    saved = page.locator("#commitments .commitment")
    expect(saved).to_have_count(1)
    expect(saved).to_contain_text("Un gruppo di cammino il sabato")
    expect(saved).to_contain_text("Auser Brescia")
    expect(saved).to_contain_text(italian("open"))
    assert serious(page) == [] and sideways_overflow(page) == []
