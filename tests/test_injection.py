"""Hostile text in every field comes back escaped and harmless: pages, e-mail, PDF, CSV, SQL."""

import csv
import io
import json
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pypdfium2
import pytest
import yaml
from conftest import MOCA, PASSWORD, csrf_from, signed_in, staff_account
from helpers import form_fields, register_someone
from markupsafe import escape
from sqlalchemy import func, inspect, select
from test_authorisation import allowed_for
from test_facilitators import facilitator_of, png_bytes, upload_dir  # noqa: F401

from app.checkin.desks import create_desk_device
from app.checkin.services import check_in_attendee
from app.events.services import event_files, load_event
from app.extensions import db
from app.facilitation import notes, photos
from app.mail import announcements
from app.mail.outbox import bodies
from app.models import (
    NOTE_KINDS,
    Attendee,
    Audience,
    CommitmentOwner,
    CommitmentStatus,
    FeedbackRequest,
    OutboxMessage,
    PublishedPhoto,
    Role,
    TableOutcome,
    User,
    utcnow,
)
from app.registration.tokens import manage_token
from app.reporting.certificates import certificate_code
from app.results import commitments
from app.results.feedback_answers import answer_token
from app.staff.services import create_user, password_link
from app.worldcafe import services as world_cafe

CORPUS = [
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE attendees; --",
    "Robert'); DELETE FROM attendees WHERE ('1'='1",
    '=HYPERLINK("http://evil.example","clic")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "{{ 7*7 }} {% raw %}",
    "javascript:alert(1)",
    "</textarea><svg onload=alert(1)>",
]
TEXT_FIELDS = ["first_name", "last_name", "organisation", "dietary_needs", "accessibility_needs"]


def dangerous(text: str) -> bool:
    return any(c in text for c in "<>\"'")


def assert_escaped(page: str, payload: str, where: str):
    if dangerous(payload):
        assert payload not in page, f"raw payload in {where}: {payload}"
        assert str(escape(payload)) in page, f"payload missing from {where}"
    else:
        assert payload in page, f"payload missing from {where}"
    if "{{" in payload:
        assert "{{ 7*7 }}" in page, f"template code evaluated in {where}"


@pytest.mark.parametrize("payload", CORPUS)
def test_hostile_text_is_stored_verbatim_and_shown_escaped_everywhere(client, event, make_staff, payload):
    values = {field: payload for field in TEXT_FIELDS}
    page = client.get("/brescia-citta-del-noi/register").get_data(as_text=True)
    response = client.post(
        "/brescia-citta-del-noi/register",
        data={"csrf_token": csrf_from(page), **form_fields(event, **values)},
    )
    assert response.status_code == 302, "accepted like any other text"
    attendee = db.session.scalars(select(Attendee)).one()
    assert attendee.first_name == payload and attendee.dietary_needs == payload
    assert "attendees" in inspect(db.engine).get_table_names()

    _, admin = make_staff(Role.ADMIN)
    check_in = check_in_attendee(event, attendee.id, None, "inject-1", desk_name="Desk 1").check_in
    pages = {
        "personal page": client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}"),
        "certificate check": client.get(f"/brescia-citta-del-noi/certificates/{certificate_code(check_in)}"),
        "attendee list": admin.get("/brescia-citta-del-noi/admin/"),
        "attendee page": admin.get(f"/brescia-citta-del-noi/admin/attendees/{attendee.id}"),
        "search": admin.get(f"/brescia-citta-del-noi/admin/?q={payload}"),
        "numbers and needs": admin.get("/brescia-citta-del-noi/admin/needs"),
    }
    for where, response in pages.items():
        assert_escaped(response.get_data(as_text=True), payload, where)

    body_text, body_html = bodies(db.session.scalars(select(OutboxMessage)).one())  # as sent
    assert_escaped(body_html, payload, "e-mail HTML")
    assert payload in body_text, "plain text shows the name as typed"
    if "{{" in payload:
        assert "49" not in body_text

    exported = admin.get("/brescia-citta-del-noi/admin/attendees.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    record = dict(zip(rows[0], rows[1], strict=True))
    for column in ("first_name", "last_name", "organisation", "dietary_needs"):
        cell = record[column]
        assert cell[0] not in "=+-@", f"formula in CSV column {column}: {cell}"
        assert cell in (payload, "'" + payload)

    pdf = client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}/badge.pdf").data
    text = pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert payload.split()[0][:6] in text.replace("\r", "").replace("\n", " ")
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == 1


