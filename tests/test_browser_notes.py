"""A facilitator's pages in a real browser (Chromium, phone-sized): nothing typed is lost
when the network drops and the page is reloaded, two people editing one sheet never
overwrite each other, attendance by ticking and by badge, and the synthesis updating live.
"""

import pytest
from browser import PHONE, _open_page
from conftest import PASSWORD, staff_account
from helpers import register_someone
from playwright.sync_api import expect
from sqlalchemy import select
from test_facilitators import publish_seats

from app.checkin.badges import badge_token
from app.checkin.desks import create_desk_device
from app.extensions import db
from app.facilitation import notes
from app.models import NoteRevision, NoteSheet, TableAttendance, TableFacilitator

SERVER_WAIT_MS = 12_000  # sent on "online", else retried every 5 s


@pytest.fixture
def second_page(browser, request):
    """Another phone, in a browser context of its own."""
    yield from _open_page(browser, request, PHONE)


@pytest.fixture
def table(event):
    return event.tables[0]


def facilitator(table, email):
    user = staff_account(email, email.split("@")[0].title(), PASSWORD, "facilitator")
    db.session.add(TableFacilitator(cafe_table_id=table.id, user_id=user.id))
    db.session.commit()
    return user


def open_notes(page, live_server, user, table, round=1):
    page.goto(f"{live_server.url}/staff/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.goto(f"{live_server.url}/brescia-citta-del-noi/facilitators/tables/{table.id}/notes/{round}")
    expect(page.locator("#notes")).to_have_attribute("data-ready", "true")


def server_sheet(table, round=1) -> NoteSheet | None:
    db.session.rollback()  # see what the live server committed
    return db.session.scalars(select(NoteSheet).filter_by(cafe_table_id=table.id, round=round)).first()


def wait_for_server(page, table, predicate, timeout_ms=SERVER_WAIT_MS):
    for _ in range(timeout_ms // 250):
        sheet = server_sheet(table)
        if sheet is not None and predicate(sheet):
            return sheet
        page.wait_for_timeout(250)
    raise AssertionError(f"the server has: {sheet and sheet.insights!r}")


def test_every_word_typed_offline_and_across_a_reload_reaches_the_server(page, live_server, table):
    user = facilitator(table, "silvia@example.org")
    open_notes(page, live_server, user, table)
    insights = page.locator("#note-insights")
    status = page.locator("#save-status")

    insights.click()
    page.keyboard.type("Più servizi vicino a casa\n", delay=5)
    expect(status).to_have_attribute("data-state", "saved", timeout=5_000)
    wait_for_server(page, table, lambda s: "Più servizi vicino a casa" in s.insights)
    expect(page.locator("#notes")).to_have_attribute("data-offline-ready", "true")

    page.context.set_offline(True)
    page.keyboard.type("Reti di vicinato 🤝\nGiovani protagonisti", delay=5)
    page.locator("#note-tags").fill("comunità, giovani")
    expect(status).to_have_attribute("data-state", "offline", timeout=5_000)

    page.reload()  # the tab is reopened without network: the service worker has the page
    expect(page.locator("#notes")).to_have_attribute("data-ready", "true")
    expect(insights).to_have_value("Più servizi vicino a casa\nReti di vicinato 🤝\nGiovani protagonisti")
    expect(page.locator("#note-tags")).to_have_value("comunità, giovani")
    expect(status).to_have_attribute("data-state", "offline")
    page.locator("#note-proposals").fill("Un punto di ascolto in biblioteca")

    page.context.set_offline(False)
    sheet = wait_for_server(
        page, table, lambda s: "Un punto di ascolto" in s.proposals and "Giovani" in s.insights
    )
    assert sheet.insights == "Più servizi vicino a casa\nReti di vicinato 🤝\nGiovani protagonisti"
    assert sheet.proposals == "Un punto di ascolto in biblioteca"
    assert sheet.tags == ["comunità", "giovani"]
    expect(status).to_have_attribute("data-state", "saved")
    conflicts = db.session.scalars(select(NoteRevision).filter_by(conflict=True)).all()
    assert conflicts == [], "the page's own saves never conflict with each other"


def test_the_desk_on_the_same_laptop_keeps_the_notes_offline_copy(page, live_server, event, table):
    """An organiser uses one laptop for a table's notes and for the desk. The two offline
    copies live side by side: the desk's, when it starts, does not throw the notes' away."""
    organiser = staff_account("organiser@example.org", "Organiser", PASSWORD, "admin")
    open_notes(page, live_server, organiser, table)
    expect(page.locator("#notes")).to_have_attribute("data-offline-ready", "true")
    notes_url = page.url
    page.goto(f"{live_server.url}/brescia-citta-del-noi/desk/#pair={create_desk_device(event, 'Desk 1')[1]}")
    expect(page.locator("#desk")).to_have_attribute("data-offline-ready", "true")

    page.context.set_offline(True)
    page.goto(notes_url)  # the network is gone: only the notes' own copy can answer
    expect(page.locator("#notes")).to_have_attribute("data-ready", "true")


def test_a_concurrent_edit_is_detected_and_both_versions_are_kept(page, second_page, live_server, table):
    silvia = facilitator(table, "silvia@example.org")
    marco = facilitator(table, "marco@example.org")
    open_notes(page, live_server, silvia, table)
    open_notes(second_page, live_server, marco, table)

    second_page.context.set_offline(True)  # Marco writes in a dead spot of the room
    second_page.locator("#note-insights").fill("Idea di Marco: orti condivisi")
    page.locator("#note-insights").fill("Idea di Silvia: banca del tempo")
    wait_for_server(page, table, lambda s: "Silvia" in s.insights)

    second_page.context.set_offline(False)
    expect(second_page.locator("#save-status")).to_have_attribute(
        "data-state", "conflict", timeout=SERVER_WAIT_MS
    )
    conflict = second_page.locator("#conflict")
    expect(conflict).to_be_visible()
    expect(second_page.locator('[data-theirs="insights"] .theirs-text')).to_have_text(
        "Idea di Silvia: banca del tempo"
    )
    expect(second_page.locator('[data-theirs="insights"] .theirs-label')).to_contain_text("Silvia")
    expect(second_page.locator("#note-insights")).to_have_value("Idea di Marco: orti condivisi")
    sheet = server_sheet(table)
    assert sheet.insights == "Idea di Silvia: banca del tempo", "Marco's save did not overwrite Silvia's"
    kept = db.session.scalars(select(NoteRevision).filter_by(conflict=True)).one()
    assert kept.content["insights"] == "Idea di Marco: orti condivisi" and kept.author == "marco@example.org"

    conflict.locator("[data-merge=both]").click()  # "Tieni entrambe (tutte le righe)"
    both = "Idea di Silvia: banca del tempo\nIdea di Marco: orti condivisi"
    expect(second_page.locator("#note-insights")).to_have_value(both)
    wait_for_server(second_page, table, lambda s: s.insights == both)
    expect(second_page.locator("#save-status")).to_have_attribute("data-state", "saved")
    expect(conflict).to_be_hidden()
    db.session.refresh(kept)
    assert kept.resolved
    # Silvia's page picks up the combined text while she is not typing.
    expect(page.locator("#note-insights")).to_have_value(both, timeout=SERVER_WAIT_MS)


def test_attendance_by_ticking_and_by_badge_code(page, live_server, event, table):
    anna = register_someone(event, first_name="Anna", last_name="Zanardelli")
    bruno = register_someone(event, first_name="Bruno", last_name="Abeni")
    publish_seats(event, [(anna, table, 1, 0), (bruno, table, 1, 1)])
    user = facilitator(table, "silvia@example.org")
    open_notes(page, live_server, user, table)
    page.goto(f"{live_server.url}/brescia-citta-del-noi/facilitators/tables/{table.id}/?round=1")
    expect(page.locator("#attendance")).to_have_attribute("data-ready", "true")

    page.get_by_label("Abeni Bruno").check()
    expect(page.locator("#present-count")).to_have_text("1")
    page.locator("#scan-code").fill(badge_token(anna).lower())
    page.locator("#scan-code").press("Enter")
    expect(page.locator("#scan-result")).to_have_attribute("data-result", "ok")
    expect(page.locator("#scan-result")).to_contain_text("Anna Zanardelli")
    expect(page.locator(f"#present-{anna.id}")).to_be_checked()
    expect(page.locator("#present-count")).to_have_text("2")
    page.locator("#scan-code").fill("not a badge")
    page.locator("#scan-code").press("Enter")
    expect(page.locator("#scan-result")).to_have_attribute("data-result", "bad")
    db.session.rollback()
    marks = db.session.scalars(select(TableAttendance).filter_by(cafe_table_id=table.id, present=True)).all()
    assert sorted(mark.attendee_id for mark in marks) == sorted([anna.id, bruno.id])


def test_synthesis_updates_live_as_a_table_writes_its_summary(desktop_page, live_server, table):
    admin = staff_account("admin@example.org", "Admin", PASSWORD, "admin")
    open_notes(desktop_page, live_server, admin, table)
    desktop_page.goto(f"{live_server.url}/brescia-citta-del-noi/synthesis/")
    column = desktop_page.locator(f'.synthesis-column[data-table-id="{table.id}"]')
    expect(column).to_contain_text(table.display_name)
    expect(desktop_page.locator(".synthesis-column")).to_have_count(6)
    summary = notes.SheetContent(
        insights="Una città che si prende cura 💛", proposals="Patti di collaborazione", finished=True
    )
    notes.save_sheet(table, 0, summary, 0, "synthesis-live-1", "silvia@example.org")
    expect(column).to_contain_text("Una città che si prende cura 💛", timeout=SERVER_WAIT_MS)
    expect(column).to_contain_text("Patti di collaborazione")
    expect(column).to_have_class("synthesis-column is-finished")
