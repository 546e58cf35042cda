"""Hostile text in every field comes back escaped and harmless: pages, e-mail, PDF, CSV, SQL."""

import csv
import io
from urllib.parse import urlsplit

import pypdfium2
import pytest
from conftest import csrf_from
from helpers import form_fields
from markupsafe import escape
from sqlalchemy import func, inspect, select

from app.extensions import db
from app.models import Attendee, OutboxMessage, Role, User
from app.services.certificates import certificate_code
from app.services.checkin import check_in_attendee
from app.services.tokens import manage_token
from app.services.users import password_link

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
    page = client.get("/register").get_data(as_text=True)
    response = client.post("/register", data={"csrf_token": csrf_from(page), **form_fields(event, **values)})
    assert response.status_code == 302, "accepted like any other text"
    attendee = db.session.scalars(select(Attendee)).one()
    assert attendee.first_name == payload and attendee.dietary_needs == payload
    assert "attendees" in inspect(db.engine).get_table_names()

    _, admin = make_staff(Role.ADMIN)
    check_in = check_in_attendee(event, attendee.id, None, "inject-1", desk_name="Desk 1").check_in
    pages = {
        "personal page": client.get(f"/r/{manage_token(attendee)}"),
        "certificate check": client.get(f"/certificates/{certificate_code(check_in)}"),
        "attendee list": admin.get("/admin/"),
        "attendee page": admin.get(f"/admin/attendees/{attendee.id}"),
        "search": admin.get(f"/admin/?q={payload}"),
        "numbers and needs": admin.get("/admin/needs"),
    }
    for where, response in pages.items():
        assert_escaped(response.get_data(as_text=True), payload, where)

    message = db.session.scalars(select(OutboxMessage)).one()
    assert_escaped(message.body_html, payload, "e-mail HTML")
    assert payload in message.body_text, "plain text shows the name as typed"
    if "{{" in payload:
        assert "49" not in message.body_text

    exported = admin.get("/admin/attendees.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported), delimiter=";"))
    record = dict(zip(rows[0], rows[1], strict=True))
    for column in ("first_name", "last_name", "organisation", "dietary_needs"):
        cell = record[column]
        assert cell[0] not in "=+-@", f"formula in CSV column {column}: {cell}"
        assert cell in (payload, "'" + payload)

    pdf = client.get(f"/r/{manage_token(attendee)}/badge.pdf").data
    text = pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert payload.split()[0][:6] in text.replace("\r", "").replace("\n", " ")
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == 1


@pytest.mark.parametrize("payload", CORPUS)
def test_hostile_notes_are_escaped_in_the_pages_the_synthesis_and_the_report(
    client, event, make_staff, payload
):
    from app.services import notes
    from app.services.report import build_report, outcomes_csv, report_markdown
    from app.services.report_pdf import report_pdf

    table = event.tables[0]
    content = notes.SheetContent(insights=payload, proposals=payload, tags=("rete",))
    notes.save_sheet(table, 1, content, 0, "first-save-0001", "facilitatore@example.org")
    _, admin = make_staff(Role.ADMIN)
    for path in (
        f"/facilitators/tables/{table.id}/notes/1",
        f"/facilitators/tables/{table.id}/notes/1/history",
    ):
        page = admin.get(path).get_data(as_text=True)
        if dangerous(payload):
            assert payload not in page, f"raw payload in {path}"
    synthesis = admin.get("/synthesis/data.json").get_json()
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
    page = admin.get("/admin/staff/").get_data(as_text=True)
    data = {"name": payload, "email": "new@example.org", "role": "desk", "language": "it"}
    assert admin.post("/admin/staff/", data={"csrf_token": csrf_from(page), **data}).status_code == 302
    user = db.session.scalars(select(User).filter_by(email="new@example.org")).one()
    assert user.name == payload.strip()
    assert_escaped(admin.get("/admin/staff/").get_data(as_text=True), user.name, "the staff page")
    invitation = db.session.scalars(select(OutboxMessage).filter_by(kind="staff_invite")).one()
    assert_escaped(invitation.body_html, user.name, "the invitation e-mail")
    link = urlsplit(password_link(user, "invite")).path
    assert_escaped(app.test_client().get(link).get_data(as_text=True), user.name, "the password page")
