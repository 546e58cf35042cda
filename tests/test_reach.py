"""Reach across tables and events: every route and JSON endpoint, sent by each identity the
matrix lets in (tests/test_authorisation.py) with the id of an object that is not theirs
(table B's for table A's facilitator; another group's member for a group's page; the other
event's for everyone, since the app serves one event), is refused and changes nothing.

The URL cases are generated from the url_map: every id argument of every route is tried
with the other table's and the other event's objects, so a new route cannot ship
unchecked; the few arguments and routes that legitimately take any id are listed below,
each with the reason. Ids in request bodies are listed per route, and every POST route
must say whether its body carries ids.
"""

import io
import itertools

from helpers import database_state, form_fields, part_ids
from sqlalchemy import select
from test_authorisation import GROUP_PAGES, allowed_for, routes, world_fixture  # noqa: F401
from test_facilitators import png_bytes, upload_dir  # noqa: F401

from app.checkin.badges import badge_token
from app.extensions import db
from app.facilitation import notes
from app.models import Attendee, CafeTable, CheckIn, Event, NoteRevision, PointScan, TableFacilitator
from app.registration.tokens import manage_token

# Which of the world's objects each identity tries that are not its own.
REACHES = {
    "anonymous": ("other_group", "other_event"),  # a group's contact holds a link, no account
    "facilitator": ("other_table", "other_event"),
    "admin": ("other_event",),
    "desk": ("other_event",),
    "device": ("other_event",),
}
# Reaches that only some routes have: another group of the same event is no one's to reach
# from a group's page (staff may see every group of their event).
REACH_ROUTES = {"other_group": GROUP_PAGES}
# URL arguments that are not an object of one event or one table.
NOT_SCOPED = {
    # A group's link is the exception: it names a group of one event, and is tried with the
    # other event's group's (scoped_arguments).
    "token": "a personal or password link: signed, it names its own attendee or account",
    "code": "a language code, or a certificate's signed code",
    "filename": "the static files",
    "round": "a round number: checked against the table's own event (404 when it has none)",
    "event_slug": "the event itself: the world's staff are given the MO.CA day only, and"
    " tests/test_many_events.py sends every identity to the other event's addresses",
    "sending": "which e-mail of the questionnaire: the first or the reminder",
    "dataset": "the name of an open data file (figures, outcomes, commitments)",
    "fmt": "the open data file's format (the route's default, never typed)",
}
# Routes that legitimately take another event's object: (endpoint prefix, argument) -> who.
MAY_REACH = {
    # Admins work at every table (app.facilitation.facilitators.may_facilitate), and a table's pages
    # work on that table's own event.
    ("facilitators.", "table_id"): {"admin"},
}
JSON_ROUTES = ("api.", "facilitators.mark_attendance", "facilitators.scan_badge", "facilitators.save_notes")
_save_ids = itertools.count(1)


def may_reach(endpoint: str, argument: str, identity: str) -> bool:
    return any(
        endpoint.startswith(prefix) and argument == name and identity in who
        for (prefix, name), who in MAY_REACH.items()
    )


def scoped_arguments(rule) -> list[str]:
    """The route's URL arguments that name an object of one event, table or group."""
    arguments = rule.arguments - NOT_SCOPED.keys()
    return sorted(arguments | {"token"} if rule.endpoint.startswith(GROUP_PAGES) else arguments)


def own_values(world, rule) -> dict:
    """The sender's own objects in the route's URL: a person's link is the world's attendee's;
    a group's page takes the world's group's link and member."""
    values = dict(world["ids"])
    values["token"] = manage_token(db.session.get(Attendee, values["attendee_id"]))
    if rule.endpoint.startswith(GROUP_PAGES):
        values.update(world["group"])
    return values


def group_row(event, **overrides) -> dict:
    """The group form's first row, filled as a contact fills it (the whole day, a first choice)."""
    n = next(_save_ids)
    row = {
        "first_name": "Lucia",
        "last_name": f"Verdi {n}",
        "email": f"lucia.reach.{n}@example.org",
        "participant_type": "network_member",
        "day_parts": [str(i) for i in part_ids(event)],
        "choice_1": str(event.tables[0].id),
        **overrides,
    }
    return {f"members-0-{key}": value for key, value in row.items() if value is not None}