@pytest.mark.parametrize("payload", CORPUS)
def test_hostile_notes_are_escaped_in_the_pages_the_synthesis_and_the_report(
    client, event, make_staff, payload
):
    from app.facilitation import notes
    from app.reporting.report import build_report, outcomes_csv, report_markdown
    from app.reporting.report_pdf import report_pdf

    table = event.tables[0]
    content = notes.SheetContent(insights=payload, proposals=payload, tags=("rete",))
    notes.save_sheet(table, 1, content, 0, "first-save-0001", "facilitatore@example.org")
    _, admin = make_staff(Role.ADMIN)
    for path in (
        f"/brescia-citta-del-noi/facilitators/tables/{table.id}/notes/1",
        f"/brescia-citta-del-noi/facilitators/tables/{table.id}/notes/1/history",
    ):
        page = admin.get(path).get_data(as_text=True)
        if dangerous(payload):
            assert payload not in page, f"raw payload in {path}"
    synthesis = admin.get("/brescia-citta-del-noi/synthesis/data.json").get_json()
    assert payload in str(synthesis), "JSON carries the text as data, the page inserts it as text"

    exported = outcomes_csv(event).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    cells = [cell for row in rows[1:] for cell in row if payload.lstrip("'") in cell]
    assert cells and all(cell[0] not in "=+-@" for cell in cells), "no formula in the outcomes CSV"
    report = build_report(event)
    markdown = report_markdown(report)
    shown = payload.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert shown in markdown and ("<" not in payload or payload not in markdown), "HTML shown, never run"
    document = pypdfium2.PdfDocument(report_pdf(report))
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    assert payload.split()[0][:6] in text.replace("\r", "").replace("\n", " ")


@pytest.mark.parametrize("payload", CORPUS)
def test_a_hostile_staff_name_is_escaped_in_the_staff_page_and_the_invitation(
    app, event, make_staff, payload
):
    _, admin = make_staff(Role.ADMIN)
    page = admin.get("/brescia-citta-del-noi/admin/staff/").get_data(as_text=True)
    data = {"name": payload, "email": "new@example.org", "role": "desk", "language": "it"}
    assert (
        admin.post(
            "/brescia-citta-del-noi/admin/staff/", data={"csrf_token": csrf_from(page), **data}
        ).status_code
        == 302
    )
    user = db.session.scalars(select(User).filter_by(email="new@example.org")).one()
    assert user.name == payload.strip()
    assert_escaped(
        admin.get("/brescia-citta-del-noi/admin/staff/").get_data(as_text=True), user.name, "the staff page"
    )
    invitation = db.session.scalars(select(OutboxMessage).filter_by(kind="staff_invite")).one()
    assert_escaped(invitation.body_html, user.name, "the invitation e-mail")
    link = urlsplit(password_link(user, "invite")).path
    assert_escaped(app.test_client().get(link).get_data(as_text=True), user.name, "the password page")


# ---- Every page that shows user text, with hostile text in every field --------------------

# The payloads that would change a page if shown unescaped, or run as a template.
PAGE_CORPUS = [payload for payload in CORPUS if dangerous(payload) or "{{" in payload]
FILE_ROUTES = (".pdf", ".png", ".csv", ".md", ".ics", ".yaml", ".json", ".js", "/photos/<int:photo_id>")


