"""The authorisation matrix: every route, for anonymous visitors, each staff role and a desk
device, gets exactly the answer it should. A route missing from ACCESS fails the test, so a
new route cannot ship unchecked.

The world holds two events of two organiser groups (the MO.CA day, and another city's day), two
tables of the MO.CA day with a facilitator each, and a table of the other event with its
own facilitator; two groups registered together at the MO.CA day and one at the other event
(whose member is the other event's attendee); a lunch scan at each event's lunch point:
tests/test_reach.py sends each identity to the objects that are not theirs.
"""

import io

import pytest
from conftest import PASSWORD, csrf_from, signed_in, staff_account
from helpers import register_someone, registration_data, second_event
from sqlalchemy import select
from test_facilitators import facilitator_of, png_bytes, upload_dir  # noqa: F401

from app.checkin.badges import badge_token
from app.checkin.desks import create_desk_device
from app.checkin.points import point_named, scan_at_point
from app.checkin.services import check_in_attendee
from app.extensions import db
from app.facilitation import photos
from app.mail import announcements
from app.models import (
    Audience,
    Commitment,
    CommitmentOwner,
    EventFile,
    MessageStatus,
    OutboxMessage,
    PublishedPhoto,
    Role,
    TableFacilitator,
    TableOutcome,
    utcnow,
)
from app.registration.groups import Contact, register_group
from app.registration.tokens import group_token, manage_token
from app.results import commitments
from app.staff.services import create_user
from app.worldcafe import services as world_cafe

EVERYONE = {"anonymous", "admin", "desk", "facilitator", "device"}
STAFF_FACILITATORS = {"admin", "facilitator"}
# Who may use each route (endpoint -> identities). Anything not allowed is refused: anonymous
# visitors are sent to sign in, signed-in staff get 403, the API answers 401 without a token.
ACCESS = {
    "site.": EVERYONE,  # the instance's list of events, the language switch, the health check
    "public.": EVERYONE,
    "registration.": EVERYONE,
    "registration.group_": EVERYONE,  # a group's page and actions: whoever holds the contact's link
    "auth.login": EVERYONE,
    "auth.forgot_password": EVERYONE,
    "auth.choose_password": EVERYONE,
    "unsubscribe.": EVERYONE,  # an announcement's signed unsubscribe link (app/mail/unsubscribe_views.py)
    "auth.logout": {"admin", "desk", "facilitator"},
    "auth.events": {"admin", "desk", "facilitator"},  # one's own events
    "instance_admin.": {"instance"},  # the instance's own pages (groups, new events)
    "api.openapi": EVERYONE,
    "api.": {"device"},
    "api.undo_point_scan": {"device"},  # a desk's own event's point scan, by its device token only
    "admin.": {"admin"},
    "admin_desks.": {"admin"},
    "admin_assignment.": {"admin"},
    "admin_announcements.": {"admin"},
    "admin_staff.": {"admin"},
    "admin_event.": {"admin"},
    "admin_facilitators.": {"admin"},
    "admin_report.": {"admin"},
    "desk.": {"admin", "desk"},
    "desk.admit_over_capacity": {"admin"},  # an organiser's override at a full event
    "arrivals.": {"admin", "desk"},
    "facilitators.": STAFF_FACILITATORS,
    "synthesis.": STAFF_FACILITATORS,
    # The day's results, shared (app/results): public pages and files, and the organisers' side.
    "results.": EVERYONE,
    "commitments.": EVERYONE,
    "open_data.": EVERYONE,
    "feedback.": EVERYONE,  # the questionnaire behind each person's signed link
    "admin_outcomes.": {"admin"},
    "admin_commitments.": {"admin"},
    "admin_figures.": {"admin"},
    "admin_feedback.": {"admin"},
}
# A group's page and its actions, under the contact's link (a group token, not a person's).
GROUP_PAGES = "registration.group_"
# Routes whose sample the world makes real (a group's own link and member, the desk's own point
# scan): those let in are answered, never 404, or the matrix would check a page of no one.
REAL_SAMPLES = (GROUP_PAGES, "registration.register_group_page", "api.undo_point_scan")
# Routes that end a session or destroy their sample: checked last.
LAST = (
    "auth.logout",
    "registration.delete",
    "registration.cancel",
    "admin_desks.revoke_desk",
    "admin.cancel_for_them",
)


def allowed_for(endpoint: str) -> set[str]:
    """Who may use the route; an instance administrator ("instance") wherever an admin may."""
    matches = [key for key in ACCESS if endpoint == key or (key.endswith(".") and endpoint.startswith(key))]
    assert matches, f"route {endpoint} is not in the authorisation matrix"
    allowed = ACCESS[max(matches, key=len)]
    return allowed | {"instance"} if "admin" in allowed else allowed


