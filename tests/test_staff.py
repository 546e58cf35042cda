import base64
import csv
import io
import re

import pytest
import zxingcpp
from conftest import PASSWORD, csrf_from
from helpers import register_someone, registration_data
from PIL import Image

from app.models import Role
from app.registration.signup import register_walk_in
from app.worldcafe.services import run_assignment

# Which roles may open the pages of each staff blueprint.
ALLOWED = {
    "admin.": {Role.ADMIN},
    "admin_desks.": {Role.ADMIN},
    "admin_assignment.": {Role.ADMIN},
    "desk.": {Role.DESK, Role.ADMIN},
    "arrivals.": {Role.DESK, Role.ADMIN},
}


def staff_routes(app, ids: dict):
    """Every staff GET route, with sample arguments: new staff routes are checked automatically."""
    routes = []
    for rule in app.url_map.iter_rules():
        prefix = next((p for p in ALLOWED if rule.endpoint.startswith(p)), None)
        if prefix and "GET" in rule.methods:
            # A page about one kind of person gets one of that kind (a waiting walk-in...).
            args = {name: ids.get(f"{rule.endpoint}:{name}", ids[name]) for name in rule.arguments}
            routes.append((rule.build(args)[1], ALLOWED[prefix]))
    assert len(routes) >= 8, "staff routes went missing"
    return routes


def test_every_staff_route_refuses_anonymous_and_wrong_roles(app, client, event, make_staff):
    walk_in = register_walk_in(event, registration_data(event), "Desk 1").attendee  # the walk-in pages
    event.capacity = 1
    waiting = register_walk_in(event, registration_data(event), "Desk 1").attendee  # the day is full
    run = run_assignment(event, "admin@example.org")
    ids = {
        "event_slug": event.slug,
        "attendee_id": walk_in.id,
        "run_id": run.id,
        "desk.walk_in_waiting:attendee_id": waiting.id,
    }
    clients = {role: make_staff(role)[1] for role in Role}
    for path, allowed in staff_routes(app, ids):
        anonymous = client.get(path)
        assert anonymous.status_code == 302 and "/staff/login" in anonymous.headers["Location"], path
        for role, staff_client in clients.items():
            expected = 200 if role in allowed else 403
            assert staff_client.get(path).status_code == expected, (path, role)


def test_login_rejects_a_wrong_password_and_logout_needs_a_post(app, client, make_staff):
    user, staff_client = make_staff(Role.ADMIN)
    page = client.get("/staff/login").get_data(as_text=True)
    response = client.post(
        "/staff/login",
        data={"csrf_token": csrf_from(page), "email": user.email, "password": "wrong password"},
    )
    assert response.status_code == 200
    assert client.get("/brescia-citta-del-noi/admin/").status_code == 302
    assert staff_client.get("/staff/logout").status_code == 405
    home = staff_client.get("/brescia-citta-del-noi/admin/").get_data(as_text=True)
    staff_client.post("/staff/logout", data={"csrf_token": csrf_from(home)})
    assert staff_client.get("/brescia-citta-del-noi/admin/").status_code == 302


def test_user_create_command_makes_the_first_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "user",
            "create",
            "--email",
            "Boss@Example.org",
            "--name",
            "Boss",
            "--password",
            PASSWORD,
            "--instance-admin",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "admin boss@example.org" in result.output
    again = runner.invoke(
        args=["user", "create", "--email", "boss@example.org", "--name", "B", "--password", PASSWORD]
    )
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(
        args=["user", "create", "--email", "x@example.org", "--name", "X", "--password", "short"]
    )
    assert short.exit_code != 0 and "10 characters" in short.output


@pytest.fixture
def admin_client(make_staff):
    return make_staff(Role.ADMIN)[1]


def test_attendee_list_searches_and_filters(admin_client, event):
    register_someone(event, first_name="Zita", organisation_name="Auser Brescia")
    register_someone(
        event, first_name="Ugo", table_ids=[event.tables[3].id], organisation_name="Gruppo Alpini"
    )
    page = admin_client.get("/brescia-citta-del-noi/admin/?q=zita").get_data(as_text=True)
    assert "Zita" in page and "Ugo" not in page
    page = admin_client.get(f"/brescia-citta-del-noi/admin/?table={event.tables[3].id}").get_data(
        as_text=True
    )
    assert "Ugo" in page and "Zita" not in page
    page = admin_client.get("/brescia-citta-del-noi/admin/?organisation=alpini").get_data(as_text=True)
    assert "Ugo" in page and "Zita" not in page
    page = admin_client.get("/brescia-citta-del-noi/admin/?status=cancelled").get_data(as_text=True)
    assert "Ugo" not in page and "Zita" not in page


def test_attendee_page_shows_details_and_messages(admin_client, event):
    attendee = register_someone(event, dietary_needs="Celiachia")
    page = admin_client.get(f"/brescia-citta-del-noi/admin/attendees/{attendee.id}").get_data(as_text=True)
    assert "Celiachia" in page and "in coda" in page, "the message, queued (in Italian)"
    assert admin_client.get("/brescia-citta-del-noi/admin/attendees/99999").status_code == 404