class InjectedMarkup(HTMLParser):
    """Elements and attributes that only hostile text could have put in a page: the app's
    templates have no inline scripts or event handlers (the CSP forbids them), no svg but the
    charts of the day in figures (class "chart", drawn by app/results/charts.py, no handlers),
    and only images of their own."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        src = attributes.get("src") or ""
        if (
            any(name.startswith("on") for name in attributes)
            or (tag == "svg" and attributes.get("class") != "chart")
            or tag in ("iframe", "object", "embed", "foreignobject")
            or (tag == "script" and not src.startswith("/static/"))
            or (tag == "img" and not src.startswith(("/", "data:image/png;base64,", "cid:")))
        ):
            self.found.append(self.get_starttag_text())


def assert_harmless(html: str, payload: str, where: str):
    """Nothing of the payload became markup, and it is nowhere unescaped."""
    parser = InjectedMarkup()
    parser.feed(html)
    assert not parser.found, f"markup injected in {where}: {parser.found}"
    if dangerous(payload):
        assert payload not in html, f"raw payload in {where}: {payload}"


def hostile_event_file(payload: str) -> str:
    """The MO.CA day's file with every text of the event, its programme, parts, tables and
    organisations replaced by the payload (same slug: it updates the event in place)."""
    data = yaml.safe_load(MOCA.read_text(encoding="utf-8"))
    both = {"it": payload, "en": payload}
    data.update(name=both, tagline=both, description=both, organiser=payload)
    data["venue"] = {"name": payload, "address": payload}
    for item in data["programme"]:
        item.update(title=both, speaker=payload)
    for part in data["day_parts"]:
        part["name"] = both
    for table in data["tables"]:
        table.update(name=both, description=both)
    data["organisations"] = [
        {"name": f"{payload} {n}", "kind": org["kind"]} for n, org in enumerate(data["organisations"])
    ]
    for question in data["feedback"]["questions"]:
        question.update(label=both, help=both)
    data["open_data"]["publisher"]["name"] = payload
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def hostile_world(app, event, make_staff, payload):
    """Every text a person or a file can put in the app holds the payload: returns the
    signed-in clients and the ids of what they look at."""
    load_event(hostile_event_file(payload), "moca.yaml")
    event.registration_opens_at = event.registration_closes_at = None
    db.session.commit()
    table = event.tables[0]
    texts = {field: payload for field in TEXT_FIELDS if field != "organisation"}
    attendee = register_someone(event, **texts, organisation_name=payload, table_ids=[table.id])
    register_someone(  # one who picked an organisation of the file's list
        event, **texts, organisation_name=event.organisations[0].name
    )
    world_cafe.publish(world_cafe.run_assignment(event, payload), payload)
    device, _ = create_desk_device(event, payload)
    check_in = check_in_attendee(event, attendee.id, device, "hostile-1").check_in
    _, facilitator = facilitator_of(make_staff, table)
    content = notes.SheetContent(**dict.fromkeys(NOTE_KINDS, payload), tags=(payload,))
    for round in (1, notes.SUMMARY_ROUND):
        notes.save_sheet(table, round, content, 0, f"hostile-save-{round}", payload)
    notes.save_sheet(table, 1, content, 0, "hostile-conflict", payload)  # a conflict to settle
    photo = photos.save_photo(table, 1, io.BytesIO(png_bytes()), payload, payload).photo
    text = announcements.AnnouncementText(subject=both_languages(payload), body=both_languages(payload))
    announcement = announcements.send(event, Audience.CONFIRMED, text, "hostile-announcement", "admin")
    colleague = staff_account("colleague@example.org", payload, "correct horse battery", Role.FACILITATOR)
    _, admin = make_staff(Role.ADMIN)
    _, desk = make_staff(Role.DESK)
    instance_admin = create_user("instance@example.org", payload, PASSWORD, Role.ADMIN, instance_admin=True)
    clients = {"anonymous": app.test_client(), "admin": admin, "desk": desk, "facilitator": facilitator}
    clients["instance"] = signed_in(app, instance_admin)
    no_table = dict.fromkeys(("phone", "choice_1", "choice_2", "choice_3"))  # the walk-in form asks less
    walk_in = form_fields(event, **dict.fromkeys(TEXT_FIELDS, payload), desk_name=payload, **no_table)
    page = desk.get("/brescia-citta-del-noi/desk/walk-in").get_data(as_text=True)
    done = desk.post("/brescia-citta-del-noi/desk/walk-in", data={"csrf_token": csrf_from(page), **walk_in})
    assert "/brescia-citta-del-noi/desk/walk-in/" in done.headers["Location"], (
        "registered and checked in at the desk"
    )
    walk_in_id = int(done.headers["Location"].rsplit("/", 1)[1])
    commitment, published, feedback_request = hostile_results(event, table, photo, attendee, payload)
    ids = {
        "event_slug": event.slug, "attendee_id": walk_in_id, "table_id": table.id, "round": 1,
        "photo_id": photo.id, "run_id": world_cafe.published_run(event).id,
        "announcement_id": announcement.id,
        "user_id": colleague.id, "file_id": event_files(event)[0].id, "token": manage_token(attendee),
        "commitment_id": commitment.id, "published_id": published.id, "sending": "questionnaire",
        "dataset": "figures", "fmt": "csv",
    }  # fmt: skip
    codes = {"registration.check_certificate_page": certificate_code(check_in), "site.set_language": "en"}
    tokens = {
        "auth.choose_password": urlsplit(password_link(colleague, "invite")).path.rsplit("/", 1)[1],
        "feedback.answer": answer_token(feedback_request),
    }
    return clients, ids, codes, tokens


def hostile_results(event, table, photo, attendee, payload):
    """The table's outcomes published, a commitment and a picked photo, all saying the
    payload; the questionnaire sent to someone who came."""
    db.session.add(TableOutcome(event_id=event.id, cafe_table_id=table.id, text=both_languages(payload),
                                published_at=utcnow(), updated_by=payload))  # fmt: skip
    owner = commitments.Owner(CommitmentOwner.ORGANISATION, payload)
    commitment = commitments.create_commitment(table, both_languages(payload), owner, None, payload)
    commitments.change_status(commitment, CommitmentStatus.IN_PROGRESS, both_languages(payload), payload)
    published = PublishedPhoto(photo_id=photo.id, caption=both_languages(payload), picked_by=payload)
    feedback_request = FeedbackRequest(event_id=event.id, attendee_id=attendee.id)
    db.session.add_all([published, feedback_request])
    db.session.commit()
    return commitment, published, feedback_request


def both_languages(text: str) -> dict:
    return {"it": text, "en": text}


def html_pages(app, clients, ids, codes, tokens):
    """(where, html) of every page each identity may open, from the url_map."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule.endswith(FILE_ROUTES):
            continue
        values = {**ids, "code": codes.get(rule.endpoint), "token": tokens.get(rule.endpoint, ids["token"])}
        rounds = (1, notes.SUMMARY_ROUND) if "round" in rule.arguments else (1,)
        for round in rounds:
            path = rule.build({name: {**values, "round": round}[name] for name in rule.arguments})[1]
            allowed = allowed_for(rule.endpoint) - {"device"}
            # An instance administrator sees an admin's pages as the admin does: only their own.
            for identity in sorted(allowed - {"instance"} if "admin" in allowed else allowed):
                response = clients[identity].get(path)
                if response.status_code == 200 and response.mimetype == "text/html":
                    yield f"{path} ({identity})", response.get_data(as_text=True)


