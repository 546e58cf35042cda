"""The public results pages in a real browser (Chromium, a phone's screen): a person who did
not agree to be named is named nowhere a citizen can read, one who agreed is, and hostile text
typed at the tables shows as text and never runs."""

from helpers import register_someone
from sqlalchemy import select
from test_browser_injection import BROWSER_PAYLOAD, WATCH_THE_DOCUMENT
from test_results_commitments import commitment_of, publish

from app.extensions import db
from app.models import TableOutcome
from app.results.names import BLANK

PAGES = ("/brescia-citta-del-noi/results/", "/brescia-citta-del-noi/results/commitments")


def injected(page) -> list[dict]:
    """Elements only hostile text could have added: the charts' own <svg> carry no handlers."""
    return [
        element
        for element in page.evaluate("window.__appeared")
        if element["handlers"]
        or element["tag"] in ("iframe", "object", "embed")
        or (element["tag"] == "img" and not element["src"].startswith("/"))
        or (element["tag"] == "script" and not element["src"].startswith("/static/"))
    ]


def test_only_people_who_agreed_are_named_and_hostile_text_stays_text(app, event, live_server, page):
    register_someone(event, first_name="Grazia", last_name="Nuñez")  # did not agree (the default)
    register_someone(event, first_name="Marco", last_name="Bellini", consent_name_public=True)
    table = event.tables[0]
    publish(table)
    outcome = db.session.scalars(select(TableOutcome).filter_by(cafe_table_id=table.id)).one()
    said = f"Grazia Nuñez e Marco Bellini propongono uno sportello. {BROWSER_PAYLOAD}"
    outcome.text = {"it": said, "en": said}
    db.session.commit()
    commitment_of(table, text=f"Sportello con NUNEZ Grazia {BROWSER_PAYLOAD}", note=BROWSER_PAYLOAD)

    page.add_init_script(WATCH_THE_DOCUMENT)
    for path in PAGES:
        page.goto(f"{live_server.url}{path}")
        shown = page.locator("main").inner_text()
        assert "Nuñez" not in shown and "NUNEZ" not in shown, path
        assert BLANK in shown and BROWSER_PAYLOAD in shown, path
        assert page.evaluate("window.__injected") is None, f"{path}: injected code ran"
        assert not injected(page), f"{path}: {injected(page)}"
    page.goto(f"{live_server.url}/brescia-citta-del-noi/results/")
    assert "Marco Bellini" in page.locator("main").inner_text(), "he agreed to be named"
