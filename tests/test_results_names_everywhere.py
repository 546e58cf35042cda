"""A person who did not agree to be named is named nowhere public: not in a commitment's
text or note on the public pages, not in the Atom feed, not in the open data files; a
person who agreed is named as written."""

import pytest
from helpers import register_someone
from sqlalchemy import select
from test_results_commitments import commitment_of, publish

from app.extensions import db
from app.models import TableOutcome
from app.results.names import BLANK

NAMED = "Grazia Nuñez"
FILES = (
    "/brescia-citta-del-noi/results/",
    "/brescia-citta-del-noi/results/commitments",
    "/brescia-citta-del-noi/results/commitments.atom",
    "/brescia-citta-del-noi/results/open-data/commitments.csv",
    "/brescia-citta-del-noi/results/open-data/commitments.json",
    "/brescia-citta-del-noi/results/open-data/outcomes.csv",
    "/brescia-citta-del-noi/results/open-data/outcomes.json",
)


@pytest.fixture
def named_in_the_results(event):
    """A commitment, its note and the table's outcomes all name Grazia Nuñez."""
    person = register_someone(event, first_name="Grazia", last_name="Nuñez")
    table = event.tables[0]
    publish(table)
    outcome = db.session.scalars(select(TableOutcome).filter_by(cafe_table_id=table.id)).one()
    outcome.text = {"it": f"Ne ha parlato {NAMED}.", "en": f"{NAMED} spoke about it."}
    db.session.commit()
    commitment_of(
        table, text=f"Uno sportello, con {NAMED}", note="Avviato da GRAZIA NUNEZ", status="in_progress"
    )
    return person


def test_a_person_who_did_not_agree_is_blanked_on_every_public_page_feed_and_file(
    client, named_in_the_results
):
    for path in FILES:
        body = client.get(path).get_data(as_text=True)
        assert "Nuñez" not in body and "NUNEZ" not in body and "Nu\\u00f1ez" not in body, path
    page = client.get("/brescia-citta-del-noi/results/commitments").get_data(as_text=True)
    assert BLANK in page


def test_a_person_who_agreed_is_named_as_written(client, named_in_the_results):
    named_in_the_results.consent_name_public = True
    db.session.commit()
    assert NAMED in client.get("/brescia-citta-del-noi/results/commitments").get_data(as_text=True)
    assert NAMED in client.get("/brescia-citta-del-noi/results/commitments.atom").get_data(as_text=True)
    assert NAMED in client.get("/brescia-citta-del-noi/results/open-data/commitments.csv").get_data(
        as_text=True
    )
    assert NAMED in client.get("/brescia-citta-del-noi/results/open-data/outcomes.csv").get_data(as_text=True)