def _announce(event, subject: str):
    text = announcements.AnnouncementText(subject={"it": subject}, body={"it": "Testo."})
    return announcements.send(event, Audience.CONFIRMED, text, f"request-{event.slug}", "admin@example.org")


def _fail_messages_of(announcement) -> None:
    """Its messages gave up: the retry button would queue them again."""
    for message in db.session.scalars(select(OutboxMessage).filter_by(announcement_id=announcement.id)):
        message.status = MessageStatus.FAILED
    db.session.commit()


def _first_message_of(attendee) -> OutboxMessage:
    return db.session.scalars(select(OutboxMessage).filter_by(attendee_id=attendee.id)).first()


def _file_of(event) -> EventFile:
    return db.session.scalars(select(EventFile).filter_by(event_id=event.id)).first()


def _commitment(table) -> Commitment:
    """A commitment of the table, and the table's outcomes published (so it is public)."""
    db.session.add(TableOutcome(event_id=table.event_id, cafe_table_id=table.id, text={"it": "Esiti."},
                                published_at=utcnow(), updated_by="admin@example.org"))  # fmt: skip
    commitment = commitments.create_commitment(
        table,
        {"it": "Uno sportello in più."},
        commitments.Owner(CommitmentOwner.CITY, "Comune"),
        None,
        "test",
    )
    db.session.commit()
    return commitment


def _lunch_scan(event, attendee, device, request_id):
    """The attendee scanned at the event's lunch point (app/checkin/points.py)."""
    outcome = scan_at_point(event, point_named(event, "lunch"), badge_token(attendee), device, request_id)
    assert outcome.scan is not None, outcome.result
    return outcome.scan


def registered_group(event, people: int = 1):
    contact = Contact(name="Anna Rossi", email="anna@auser.example.org")
    return register_group(event, contact, [registration_data(event) for _ in range(people)])


def group_values(group) -> dict:
    """A group page's URL values: the contact's link, and one of the group's people."""
    return {"token": group_token(group), "attendee_id": group.members[0].id}


def _published_photo(photo) -> PublishedPhoto:
    picked = PublishedPhoto(photo_id=photo.id, picked_by="admin@example.org")
    db.session.add(picked)
    db.session.commit()
    return picked