# Pages that must show the hostile text itself (escaped), not only stay harmless.
SHOW_THE_TEXT = tuple(
    f"/brescia-citta-del-noi{where}"
    for where in (
        "/ (anonymous)",
        "/register (anonymous)",
        "/admin/ (admin)",
        "/admin/needs (admin)",
        "/admin/announcements/ (admin)",
        "/admin/staff/ (admin)",
        "/admin/desks (admin)",
        "/admin/facilitators/ (admin)",
        "/facilitators/ (facilitator)",
        "/synthesis/ (admin)",
        "/privacy (anonymous)",
        "/results/ (anonymous)",
        "/results/commitments (anonymous)",
        "/admin/results/commitments/ (admin)",
        "/admin/results/figures/ (admin)",
    )
)


@pytest.mark.usefixtures("upload_dir")
@pytest.mark.parametrize("payload", PAGE_CORPUS)
def test_hostile_text_in_every_field_is_harmless_on_every_page_and_in_every_email(
    app, event, make_staff, payload
):
    clients, ids, codes, tokens = hostile_world(app, event, make_staff, payload)
    seen = {}
    for where, html in html_pages(app, clients, ids, codes, tokens):
        assert_harmless(html, payload, where)
        seen[where] = html
    assert len(seen) > 40, f"pages went missing: {sorted(seen)}"
    token_pages = [where for where in seen if where.startswith(f"/brescia-citta-del-noi/r/{ids['token']}")]
    table_pages = [
        where
        for where in seen
        if where.startswith(f"/brescia-citta-del-noi/facilitators/tables/{ids['table_id']}/")
    ]
    one_attendee = [
        f"/brescia-citta-del-noi/admin/attendees/{ids['attendee_id']} (admin)",
        f"/brescia-citta-del-noi/desk/walk-in/{ids['attendee_id']} (desk)",
    ]
    instance_page = "/instance/ (instance)"  # the event's name, its group's accounts
    for where in (*SHOW_THE_TEXT, *token_pages, *table_pages, *one_attendee, instance_page):
        assert_escaped(seen[where], payload, where)
    for message in db.session.scalars(select(OutboxMessage)):
        assert_harmless(bodies(message)[1], payload, f"the e-mail {message.kind}")
        assert_escaped(bodies(message)[1], payload, f"the e-mail {message.kind}")


@pytest.mark.parametrize("payload", PAGE_CORPUS)
def test_the_problems_of_a_hostile_event_file_are_shown_as_text(event, make_staff, payload):
    _, admin = make_staff(Role.ADMIN)
    page = admin.get("/brescia-citta-del-noi/admin/event/").get_data(as_text=True)
    bad = MOCA.read_text(encoding="utf-8").replace("capacity: 400", f"capacity: {json.dumps(payload)}")
    upload = (io.BytesIO(bad.encode("utf-8")), "moca.yaml")
    response = admin.post(
        "/brescia-citta-del-noi/admin/event/",
        data={"csrf_token": csrf_from(page), "file": upload},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "capacity" in html, "refused, with its problem"
    assert_harmless(html, payload, "the event file's problems")
    assert_escaped(html, payload.strip(), "the event file's problems")
