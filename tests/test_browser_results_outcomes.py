"""An organiser, on a phone, reviews a table's outcomes beside its notes, edits the Italian
text, publishes it, finds it on the public results page, unpublishes it, and it is gone."""

import re

import pytest
from conftest import PASSWORD, staff_account
from playwright.sync_api import expect

from app.facilitation import notes


@pytest.fixture
def organiser(app):
    return staff_account("organiser@example.org", "Organiser", PASSWORD, "admin")


def sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/staff/login")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/staff/login"))


def test_an_organiser_reviews_edits_publishes_and_unpublishes_a_tables_outcomes(
    event, live_server, organiser, page
):
    table = event.tables[0]
    content = notes.SheetContent(proposals="Una casa di quartiere aperta la sera")
    notes.save_sheet(table, 0, content, 0, "browser-save-0001", "facilitatore@example.org")
    sign_in(page, live_server, organiser)

    page.goto(f"{live_server.url}/brescia-citta-del-noi/admin/results/")
    page.get_by_role("link", name=f"Rivedi e pubblica {table.display_name}").click()
    notes_column = page.get_by_role("region", name="Le note dei facilitatori")
    expect(notes_column.get_by_text("Una casa di quartiere aperta la sera")).to_be_visible()
    italian_box = page.get_by_label("Testo per il pubblico (Italiano)")
    expect(italian_box).to_have_value(re.compile(r"Riepilogo finale\n\nProposte:\n- Una casa di quartiere"))

    italian_box.fill("Il tavolo propone una casa di quartiere.\n\n- Aperta la sera\n- Con i giovani")
    page.get_by_role("button", name="Salva e pubblica").click()
    expect(page.get_by_role("status")).to_contain_text("Salvato e pubblicato")

    page.goto(f"{live_server.url}/brescia-citta-del-noi/results/")
    published = page.get_by_role("article", name=table.display_name)
    expect(published.get_by_text("Il tavolo propone una casa di quartiere.")).to_be_visible()
    expect(published.get_by_role("listitem").filter(has_text="Con i giovani")).to_be_visible()
    expect(
        page.get_by_role("contentinfo").get_by_role("link", name="Risultati della giornata")
    ).to_be_visible()

    page.goto(f"{live_server.url}/brescia-citta-del-noi/admin/results/tables/{table.id}")
    page.get_by_role("button", name="Ritira la pubblicazione").click()
    expect(page.get_by_role("status")).to_contain_text("Pubblicazione ritirata")

    page.goto(f"{live_server.url}/brescia-citta-del-noi/results/")
    expect(page.get_by_text("Il tavolo propone una casa di quartiere.")).to_have_count(0)
    expect(page.get_by_text("Ancora nulla di pubblicato")).to_be_visible()
