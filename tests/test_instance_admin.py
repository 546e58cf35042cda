"""The instance page (/instance/): an instance administrator creates organiser groups, loads
their events from a file and gives them organisers, who are invited by e-mail and then see
only their own events. Nobody else opens any of it."""

import io
import re

import pytest
from conftest import MOCA, PASSWORD, csrf_from, signed_in, staff_account
from helpers import other_event_file
from sqlalchemy import func, select

from app.events import organisers
from app.events.copying import load_new_event
from app.extensions import db
from app.models import Event, EventFile, EventMembership, Organiser, OutboxMessage, Role, User
from app.staff.services import create_user

URL = "/instance/"


@pytest.fixture
def boss(app):
    return create_user("boss@example.org", "Boss", PASSWORD, Role.ADMIN, instance_admin=True)


@pytest.fixture
def instance(app, boss):
    client = signed_in(app, boss)
    client.get("/lang/en")
    return client


def post(client, path, data, files=None):
    token = csrf_from(client.get(URL).get_data(as_text=True))
    body = {"csrf_token": token, **data}
    if files:
        for name, (content, filename) in files.items():
            data_bytes = content.encode("utf-8") if isinstance(content, str) else content
            body[name] = (io.BytesIO(data_bytes), filename)
        return client.post(path, data=body, content_type="multipart/form-data")
    return client.post(path, data=body)


def new_group(client, name, slug=""):
    return post(client, "/instance/groups", {"group_name": name, "group_slug": slug})


def new_event(client, group, text, filename="altrove.yaml"):
    return post(
        client, "/instance/events", {"event_group": str(group.id)}, files={"event_file": (text, filename)}
    )


def give_organiser(client, event, email, name="Olga Altrove", language="it"):
    data = {
        "organiser_event": str(event.id),
        "organiser_name": name,
        "organiser_email": email,
        "organiser_language": language,
    }
    return post(client, "/instance/organisers", data)


def group_named(name) -> Organiser:
    return db.session.scalars(select(Organiser).filter_by(name=name)).one()


def count(model, **where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).filter_by(**where))


def test_a_group_its_event_and_its_invited_organiser_who_sees_only_that_event(app, event, instance):
    assert new_group(instance, "Comune di Altrove").status_code == 302
    group = group_named("Comune di Altrove")
    assert group.slug == "comune-di-altrove", "made from the name"

    answer = new_event(instance, group, other_event_file())
    assert answer.status_code == 302
    page = instance.get(URL).get_data(as_text=True)
    assert "Another day of the Noi is loaded in the group Comune di Altrove." in page
    other = db.session.scalars(select(Event).filter_by(slug="un-altro-giorno")).one()
    assert other.organiser_id == group.id
    assert (
        db.session.scalars(select(EventFile).filter_by(event_id=other.id)).one().loaded_by
        == "boss@example.org"
    )
    section = page[page.index(f'id="group-{group.id}"') :]
    assert 'href="/un-altro-giorno/admin/"' in section.split("</section>")[0], "its event is listed, linked"

    answer = give_organiser(instance, other, "Olga@Example.org")
    assert answer.status_code == 302
    assert "Invitation sent to olga@example.org" in instance.get(URL).get_data(as_text=True)
    olga = db.session.scalars(select(User).filter_by(email="olga@example.org")).one()
    assert (olga.role, olga.organiser_id, olga.instance_admin) == (Role.ADMIN, group.id, False)

    [mail] = db.session.scalars(select(OutboxMessage).filter_by(recipient="olga@example.org")).all()
    assert "Another day of the Noi" in mail.body_text or "Un altro giorno" in mail.body_text, "that event's"
    link = re.search(r"(\S+/staff/password/\S+)", mail.body_text).group(1)
    assert link.startswith("http://localhost/staff/password/"), "from PUBLIC_URL"

    browser = app.test_client()
    path = link.removeprefix("http://localhost")
    token = csrf_from(browser.get(path).get_data(as_text=True))
    chosen = browser.post(path, data={"csrf_token": token, "password": PASSWORD, "confirm": PASSWORD})
    assert chosen.status_code == 302
    mine = browser.get("/staff/").get_data(as_text=True)
    assert "Un altro giorno del Noi" in mine and "Brescia Città del Noi compie un anno" not in mine
    assert browser.get("/un-altro-giorno/admin/").status_code == 200
    assert browser.get("/brescia-citta-del-noi/admin/").status_code == 404, "another group's event"
    assert browser.get(URL).status_code == 403