def group_form(event, **overrides) -> dict:
    contact = {"contact_name": "Anna Rossi", "contact_email": "anna@auser.example.org", "language": "it"}
    return {**contact, "consent_privacy": "y", **group_row(event, **overrides)}


def well_formed_body(endpoint: str, values: dict) -> dict:
    """What the page itself sends, complete: a route that forgot its check would act on it."""
    attendee = db.session.get(Attendee, values["attendee_id"])
    event = db.session.scalars(select(Event).filter_by(slug=values["event_slug"])).one()
    bodies = {
        "admin.attendee": lambda: {"pinned_table_id": "0", "needs_accessible_table": "y"},
        "admin.cancel_for_them": lambda: {"confirm": "y"},
        "admin.reissue_badge": lambda: {"badge_version": str(attendee.badge_version)},
        "admin_assignment.run": lambda: {
            "person": attendee.full_name,
            "table_id": str(values["table_id"]),
        },
        "facilitators.mark_attendance": lambda: {"attendee_id": attendee.id, "round": 1, "present": True},
        "facilitators.scan_badge": lambda: {"code": badge_token(attendee), "round": 1},
        "facilitators.save_notes": lambda: {
            "insights": "scritto da fuori",
            "base_version": 0,
            "save_id": f"reach-save-{next(_save_ids)}",
        },
        "facilitators.photos_page": lambda: {"round": "1", "photo": (io.BytesIO(png_bytes()), "p.png")},
        "api.check_in": lambda: {"attendee_id": attendee.id},
        "api.scan": lambda: {"code": badge_token(attendee)},
        "api.reinstate": lambda: {"request_id": f"reach-{next(_save_ids)}", "reason": "came anyway"},
        "registration.register_group_page": lambda: group_form(event),
        "registration.group_add": lambda: group_row(event),
    }
    return bodies[endpoint]() if endpoint in bodies else {}


def send(world, identity, endpoint, method, path, body):
    """The request, as the page sends it (JSON or a form, with the CSRF token)."""
    client = world["clients"][identity]
    headers = {"Authorization": f"Bearer {world['device_token']}"} if identity == "device" else {}
    if method == "GET":
        return client.get(path, headers=headers)
    token = world["tokens"][identity]
    if endpoint.startswith(JSON_ROUTES):
        return client.post(path, json=body, headers={**headers, "X-CSRFToken": token})
    return client.post(
        path, data={"csrf_token": token, **body}, headers=headers, content_type="multipart/form-data"
    )


def status_of(request, *args):
    """The answer's status; an exception (a 500 in production) is reported, not raised, so
    that one run lists every route that goes wrong."""
    try:
        return request(*args).status_code
    except Exception as error:  # noqa: BLE001
        db.session.rollback()
        return f"500 ({type(error).__name__}: {str(error)[:80]})"


def url_cases(app, world):
    """(identity, endpoint, method, path, body, label) for every id argument of every route
    the identity may use, with the other table's or the other event's object in its place."""
    for rule, method in routes(app, world["ids"]):
        allowed = allowed_for(rule.endpoint)
        for identity, reaches in REACHES.items():
            if identity not in allowed:
                continue
            own = own_values(world, rule)
            for argument in scoped_arguments(rule):
                assert argument in own, f"{rule.rule}: what is <{argument}>? add it to the world"
                for reach in reaches:
                    foreign = world[reach]
                    if argument not in foreign or may_reach(rule.endpoint, argument, identity):
                        continue
                    if not rule.endpoint.startswith(REACH_ROUTES.get(reach, "")):
                        continue
                    values = {**own, argument: foreign[argument]}
                    path = rule.build({name: values[name] for name in rule.arguments})[1]
                    label = f"{identity} {method} {path} ({reach}'s {argument})"
                    yield (
                        identity,
                        rule.endpoint,
                        method,
                        path,
                        well_formed_body(rule.endpoint, values),
                        label,
                    )