@pytest.fixture(name="world")
def world_fixture(app, event, make_staff, upload_dir):  # noqa: F811
    """Each identity's own objects (``ids``) and the ones that are not theirs: ``other_table``
    (the MO.CA day's second table) and ``other_event`` (every object of the other event)."""
    table, table_b = event.tables[0], event.tables[1]
    other = second_event()
    other_table = other.tables[0]
    attendee = register_someone(event, table_ids=[table.id])
    neighbour = register_someone(event, table_ids=[table_b.id])  # seated at table B
    group = registered_group(event, people=2)
    other_group = registered_group(event)  # another group of the MO.CA day: not the first's
    elsewhere_group = registered_group(other)
    stranger = elsewhere_group.members[0]  # the other event's attendee, in a group there
    run = world_cafe.run_assignment(event, "admin@example.org")
    world_cafe.publish(run, "admin@example.org")
    draft = world_cafe.run_assignment(event, "admin@example.org")  # people can still be moved
    other_run = world_cafe.run_assignment(other, "admin@example.org")  # a draft: publishing shows
    device, token = create_desk_device(event, "Desk 1")
    other_device, _ = create_desk_device(other, "Desk 1")
    check_in = check_in_attendee(event, attendee.id, device, "r-1").check_in
    other_check_in = check_in_attendee(other, stranger.id, other_device, "r-2").check_in
    scan = _lunch_scan(event, attendee, device, "p-1")
    other_scan = _lunch_scan(other, stranger, other_device, "p-2")
    photo, photo_b, other_photo = (
        photos.save_photo(t, 1, io.BytesIO(png_bytes()), "", "test").photo
        for t in (table, table_b, other_table)
    )
    commitment, other_commitment = (_commitment(t) for t in (table, other_table))
    published, other_published = (_published_photo(p) for p in (photo, other_photo))
    announcement = _announce(event, "Avviso")
    other_announcement = _announce(other, "Avviso dell'altro giorno")
    _fail_messages_of(other_announcement)
    stranger_message = _first_message_of(stranger)
    stranger_message.status = MessageStatus.FAILED
    db.session.commit()

    clients = {"anonymous": app.test_client(), "device": app.test_client()}
    for role in (Role.ADMIN, Role.DESK):
        clients[role.value] = make_staff(role)[1]
    facilitator, clients["facilitator"] = facilitator_of(make_staff, table)
    instance_admin = create_user(
        "instance@example.org", "Instance", PASSWORD, Role.ADMIN, instance_admin=True
    )
    clients["instance"] = signed_in(app, instance_admin)
    # Table B's and the other event's facilitators; the staff pages' actions act on the first
    # (never on the admin's own account).
    colleague = staff_account("facilitatrice.b@example.org", "Facilitatrice B", PASSWORD, Role.FACILITATOR)
    elsewhere = staff_account(
        "altro@example.org", "Facilitatore altrove", PASSWORD, Role.FACILITATOR, events=[other]
    )
    db.session.add(TableFacilitator(cafe_table_id=table_b.id, user_id=colleague.id))
    db.session.add(TableFacilitator(cafe_table_id=other_table.id, user_id=elsewhere.id))
    db.session.commit()
    tokens = {name: csrf_from(c.get("/staff/login").get_data(as_text=True)) for name, c in clients.items()}
    ids = {
        "event_slug": event.slug, "attendee_id": attendee.id, "run_id": draft.id, "device_id": device.id,
        "message_id": _first_message_of(attendee).id, "table_id": table.id, "user_id": colleague.id,
        "round": 1, "photo_id": photo.id, "check_in_id": check_in.id, "code": "en",
        "filename": "static.css", "announcement_id": announcement.id, "file_id": _file_of(event).id,
        "commitment_id": commitment.id, "published_id": published.id, "sending": "questionnaire",
        "dataset": "figures", "fmt": "csv", "scan_id": scan.id,
    }  # fmt: skip
    return {
        "event": event,
        "other": other,
        "clients": clients,
        "tokens": tokens,
        "ids": ids,
        "device_token": token,
        "facilitator_id": facilitator.id,
        "group": group_values(group),  # what a group's page takes in place of ids' token and attendee
        "other_group": {"attendee_id": other_group.members[0].id},
        "other_table": {"table_id": table_b.id, "photo_id": photo_b.id, "attendee_id": neighbour.id},
        "other_event": {
            "attendee_id": stranger.id,
            "run_id": other_run.id,
            "device_id": other_device.id,
            "message_id": stranger_message.id,
            "table_id": other_table.id,
            "photo_id": other_photo.id,
            "check_in_id": other_check_in.id,
            "announcement_id": other_announcement.id,
            "file_id": _file_of(other).id,
            "commitment_id": other_commitment.id,
            "published_id": other_published.id,
            "user_id": elsewhere.id,
            "scan_id": other_scan.id,
            "token": group_token(elsewhere_group),  # a group's link of the other event
        },  # fmt: skip
    }


def routes(app, ids):
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule, method))
    return sorted(found, key=lambda item: (item[0].endpoint in LAST, item[0].endpoint, item[1]))


def call(world, identity, rule, method):
    event = world["event"]
    values = dict(world["ids"])
    if rule.endpoint.startswith(GROUP_PAGES):  # a fresh group: cancelling its member spoils no other
        values.update(group_values(registered_group(event)))
    elif "token" in rule.arguments:  # a fresh attendee: cancelling or deleting one spoils no other check
        values["token"] = manage_token(register_someone(event))
    path = rule.build({name: values[name] for name in rule.arguments})[1]
    client = world["clients"][identity]
    headers = {"Authorization": f"Bearer {world['device_token']}"} if identity == "device" else {}
    if method == "GET":
        return client.get(path, headers=headers)
    token = world["tokens"][identity]
    if rule.endpoint.startswith("api.") or path.endswith(("/scan", "/attendance")) or "/notes/" in path:
        return client.post(path, json={}, headers={**headers, "X-CSRFToken": token})
    return client.post(path, data={"csrf_token": token}, headers=headers)


def test_every_route_answers_each_identity_as_the_matrix_says(app, world):
    checked = 0
    for rule, method in routes(app, world["ids"]):
        allowed = allowed_for(rule.endpoint)
        for identity in ("anonymous", "desk", "facilitator", "device", "admin", "instance"):
            response = call(world, identity, rule, method)
            label = (method, rule.rule, identity, response.status_code)
            location = response.headers.get("Location", "")
            to_login = response.status_code == 302 and "/staff/login?next=" in location
            if identity in allowed:
                if rule.endpoint.startswith(REAL_SAMPLES):
                    assert response.status_code != 404, label
                assert response.status_code not in (401, 403) and not to_login, label
            elif rule.endpoint.startswith("api."):
                assert response.status_code == 401, label
            elif identity in ("anonymous", "device"):
                assert to_login, label
            else:
                assert response.status_code == 403, label
            checked += 1
    assert checked > 300
