"""Copying an event (its organisers, from the Event file page): a new event at its own
address with the same file, tables, staff and table facilitators, its dates moved with the
day; never the attendees, check-ins, messages, notes or desk devices. The source stays as it
was; a refused address writes nothing."""

from datetime import date, datetime

import pytest
from conftest import PASSWORD, csrf_from, signed_in, staff_account
from helpers import other_event_file, register_someone
from playwright.sync_api import expect
from sqlalchemy import func, select
from test_many_events import cities  # noqa: F401

from app.checkin.desks import create_desk_device
from app.events import copying, forms
from app.events.copying import copied_file
from app.events.services import event_files, load_event
from app.extensions import db
from app.models import (
    Attendee,
    CafeTable,
    DeskDevice,
    Event,
    EventFile,
    EventMembership,
    OutboxMessage,
    Role,
    TableFacilitator,
    User,
)

SOURCE = "/brescia-citta-del-noi"
COPY_URL = f"{SOURCE}/admin/event/copy"
NEW_DATE = "2028-07-11"  # 364 days after 13 July 2027


@pytest.fixture
def organiser(app, event):
    user = staff_account("org@example.org", "Org Brescia", PASSWORD, Role.ADMIN, [event])
    client = signed_in(app, user)
    client.get("/lang/en")
    return client


@pytest.fixture
def busy_source(event):
    """The MO.CA day with its staff, two facilitators at their tables, an attendee, a desk."""
    desk = staff_account("desk@example.org", "Desk", PASSWORD, Role.DESK, [event])
    anna = staff_account("anna@example.org", "Anna", PASSWORD, Role.FACILITATOR, [event])
    bruno = staff_account("bruno@example.org", "Bruno", PASSWORD, Role.FACILITATOR, [event])
    first, second = event.tables[0], event.tables[1]
    db.session.add(TableFacilitator(cafe_table_id=first.id, user_id=anna.id))
    db.session.add(TableFacilitator(cafe_table_id=second.id, user_id=bruno.id))
    db.session.commit()
    register_someone(event)
    create_desk_device(event, "Banco 1")
    return {"desk": desk, "anna": anna, "bruno": bruno, "tables": (first.key, second.key)}


def copy(
    client,
    slug="brescia-2028",
    it="Brescia Città del Noi compie due anni",
    en="Brescia Città del Noi turns two",
    day=NEW_DATE,
):
    token = csrf_from(client.get(COPY_URL).get_data(as_text=True))
    return client.post(
        COPY_URL, data={"csrf_token": token, "slug": slug, "name_it": it, "name_en": en, "date": day}
    )


def count(model, **where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def member_emails(event: Event) -> set[str]:
    members = select(User.email).join(EventMembership).filter(EventMembership.event_id == event.id)
    return set(db.session.scalars(members))


def snapshot(event: Event) -> dict:
    db.session.expire_all()
    return {
        "date": event.date,
        "name": event.name,
        "window": (event.registration_opens_at, event.registration_closes_at),
        "tables": sorted(table.key for table in event.tables),
        "members": count(EventMembership, event_id=event.id),
        "attendees": count(Attendee, event_id=event.id),
        "files": count(EventFile, event_id=event.id),
        "desks": count(DeskDevice, event_id=event.id),
    }


def test_the_copy_has_the_same_tables_staff_and_facilitators_no_attendees_and_moved_dates(
    event, organiser, busy_source
):
    event.registration_opens_at, event.registration_closes_at = (
        datetime(2026, 10, 31, 23),
        datetime(2027, 7, 12, 21, 59),
    )
    db.session.commit()
    before, messages = snapshot(event), count(OutboxMessage)
    page = organiser.get(COPY_URL).get_data(as_text=True)
    assert "paired with their hardware" in page, "the page says why desk devices stay"

    answer = copy(organiser)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/brescia-2028/admin/event/"
    shown = organiser.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Brescia Città del Noi turns two is created" in shown

    new = db.session.scalars(select(Event).filter_by(slug="brescia-2028")).one()
    assert new.name == {
        "it": "Brescia Città del Noi compie due anni",
        "en": "Brescia Città del Noi turns two",
    }
    assert new.date == date(2028, 7, 11) and new.organiser_id == event.organiser_id
    # The file's window (1 Nov 2026 00:00 – 12 Jul 2027 23:59, Rome time) moved by 364 days:
    # 31 Oct 2027 00:00 is still summer time in Rome, so 22:00 UTC the day before.
    assert (new.registration_opens_at, new.registration_closes_at) == (
        datetime(2027, 10, 30, 22, 0),
        datetime(2028, 7, 10, 21, 59),
    )
    assert sorted(table.key for table in new.tables) == before["tables"]
    assert [t.capacity for t in new.tables] == [t.capacity for t in event.tables]
    assert member_emails(new) == {
        "org@example.org",
        "desk@example.org",
        "anna@example.org",
        "bruno@example.org",
    }
    facilitators = db.session.execute(
        select(CafeTable.key, User.email)
        .join(TableFacilitator, TableFacilitator.cafe_table_id == CafeTable.id)
        .join(User, User.id == TableFacilitator.user_id)
        .filter(CafeTable.event_id == new.id)
    ).all()
    first, second = busy_source["tables"]
    assert sorted(facilitators) == sorted([(first, "anna@example.org"), (second, "bruno@example.org")])
    assert count(Attendee, event_id=new.id) == 0
    assert count(DeskDevice, event_id=new.id) == 0
    assert count(OutboxMessage) == messages, "nobody is e-mailed"
    assert event_files(new)[0].loaded_by == "org@example.org"

    assert snapshot(event) == before, "the source is untouched"
    assert organiser.get("/brescia-2028/admin/").status_code == 200, "the copier works on the copy"
    desk = signed_in(organiser.application, busy_source["desk"])
    assert desk.get("/brescia-2028/desk/").status_code == 200, "so do the staff"


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("brescia-citta-del-noi", "An event with this address exists already"),
        ("instance", "taken by the app's own pages"),
        ("Not A Slug!", "Use lower-case letters, digits and dashes"),
    ],
)
def test_a_taken_reserved_or_invalid_address_is_refused_and_nothing_is_written(
    event, organiser, busy_source, slug, message
):
    before = snapshot(event)
    events, memberships, files = count(Event), count(EventMembership), count(EventFile)
    answer = copy(organiser, slug=slug, it="Un nome")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert message in page.replace("&#39;", "'")
    assert 'value="Un nome"' in page, "what was typed stays"
    assert (count(Event), count(EventMembership), count(EventFile)) == (events, memberships, files)
    assert snapshot(event) == before