def test_the_page_lists_each_group_with_its_events_and_accounts(app, event, instance):
    staff_account("desk.brescia@example.org", "Dario Desk", PASSWORD, Role.DESK, [event])
    page = instance.get(URL).get_data(as_text=True)
    assert event.organiser_group.name in page and "Brescia Città del Noi turns one" in page
    assert "Dario Desk · desk.brescia@example.org · Check-in desk" in page
    assert "boss@example.org" not in page, "instance administrators belong to no group"


def instance_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("instance_admin."):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.rule, method


def test_nobody_but_instance_administrators_opens_any_instance_route(app, event, make_staff):
    routes = list(instance_routes(app))
    assert ("/instance/groups", "POST") in routes and ("/instance/", "GET") in routes
    organiser = make_staff(Role.ADMIN)[1]
    token = csrf_from(organiser.get("/staff/login").get_data(as_text=True))
    anonymous = app.test_client()
    for path, method in routes:
        answer = organiser.open(path, method=method, data={"csrf_token": token, "group_name": "Sneaky"})
        assert answer.status_code == 403, f"{method} {path}"
        assert anonymous.open(path, method=method).status_code in (302, 400), f"anonymous {method} {path}"
    assert count(Organiser, name="Sneaky") == 0


def test_a_taken_group_slug_is_a_form_error_and_what_was_typed_stays(event, instance):
    taken = event.organiser_group.slug
    answer = new_group(instance, "Un nome qualsiasi", slug=taken)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert f"A group with the short name {taken} exists already." in page
    assert 'value="Un nome qualsiasi"' in page
    assert count(Organiser) == 1


def test_a_file_for_an_existing_event_is_refused_and_that_event_is_untouched(event, instance):
    group = organisers.create_group("Comune di Altrove")
    db.session.commit()
    edited = MOCA.read_text(encoding="utf-8").replace("capacity: 400", "capacity: 5")
    answer = new_event(instance, group, edited)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "The file was not loaded, and nothing has changed" in page
    assert "line 6" in page and "update it from that event&#39;s Event file page" in page
    db.session.expire_all()
    assert (event.capacity, event.organiser_id) == (400, event.organiser_group.id)
    assert event.organiser_id != group.id, "it stays in its own group"
    assert count(EventFile, event_id=event.id) == 1
    assert count(Event) == 1


def test_a_bad_file_is_listed_with_its_lines_in_the_readers_language(event, instance):
    group = event.organiser_group
    bad = other_event_file().replace("capacity: 400", "capacity: lots")
    page = new_event(instance, group, bad).get_data(as_text=True)
    assert "capacity" in page and "lots" in page and "line " in page
    instance.get("/lang/it")
    page = new_event(instance, group, bad).get_data(as_text=True)
    assert "Il file non è stato caricato" in page or "non è stato caricato" in page
    not_utf8 = new_event(instance, group, "slug: caffè\n".encode("latin-1"))
    assert not_utf8.status_code == 200 and "UTF-8" in not_utf8.get_data(as_text=True)
    assert count(Event) == 1


def test_an_account_of_the_group_is_given_the_event_and_one_of_another_group_is_refused(app, event, instance):
    other_group = organisers.create_group("Comune di Altrove")
    db.session.commit()
    new_event(instance, other_group, other_event_file())
    other = db.session.scalars(select(Event).filter_by(slug="un-altro-giorno")).one()
    brescia = staff_account("org.brescia@example.org", "Org Brescia", PASSWORD, Role.ADMIN, [event])

    refused = give_organiser(instance, other, "org.brescia@example.org", name="Org Brescia")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "another organiser group" in page
    assert 'value="org.brescia@example.org"' in page, "what was typed stays"
    assert count(EventMembership, user_id=brescia.id) == 1

    second = load_second_brescia_event(event)
    answer = give_organiser(instance, second, "org.brescia@example.org")
    assert answer.status_code == 302
    assert "has an account of this group already" in instance.get(URL).get_data(as_text=True)
    assert count(EventMembership, user_id=brescia.id, event_id=second.id) == 1
    assert count(OutboxMessage, recipient="org.brescia@example.org") == 0, "no new invitation"


def load_second_brescia_event(event):
    text = other_event_file().replace("slug: un-altro-giorno", "slug: brescia-bis")
    return load_new_event(text, "bis.yaml", "test", event.organiser_group)
