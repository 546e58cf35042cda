"""Many events on one instance: each at its own address, with its own organisers.

Two cities: the MO.CA day (Brescia's group) and another day run by another organiser group.
Each serves its own pages and registrations; a badge of one is refused at the other's desk;
an organiser of one city gets 404 for every staff address of the other; links from before
events had their own address still lead to the right event.
"""

import uuid

import pytest
from conftest import MOCA, PASSWORD, csrf_from, signed_in, staff_account
from helpers import form_fields, other_event_file, register_someone
from sqlalchemy import func, select
from test_authorisation import allowed_for

from app.checkin.badges import badge_token
from app.checkin.desks import create_desk_device
from app.events import organisers
from app.events.event_file import EventFileError, parse_event_file
from app.events.services import load_event
from app.extensions import db
from app.models import Attendee, CheckIn, Event, EventMembership, Role, User
from app.registration.tokens import manage_token
from app.staff.services import UserError, create_user, give_event

MOCA_URL = "/brescia-citta-del-noi"
OTHER_URL = "/un-altro-giorno"


@pytest.fixture
def cities(app, event):
    """The MO.CA day in its group, and another day in another city's group, each with its
    organiser, desk staff and desk device."""
    elsewhere = organisers.create_group("Comune di Altrove")
    other = load_event(other_event_file(), "altrove.yaml", organiser=elsewhere)
    other.registration_opens_at = other.registration_closes_at = None
    db.session.commit()
    return {
        "moca": event,
        "other": other,
        "moca_admin": staff_account("org.brescia@example.org", "Org Brescia", PASSWORD, Role.ADMIN, [event]),
        "other_admin": staff_account("org.altrove@example.org", "Org Altrove", PASSWORD, Role.ADMIN, [other]),
        "other_desk": staff_account("desk.altrove@example.org", "Desk Altrove", PASSWORD, Role.DESK, [other]),
        "moca_device": create_desk_device(event, "Banco Brescia")[1],
        "other_device": create_desk_device(other, "Banco Altrove")[1],
    }


def register_at(client, base: str, event, **fields):
    page = client.get(f"{base}/register").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), **form_fields(event, **fields)}
    return client.post(f"{base}/register", data=data)


def test_two_events_are_served_side_by_side_each_with_its_own_pages_and_registrations(client, cities):
    moca, other = cities["moca"], cities["other"]
    moca_home = client.get(f"{MOCA_URL}/").get_data(as_text=True)
    other_home = client.get(f"{OTHER_URL}/").get_data(as_text=True)
    assert "Brescia Città del Noi compie un anno" in moca_home and "Un altro giorno del Noi" not in moca_home
    assert "Un altro giorno del Noi" in other_home and "compie un anno" not in other_home
    assert f'href="{OTHER_URL}/register"' in other_home, "its links stay in its own address"

    listing = client.get("/").get_data(as_text=True)  # the instance lists both, by date
    assert listing.index("Un altro giorno del Noi") < listing.index("Brescia Città del Noi compie un anno")

    answer = register_at(client, OTHER_URL, other, first_name="Altea", email="altea@example.org")
    assert answer.status_code == 302 and answer.headers["Location"].startswith(f"{OTHER_URL}/r/")
    person = db.session.scalars(select(Attendee).filter_by(email="altea@example.org")).one()
    assert person.event_id == other.id
    register_at(client, MOCA_URL, moca, first_name="Bruna", email="altea@example.org")
    assert db.session.scalar(select(func.count()).select_from(Attendee).filter_by(event_id=moca.id)) == 1, (
        "one address registers once per event, not once per instance"
    )


def test_a_badge_of_one_event_scanned_at_the_other_events_desk_is_refused_as_other_event(client, cities):
    person = register_someone(cities["moca"])
    answer = client.post(
        "/api/v1/scan?lang=en",
        json={"code": badge_token(person), "request_id": str(uuid.uuid4())},
        headers={"Authorization": f"Bearer {cities['other_device']}"},
    ).get_json()
    assert (answer["result"], answer["reason"]) == ("red", "other_event")
    assert "another event" in answer["message"]
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0
    at_home = client.post(
        "/api/v1/scan?lang=en",
        json={"code": badge_token(person), "request_id": str(uuid.uuid4())},
        headers={"Authorization": f"Bearer {cities['moca_device']}"},
    ).get_json()
    assert at_home["result"] == "green", "the same badge at its own event's desk"