def test_no_route_reaches_another_tables_or_another_events_objects(app, world):
    before = database_state()
    wrong, checked = [], 0
    for identity, endpoint, method, path, body, label in url_cases(app, world):
        expected = (403, 404) if identity == "facilitator" else (404,)
        got = status_of(send, world, identity, endpoint, method, path, body)
        if got not in expected:
            wrong.append(f"{label}: expected {expected}, got {got}")
        if database_state() != before:
            wrong.append(f"{label}: changed the database")
            before = database_state()
        checked += 1
    assert not wrong, "\n".join(wrong)
    assert checked > 40, "routes went missing"


# ---- Ids in request bodies -----------------------------------------------------------------


def _other_event_form(world, **overrides):
    other = world["other"]
    chosen = {"day_parts": [str(i) for i in part_ids(other)], "choice_1": str(other.tables[0].id)}
    return form_fields(world["event"], **{"choice_2": None, "choice_3": None, **chosen, **overrides})


def other_organisation(world) -> int:
    return world["other"].organisations[0].id


def body_cases(world):
    """(identity, endpoint, body, expected statuses, label): a route's own URL, a body naming
    an object that is not the sender's."""
    ids, table, other = world["ids"], world["other_table"], world["other_event"]
    stranger = db.session.get(Attendee, other["attendee_id"])
    neighbour = db.session.get(Attendee, table["attendee_id"])
    refused = range(400, 500)
    answered = range(200, 500)  # a form shown again with its error, or a redirect with a message
    return [
        ("device", "api.check_in", {"attendee_id": stranger.id}, (404,), "the other event's attendee"),
        ("device", "api.scan", {"code": badge_token(stranger)}, (200,), "the other event's badge"),
        *(
            (
                "facilitator",
                "facilitators.mark_attendance",
                {"attendee_id": a.id, "round": 1, "present": True},
                refused,
                f"{whose} attendee",
            )
            for a, whose in ((neighbour, "table B's"), (stranger, "the other event's"))
        ),
        *(
            (
                "facilitator",
                "facilitators.scan_badge",
                {"code": badge_token(a), "round": 1},
                refused,
                f"{whose} badge, not checked in",
            )
            for a, whose in ((neighbour, "table B's"), (stranger, "the other event's"))
        ),
        (
            "admin",
            "admin.attendee",
            {"pinned_table_id": str(other["table_id"]), "needs_accessible_table": "y"},
            answered,
            "a pin to the other event's table",
        ),
        (
            "admin",
            "admin_assignment.run",
            {
                "person": db.session.get(Attendee, ids["attendee_id"]).full_name,
                "table_id": str(other["table_id"]),
            },
            answered,
            "a move to the other event's table",
        ),
        (
            "admin",
            "admin_facilitators.facilitators",
            {"table_id": str(other["table_id"]), "user_id": str(world["facilitator_id"])},
            answered,
            "a facilitator for the other event's table",
        ),
        (
            "admin",
            "admin_commitments.new_commitment",
            {"table_id": str(other["table_id"]), "owner": "city", "text_it": "Da fuori"},
            answered,
            "a commitment at the other event's table",
        ),
        (
            "admin",
            "admin_commitments.new_commitment",
            {
                "table_id": str(ids["table_id"]),
                "owner": f"org:{other_organisation(world)}",
                "text_it": "Da fuori",
            },
            answered,
            "a commitment taken on by the other event's organisation",
        ),
        (
            "admin",
            "admin_commitments.edit_details",
            {"table_id": str(other["table_id"]), "owner": "city", "text_it": "Da fuori"},
            answered,
            "a commitment moved to the other event's table",
        ),
        (
            "facilitator",
            "facilitators.table_commitments",
            {"owner": f"org:{other_organisation(world)}", "text": "Da fuori"},
            answered,
            "a commitment taken on by the other event's organisation",
        ),
        (
            "anonymous",
            "registration.register",
            _other_event_form(world),
            answered,
            "the other event's parts and table",
        ),
        (
            "anonymous",
            "registration.edit",
            _other_event_form(world, email=None),
            answered,
            "the other event's parts and table",
        ),
        *(
            ("anonymous", endpoint, body(world["event"], **change), answered, f"{what} in a member's row")
            for endpoint, body in (
                ("registration.register_group_page", group_form),
                ("registration.group_add", group_row),
            )
            for change, what in (
                ({"day_parts": [str(i) for i in part_ids(world["other"])]}, "the other event's parts"),
                ({"choice_1": str(other["table_id"])}, "the other event's table"),
            )
        ),
        (
            "desk",
            "desk.walk_in",
            _other_event_form(world, phone=None, choice_1=None),
            answered,
            "the other event's parts",
        ),
    ]