def test_an_address_taken_between_the_check_and_the_copy_overwrites_nothing(
    event, organiser, busy_source, monkeypatch
):
    """Two copies at once: the second one finds the slug taken inside its transaction."""
    other = load_event(other_event_file(), "altro.yaml", organiser=event.organiser_group)
    name_before, files_before = dict(other.name), count(EventFile, event_id=other.id)
    for checked_by in (copying, forms):  # the checks before the transaction saw it free
        monkeypatch.setattr(checked_by, "slug_refusal", lambda slug: None)
    answer = copy(organiser, slug="un-altro-giorno")
    assert answer.status_code == 200 and "An event with this address exists already" in answer.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert (other.name, count(EventFile, event_id=other.id)) == (name_before, files_before)
    assert count(EventMembership, event_id=other.id) == 0, "no staff copied into it"


def test_an_organiser_of_another_group_gets_404_on_the_copy_page_of_an_event_not_theirs(app, cities):  # noqa: F811
    stranger = signed_in(app, cities["other_admin"])
    token = csrf_from(stranger.get("/staff/login").get_data(as_text=True))
    assert stranger.get(COPY_URL).status_code == 404
    data = {"csrf_token": token, "slug": "stolen", "name_it": "x", "name_en": "x", "date": NEW_DATE}
    assert stranger.post(COPY_URL, data=data).status_code == 404
    assert count(Event, slug="stolen") == 0
    desk = signed_in(app, cities["other_desk"])
    assert desk.get("/un-altro-giorno/admin/event/copy").status_code == 403, "their event, not their role"


def test_the_copied_file_moves_only_the_dates_and_keeps_the_rest():
    text = (
        "slug: old\nname: {it: Vecchio, en: Old}\ndate: 2027-07-13\ntimezone: Europe/Rome\n"
        "registration:\n  opens: 2026-11-01 00:00\n  closes: 2027-07-12 23:59\n"
        "programme:\n  - time: '10:00'\n    title: Caffè\n"
    )
    copied = copied_file(
        text, "new", {"it": "Nuovo", "en": "New"}, date(2027, 9, 1), date(2027, 9, 1) - date(2027, 7, 13)
    )
    assert "slug: new" in copied and "date: 2027-09-01" in copied
    assert "opens: 2026-12-21 00:00" in copied and "closes: 2027-08-31 23:59" in copied
    assert "time: '10:00'" in copied and "Caffè" in copied, "times stay times, accents stay"


def test_in_a_browser_the_organiser_copies_the_event_from_its_event_file_page(live_server, page):
    staff_account("org@example.org", "Org Brescia", PASSWORD, Role.ADMIN)
    page.goto(f"{live_server.url}/staff/login")
    page.locator("#email").fill("org@example.org")
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.goto(f"{live_server.url}{SOURCE}/admin/event/")
    page.get_by_role("link", name="Copia questo evento").click()
    page.get_by_label("Indirizzo del nuovo evento").fill("brescia-2028")
    page.get_by_label("Nome in Italiano").fill("Brescia Città del Noi compie due anni")
    page.get_by_label("Nome in English").fill("Brescia Città del Noi turns two")
    page.get_by_label("Data del nuovo evento").fill(NEW_DATE)
    page.get_by_role("button", name="Crea la copia").click()
    expect(page).to_have_url(f"{live_server.url}/brescia-2028/admin/event/")
    expect(page.get_by_text("Brescia Città del Noi compie due anni è stato creato")).to_be_visible()