def test_csv_export_opens_in_excel_with_accents_and_no_formulas(admin_client, event):
    register_someone(event, first_name="Nicolò", last_name="Caffè", organisation_name='=HYPERLINK("x")')
    response = admin_client.get("/brescia-citta-del-noi/admin/attendees.csv")
    assert response.mimetype == "text/csv"
    body = response.data
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    header, row = rows[0], rows[1]
    record = dict(zip(header, row, strict=True))
    assert record["first_name"] == "Nicolò" and record["last_name"] == "Caffè"
    assert record["organisation"].startswith("'="), "a formula must be shown as text"


def _menu_marks(html: str) -> dict:
    """The staff menu's links that say where you are: {link text: aria-current}."""
    menu = re.search(r'<nav aria-label="[^"]*" class="staff-nav">(.*?)</nav>', html, re.S).group(1)
    return dict((text, state) for state, text in re.findall(r'aria-current="(\w+)">([^<]+)</a>', menu))


def test_staff_menu_marks_the_section_you_are_in(app, event, make_staff):
    attendee = register_someone(event)
    _, admin = make_staff(Role.ADMIN)
    assert _menu_marks(admin.get("/brescia-citta-del-noi/admin/").get_data(as_text=True)) == {
        "Partecipanti": "page"
    }
    # One attendee's page and the numbers page belong to the attendee list's section.
    for path in (
        f"/brescia-citta-del-noi/admin/attendees/{attendee.id}",
        "/brescia-citta-del-noi/admin/needs",
    ):
        assert _menu_marks(admin.get(path).get_data(as_text=True)) == {"Partecipanti": "true"}, path
    assert _menu_marks(admin.get("/brescia-citta-del-noi/admin/desks").get_data(as_text=True)) == {
        "Desk": "page"
    }
    assert _menu_marks(admin.get("/brescia-citta-del-noi/admin/facilitators/").get_data(as_text=True)) == {
        "Tavoli": "true"
    }
    # A page of no section (the public home page) marks nothing.
    assert _menu_marks(admin.get("/brescia-citta-del-noi/").get_data(as_text=True)) == {}


def test_pages_name_an_icon_that_is_served(client, event):
    html = client.get("/brescia-citta-del-noi/").get_data(as_text=True)
    icon = re.search(r'<link rel="icon" href="([^"]+)"', html).group(1)
    response = client.get(icon)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"


def test_a_new_desk_is_paired_from_a_qr_code_shown_once(app, client, event, make_staff):
    _, admin = make_staff(Role.ADMIN)
    page = admin.get("/brescia-citta-del-noi/admin/desks").get_data(as_text=True)
    answer = admin.post(
        "/brescia-citta-del-noi/admin/desks", data={"csrf_token": csrf_from(page), "name": "Ingresso 2"}
    )
    html = answer.get_data(as_text=True)
    link = re.search(r'<code class="token">(http[^<]+)</code>', html).group(1)
    assert re.fullmatch(r"http://localhost/brescia-citta-del-noi/desk/#pair=[\w-]+", link)
    # The QR on the screen decodes, with an independent decoder, to that same link.
    data_uri = re.search(r'<img src="data:image/png;base64,([^"]+)" alt="Codice QR', html).group(1)
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(base64.b64decode(data_uri))))
    assert code.text == link
    # The form is empty again, so a second click does not make a second desk by accident.
    assert 'value="Ingresso 2"' not in html
    # The token in the link is the desk's: the API knows it by name.
    token = link.split("#pair=")[1]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.get_json()["desk"] == "Ingresso 2"
    # Shown once: the list no longer shows a link or a code.
    again = admin.get("/brescia-citta-del-noi/admin/desks").get_data(as_text=True)
    assert token not in again and "data:image/png" not in again
    # Desk names tell desks apart ("already checked in at Ingresso 2"): no second active one.
    twin = admin.post(
        "/brescia-citta-del-noi/admin/desks", data={"csrf_token": csrf_from(again), "name": "ingresso 2"}
    )
    html = twin.get_data(as_text=True)
    assert "Un desk di nome ingresso 2 è già attivo" in html and 'value="ingresso 2"' in html
    assert "#pair=" not in html and html.count("<td>Ingresso 2</td>") == 1


def test_search_reads_percent_and_underscore_as_typed(admin_client, event):
    register_someone(event, first_name="Zita", organisation_name="Coop 100% Noi")
    register_someone(event, first_name="Ugo", organisation_name="Gruppo Alpini")
    for query in ("100%25", "%25", "_"):  # % and _ are LIKE's wildcards
        page = admin_client.get(f"/brescia-citta-del-noi/admin/?q={query}").get_data(as_text=True)
        assert "Ugo" not in page, query
    assert "Zita" in admin_client.get("/brescia-citta-del-noi/admin/?organisation=100%25").get_data(
        as_text=True
    )