# POST routes whose body names no object by id (an id in a body must be checked as one in a
# URL is, so each POST route says which it is).
NO_IDS_IN_BODY = {
    "admin.cancel_for_them", "admin.reissue_badge", "admin.send_link", "admin.resend_message",
    "admin_desks.desks", "admin_desks.revoke_desk", "admin_announcements.announcements",
    "admin_announcements.retry_failed", "admin_announcements.send_reminders",
    "admin_assignment.publish", "admin_assignment.runs", "admin_event.event_file", "admin_event.restore",
    "admin_facilitators.remove", "admin_staff.staff", "admin_staff.change_role", "admin_staff.deactivate",
    "admin_staff.reactivate", "admin_staff.send_password_link", "api.undo", "auth.choose_password",
    "auth.forgot_password", "auth.login", "auth.logout", "facilitators.delete_photo",
    "facilitators.photos_page", "registration.cancel", "registration.delete", "registration.resend_link",
    # Its "resolves" names conflicts, but only those of the sheet in the URL are looked at
    # (app.facilitation.notes.save_sheet): test_a_save_resolves_only_conflicts_of_its_own_sheet.
    "facilitators.save_notes",
    "desk.admit_over_capacity",  # a desk name only; the walk-in is in the URL
    "admin.reinstate_for_them", "api.reinstate", "registration.reinstate",  # a reason; who is in the URL
    "unsubscribe.stop_post", "unsubscribe.resume",  # who is in the URL's signed token
    "admin_feedback.send",  # a fingerprint of the list shown
    "feedback.submit",  # the signed token names its request, checked against the served event
    "admin_outcomes.review", "admin_outcomes.unpublish", "admin_outcomes.pick_photo",
    "admin_outcomes.unpick_photo", "admin_commitments.edit_commitment",  # texts; ids in the URL
    "admin_announcements.send_schedule_update",  # a fingerprint of the list shown
    "admin_event.copy",  # a new slug, names and date; the source is in the URL
    "api.undo_point_scan",  # no body: the scan is in the URL, as api.undo's check-in
    "registration.group_cancel_member",  # a confirmation; the group's link and member are in the URL
    # The instance's pages: instance administrators, who act on every group and event (their
    # group and event ids are checked to exist: tests/test_instance_admin.py).
    "instance_admin.new_group", "instance_admin.new_event", "instance_admin.new_organiser",
}  # fmt: skip


def _path_of(app, world, endpoint):
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    values = own_values(world, rule)
    return rule.build({name: values[name] for name in rule.arguments})[1]


def test_ids_in_request_bodies_and_query_strings_reach_no_other_tables_or_events_objects(app, world):
    cases = body_cases(world)
    posted = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    with_ids = {endpoint for _, endpoint, *_ in cases}
    unclassified = posted - with_ids - NO_IDS_IN_BODY
    assert not unclassified, f"POST routes not classified in test_reach.py: {sorted(unclassified)}"
    before = database_state()
    wrong = []
    for identity, endpoint, body, expected, what in cases:
        path = _path_of(app, world, endpoint)
        label = f"{identity} POST {path} with {what}"
        got = status_of(send, world, identity, endpoint, "POST", path, body)
        if got not in expected:
            wrong.append(f"{label}: expected {expected}, got {got}")
        if database_state() != before:
            wrong.append(f"{label}: changed the database")
            before = database_state()
    assert not wrong, "\n".join(wrong)
    # The one id in a query string that names an object (list filters only narrow the
    # served event's list): a run to compare with.
    run_page = _path_of(app, world, "admin_assignment.run")
    other_run = world["other_event"]["run_id"]
    compared = world["clients"]["admin"].get(run_page, query_string={"compare": other_run})
    assert compared.status_code == 200 and f"#{other_run}</h2>" not in compared.get_data(as_text=True)
    # A move by the code on their badge: the other event's person is refused, in words.
    move = {
        "person": db.session.get(Attendee, world["other_event"]["attendee_id"]).badge_code,
        "table_id": str(world["ids"]["table_id"]),
    }
    moved = send(world, "admin", "admin_assignment.run", "POST", run_page, move)
    refused = moved.get_data(as_text=True)
    assert moved.status_code == 200 and "Nessuno in questa elaborazione corrisponde" in refused