def event_routes(app):
    """Every route of an event's staff pages: (rule, method), those anonymous visitors may
    not open (the public pages are public for every event)."""
    for rule in app.url_map.iter_rules():
        if "event_slug" not in rule.arguments or "anonymous" in allowed_for(rule.endpoint):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_staff_of_one_city_get_404_for_every_staff_address_of_the_other(app, cities):
    other, moca = cities["other"], cities["moca"]
    # Real ids of the other city's event wherever a route takes one: the refusal is the
    # event's, before any id is looked at.
    foreign = register_someone(other)
    ids = {"table_id": other.tables[0].id, "attendee_id": foreign.id, "round": 1}
    visitors = {
        "moca organiser": (signed_in(app, cities["moca_admin"]), other),
        "other organiser": (signed_in(app, cities["other_admin"]), moca),
        "other desk": (signed_in(app, cities["other_desk"]), moca),
    }
    checked, wrong = 0, []
    for name, (client, elsewhere) in visitors.items():
        token = csrf_from(client.get("/staff/login").get_data(as_text=True))
        for rule, method in event_routes(app):
            values = {argument: ids.get(argument, 1) for argument in rule.arguments}
            values["event_slug"] = elsewhere.slug
            if "filename" in values:
                values["filename"] = "x"
            path = rule.build(values)[1]
            if method == "GET":
                status = client.get(path).status_code
            else:
                status = client.post(
                    path, data={"csrf_token": token}, headers={"X-CSRFToken": token}
                ).status_code
            if status != 404:
                wrong.append(f"{name} {method} {path}: {status}")
            checked += 1
    assert not wrong, "\n".join(wrong)
    assert checked > 150
    # Their own event's pages stay theirs.
    assert signed_in(app, cities["other_admin"]).get(f"{OTHER_URL}/admin/").status_code == 200
    assert signed_in(app, cities["other_desk"]).get(f"{OTHER_URL}/admin/").status_code == 403, (
        "wrong role: 403"
    )


def test_the_staff_list_and_the_instance_pages_show_only_what_is_theirs(app, cities):
    organiser = signed_in(app, cities["other_admin"])
    mine = organiser.get("/staff/").get_data(as_text=True)
    assert "Un altro giorno del Noi" in mine and "compie un anno" not in mine
    assert organiser.get("/instance/").status_code == 403, "organisers do not run the instance"
    staff_page = organiser.get(f"{OTHER_URL}/admin/staff/").get_data(as_text=True)
    assert "desk.altrove@example.org" in staff_page and "org.brescia@example.org" not in staff_page

    boss = create_user("boss@example.org", "Boss", PASSWORD, Role.ADMIN, instance_admin=True)
    instance = signed_in(app, boss).get("/instance/").get_data(as_text=True)
    assert "Comune di Altrove" in instance and "Un altro giorno del Noi" in instance
    assert signed_in(app, boss).get(f"{MOCA_URL}/admin/").status_code == 200, "every event"


def test_sign_in_opens_ones_only_event_else_the_list_of_ones_events(app, client, cities):
    page = client.get("/staff/login").get_data(as_text=True)
    answer = client.post(
        "/staff/login",
        data={"csrf_token": csrf_from(page), "email": "desk.altrove@example.org", "password": PASSWORD},
    )
    assert answer.headers["Location"] == f"{OTHER_URL}/desk/"
    colleague = staff_account("both@example.org", "Both", PASSWORD, Role.ADMIN, [cities["moca"]])
    with pytest.raises(UserError):
        give_event(colleague, cities["other"])  # another city's event: not by this account
    # Loaded without a group, among several: the group named as the file's organiser.
    second = load_event(other_event_file().replace("un-altro-giorno", "un-terzo-giorno"), "third.yaml")
    assert second.organiser_id == cities["moca"].organiser_id
    assert give_event(colleague, second)
    db.session.commit()
    other_client = app.test_client()
    page = other_client.get("/staff/login").get_data(as_text=True)
    answer = other_client.post(
        "/staff/login",
        data={"csrf_token": csrf_from(page), "email": "both@example.org", "password": PASSWORD},
    )
    assert answer.headers["Location"] == "/staff/"
    listing = other_client.get("/staff/").get_data(as_text=True)
    assert f'href="{MOCA_URL}/admin/"' in listing and 'href="/un-terzo-giorno/admin/"' in listing


def test_a_personal_link_or_certificate_of_one_event_is_404_under_the_others_address(client, cities):
    person = register_someone(cities["moca"])
    token = manage_token(person)
    assert client.get(f"{MOCA_URL}/r/{token}").status_code == 200
    assert client.get(f"{OTHER_URL}/r/{token}").status_code == 404
    assert client.get(f"{OTHER_URL}/r/{token}/badge.pdf").status_code == 404


