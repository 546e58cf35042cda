"""Searching attendees by what staff type (app/registration/attendee_search.py): the same
people found with the indexes of migration 0019 as without, kept up to date however a
person's name, e-mail or organisation changes; and a typed search counts up to a bound."""

import pytest
from sqlalchemy import text, update

from app.checkin.desks import create_desk_device
from app.checkin.queries import search_attendees
from app.extensions import db
from app.models import Attendee, Role
from app.registration import admin as registration_admin
from app.registration import attendee_list, attendee_search
from app.registration.attendee_list import AttendeeFilter, attendee_query
from tests.helpers import register_someone, second_event

LIST = "/brescia-citta-del-noi/admin/"


@pytest.fixture
def admin(make_staff):
    return make_staff(Role.ADMIN)[1]


@pytest.fixture
def desk(event):
    _device, token = create_desk_device(event, "Desk 2")
    return {"Authorization": f"Bearer {token}"}


def listed_first_names(admin, **query) -> list[str]:
    page = admin.get(LIST, query_string=query).get_data(as_text=True)
    return sorted(name for name in FIRST_NAMES if f" {name}</a>" in page)


def desk_first_names(client, desk, typed: str) -> list[str]:
    results = client.get("/api/v1/attendees", query_string={"q": typed}, headers=desk).get_json()["results"]
    return sorted(result["name"].split()[0] for result in results)


FIRST_NAMES = ["Nicolò", "Zita", "Ugo", "Élise"]


@pytest.fixture
def people(event):
    register_someone(
        event, first_name="Nicolò", last_name="Ferretti", organisation_name="Coop Sociale Il Melo"
    )
    register_someone(event, first_name="Zita", last_name="Bonomi", email="zita.b@posta.it")
    register_someone(event, first_name="Ugo", last_name="Ferrari", organisation_name="Gruppo Alpini")
    register_someone(event, first_name="Élise", last_name="Moreau", organisation_name="ACLI Brescia")


def test_the_list_finds_by_name_across_first_and_last_email_and_organisation(admin, people):
    assert listed_first_names(admin, q="olò ferr") == ["Nicolò"], "first name and surname read as one"
    assert listed_first_names(admin, q="FERR") == ["Nicolò", "Ugo"], "case aside"
    assert listed_first_names(admin, q="a.b@posta") == ["Zita"]
    assert listed_first_names(admin, q="alpin") == ["Ugo"]
    assert listed_first_names(admin, organisation="acli") == ["Élise"]
    assert listed_first_names(admin, q="Nicolo") == [], "accents count, as they always did"
    assert listed_first_names(admin, q="élise") == (["Élise"] if _folds_every_letter() else [])


def test_the_desk_finds_each_word_anywhere_in_any_order(client, desk, people):
    assert desk_first_names(client, desk, "ferr sociale") == ["Nicolò"]
    assert desk_first_names(client, desk, "posta zita") == ["Zita"]
    assert desk_first_names(client, desk, "ferr") == ["Nicolò", "Ugo"]
    assert desk_first_names(client, desk, "ferr xyz") == []
    assert desk_first_names(client, desk, "Ugo Fe") == ["Ugo"], "a word under 3 letters still counts"


def test_an_edited_name_is_found_by_the_new_one_only(admin, client, desk, event, people):
    ugo = db.session.query(Attendee).filter_by(first_name="Ugo").one()
    ugo.last_name, ugo.organisation_name = "Sandrini", None
    db.session.commit()
    assert listed_first_names(admin, q="sandrin") == ["Ugo"]
    assert listed_first_names(admin, q="ferrari") == []
    assert desk_first_names(client, desk, "alpini") == []
    # A bulk update, as a script would write it, is followed too (triggers on SQLite).
    db.session.execute(update(Attendee).where(Attendee.id == ugo.id).values(email="ugo@ortica.it"))
    db.session.commit()
    assert desk_first_names(client, desk, "ortica") == ["Ugo"]


def test_a_search_stays_in_its_event_when_the_index_holds_others(client, desk, event, people):
    register_someone(second_event(), first_name="Ugolino", last_name="Ferri")
    assert desk_first_names(client, desk, "ugo") == ["Ugo"]
    assert desk_first_names(client, desk, "ferri") == []


def test_the_same_people_are_found_with_and_without_the_index(event, people, monkeypatch):
    """What the index narrows down, the search itself decides: never a person less or more."""
    typed = ["ferr", "olò ferr", "FERRARI", "posta.it", "%", "_", "o_a", "brescia", "lo ferr", "é"]

    def found() -> dict:
        lists = {t: _ids(attendee_query(event, AttendeeFilter(search=t))) for t in typed}
        desks = {t: [a.id for a in search_attendees(event, t)] for t in typed}
        return {"list": lists, "desk": desks}

    indexed = found()
    monkeypatch.setattr(attendee_search, "has_fts_index", lambda engine: False)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET enable_bitmapscan = off; SET enable_indexscan = off"))
    assert found() == indexed


def test_a_typed_search_counts_up_to_its_bound_and_pages_on(admin, event, monkeypatch, italian):
    monkeypatch.setattr(attendee_list, "COUNTED_AT_MOST", 3)
    monkeypatch.setattr(registration_admin, "PAGE_SIZE", 2)
    for n in range(5):
        register_someone(event, first_name="Giulia", last_name=f"Rossi {n}")
    register_someone(event, first_name="Ugo", last_name="Bassi")

    def page(number: int) -> str:
        return admin.get(LIST, query_string={"q": "rossi", "page": number}).get_data(as_text=True)

    first = page(1)
    more = italian("More than %(num)d found: type more to narrow the search", num=3)
    assert more in first and italian("Page %(page)d", page=1) + "<" in first and "page=2" in first
    assert [page(n).count("Giulia</a>") for n in (1, 2, 3)] == [2, 2, 1], "everyone found is listed"
    assert "page=4" not in page(3)
    assert admin.get(LIST, query_string={"q": "rossi", "page": 4}).status_code == 404
    everyone = admin.get(LIST).get_data(as_text=True)
    counted = italian("%(num)d shown", num=6), italian("Page %(page)d of %(pages)d", page=1, pages=3)
    assert all(text in everyone for text in counted), "without typed text, everyone is counted"
    one = admin.get(LIST, query_string={"q": "rossi 1"}).get_data(as_text=True)
    assert italian("%(num)d shown", num=1) in one, "under the bound, a search counts exactly"


def _ids(query) -> list[int]:
    return [a.id for a in db.session.scalars(query)]


def _folds_every_letter() -> bool:
    """PostgreSQL's ILIKE folds É to é; SQLite's LIKE only A to Z (unchanged by the index)."""
    return db.engine.dialect.name == "postgresql"