def test_a_desk_of_one_event_cannot_undo_another_events_check_in(world):
    other_check_in = world["other_event"]["check_in_id"]
    response = send(world, "device", "api.undo", "POST", f"/api/v1/checkins/{other_check_in}/undo", {})
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    db.session.rollback()
    assert db.session.get(CheckIn, other_check_in).undone_at is None, "still in force"
    own = world["ids"]["check_in_id"]
    assert send(world, "device", "api.undo", "POST", f"/api/v1/checkins/{own}/undo", {}).status_code == 200


def test_a_desk_of_one_event_cannot_undo_another_events_point_scan(world):
    other_scan = world["other_event"]["scan_id"]
    path = f"/api/v1/point-scans/{other_scan}/undo"
    response = send(world, "device", "api.undo_point_scan", "POST", path, {})
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    db.session.rollback()
    assert db.session.get(PointScan, other_scan).undone_at is None, "still in force"
    own = f"/api/v1/point-scans/{world['ids']['scan_id']}/undo"
    assert send(world, "device", "api.undo_point_scan", "POST", own, {}).status_code == 200
    db.session.rollback()
    assert db.session.get(PointScan, world["ids"]["scan_id"]).undone_at is not None


def test_an_admin_cannot_remove_the_other_events_facilitator(world):
    other_table = world["other_event"]["table_id"]
    link = db.session.scalars(select(TableFacilitator).filter_by(cafe_table_id=other_table)).one()
    path = f"/brescia-citta-del-noi/admin/facilitators/tables/{other_table}/users/{link.user_id}/remove"
    assert send(world, "admin", "admin_facilitators.remove", "POST", path, {}).status_code == 404
    db.session.rollback()
    assert db.session.get(TableFacilitator, link.id) is not None


def test_a_save_resolves_only_conflicts_of_its_own_sheet(world):
    table_b = db.session.get(CafeTable, world["other_table"]["table_id"])
    notes.save_sheet(table_b, 1, notes.SheetContent(insights="prima"), 0, "sheet-b-0001", "b@example.org")
    conflict = notes.save_sheet(table_b, 1, notes.SheetContent(insights="altra"), 0, "sheet-b-0002", "c")
    assert conflict.result is notes.SaveResult.CONFLICT
    body = {
        "insights": "mia",
        "base_version": 0,
        "save_id": "sheet-a-0001",
        "resolves": [conflict.revision.id],
    }
    path = f"/brescia-citta-del-noi/facilitators/tables/{world['ids']['table_id']}/notes/1"
    assert send(world, "facilitator", "facilitators.save_notes", "POST", path, body).status_code == 200
    db.session.rollback()
    assert db.session.get(NoteRevision, conflict.revision.id).resolved is False, (
        "table B's conflict stays open"
    )


def test_searches_find_no_one_of_the_other_event(world):
    stranger = db.session.get(Attendee, world["other_event"]["attendee_id"])
    own = db.session.get(Attendee, world["ids"]["attendee_id"])
    headers = {"Authorization": f"Bearer {world['device_token']}"}
    device, admin = world["clients"]["device"], world["clients"]["admin"]

    def searched(who) -> list[int]:
        answer = device.get("/api/v1/attendees", query_string={"q": who.email}, headers=headers)
        return [result["id"] for result in answer.get_json()["results"]]

    assert searched(own) == [own.id]
    assert searched(stranger) == [], "the desk's search stays in its event"

    def listed(who) -> str:
        return admin.get("/brescia-citta-del-noi/admin/", query_string={"q": who.email}).get_data(
            as_text=True
        )

    assert f'href="/brescia-citta-del-noi/admin/attendees/{own.id}"' in listed(own)
    assert f'href="/brescia-citta-del-noi/admin/attendees/{stranger.id}"' not in listed(stranger), (
        "the list stays in its event"
    )