def test_links_from_before_events_had_their_own_address_still_lead_to_the_right_event(client, cities):
    """Badges and e-mails already sent carry /r/<token>, /register...: a permanent redirect
    (308: a POST stays a POST) to the event the token names, else the default event."""
    moca_person, other_person = register_someone(cities["moca"]), register_someone(cities["other"])
    for old, new in [
        ("/register", f"{MOCA_URL}/register"),
        ("/register?lang=en", f"{MOCA_URL}/register?lang=en"),
        ("/admin/", f"{MOCA_URL}/admin/"),
        ("/admin", f"{MOCA_URL}/admin/"),
        (f"/r/{manage_token(moca_person)}", f"{MOCA_URL}/r/{manage_token(moca_person)}"),
        (f"/r/{manage_token(other_person)}/edit", f"{OTHER_URL}/r/{manage_token(other_person)}/edit"),
    ]:
        answer = client.get(old)
        assert (answer.status_code, answer.headers.get("Location")) == (308, new), old
    posted = client.post("/register", data={"first_name": "x"})
    assert (posted.status_code, posted.headers["Location"]) == (308, f"{MOCA_URL}/register")
    assert client.get("/no-such-page").status_code == 404
    assert client.get(f"{MOCA_URL}/no-such-page").status_code == 404, "no loop inside an event"


def test_with_a_single_event_the_home_opens_it(client, event):
    answer = client.get("/")
    assert (answer.status_code, answer.headers["Location"]) == (302, f"{MOCA_URL}/")


def test_loading_a_file_changes_only_its_own_event(cities):
    moca, other = cities["moca"], cities["other"]
    load_event(other_event_file().replace("Un altro giorno del Noi", "Un altro giorno, rinominato"), "b.yaml")
    db.session.expire_all()
    assert other.name["it"] == "Un altro giorno, rinominato"
    assert moca.name["it"] == "Brescia Città del Noi compie un anno"
    assert other.organiser_group.name == "Comune di Altrove", "an existing event stays in its group"


@pytest.mark.parametrize("slug", ["admin", "staff", "instance", "r", "api"])
def test_an_event_may_not_take_the_address_of_the_apps_own_pages(slug):
    text = MOCA.read_text(encoding="utf-8").replace("slug: brescia-citta-del-noi", f"slug: {slug}")
    with pytest.raises(EventFileError) as refused:
        parse_event_file(text, "x.yaml")
    assert "slug" in str(refused.value)


def test_the_command_line_makes_a_second_city_its_event_and_its_organisers(app, event, tmp_path):
    runner = app.test_cli_runner()
    path = tmp_path / "altrove.yaml"
    path.write_text(other_event_file(), encoding="utf-8")
    steps = [
        ["organiser", "create", "Comune di Altrove"],
        ["event", "load", str(path), "--organiser", "comune-di-altrove"],
        ["user", "create", "--email", "o@altrove.it", "--name", "O", "--password", PASSWORD,
         "--event", "un-altro-giorno"],
        ["organiser", "list"],
    ]  # fmt: skip
    outputs = []
    for args in steps:
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (args, result.output)
        outputs.append(result.output)
    assert "comune-di-altrove\tComune di Altrove\tun-altro-giorno" in outputs[-1]
    given = db.session.scalars(
        select(Event.slug).join(EventMembership, EventMembership.event_id == Event.id).join(User)
        .filter(User.email == "o@altrove.it")
    ).all()  # fmt: skip
    assert given == ["un-altro-giorno"]
    refused = runner.invoke(args=["user", "give", "--email", "o@altrove.it", "--event", event.slug])
    assert refused.exit_code != 0 and "another organiser group" in refused.output
    missing = runner.invoke(
        args=["user", "create", "--email", "n@x.it", "--name", "N", "--password", PASSWORD]
    )
    assert missing.exit_code != 0 and "--event" in missing.output


def test_an_organiser_gives_their_event_to_a_colleague_of_their_group_never_to_another_citys(
    app, cities, italian
):
    moca, other = cities["moca"], cities["other"]
    third = load_event(other_event_file().replace("un-altro-giorno", "un-terzo-giorno"), "third.yaml")
    colleague = staff_account("collega@example.org", "Collega", PASSWORD, Role.DESK, [third])
    organiser = signed_in(app, cities["moca_admin"])

    def invite(email):
        page = organiser.get(f"{MOCA_URL}/admin/staff/").get_data(as_text=True)
        data = {"csrf_token": csrf_from(page), "name": "X", "email": email, "role": "desk", "language": "it"}
        return organiser.post(f"{MOCA_URL}/admin/staff/", data=data, follow_redirects=True)

    given = invite("collega@example.org").get_data(as_text=True)
    assert "Collega" in given and third.organiser_id == moca.organiser_id
    assert db.session.scalar(
        select(func.count()).select_from(EventMembership).filter_by(user_id=colleague.id, event_id=moca.id)
    )
    refused = invite("desk.altrove@example.org").get_data(as_text=True)
    assert italian("A staff account with this e-mail address exists already.") in refused
    assert "Altrove" not in refused, "another city's account, event or group is not named"
    memberships = db.session.scalars(
        select(EventMembership.event_id).filter_by(user_id=cities["other_desk"].id)
    ).all()
    assert memberships == [other.id], "another city's account is not given the event"
