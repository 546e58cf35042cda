"""The day in figures after a scripted day: every figure's numbers against what the script
did and against the database, the public figures with no group smaller than 5, the charts as
SVG fit for a page, and the organisers' page that shows them."""

import re
import xml.etree.ElementTree as ElementTree
from datetime import timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale
from helpers import part_ids, register_someone
from markupsafe import escape
from playwright.sync_api import expect
from sqlalchemy import select
from test_accessibility import axe_violations, sideways_overflow
from test_facilitators import publish_seats
from test_html_validity import BROKEN, nu_errors
from test_injection import CORPUS

from app.checkin.services import check_in_attendee, undo_check_in
from app.extensions import db
from app.facilitation import attendance as facilitation
from app.models import Attendee, CheckIn, DayPartKind, Role, utcnow
from app.results import charts, figures, figures_public
from app.results.figures import SMALLEST_PUBLIC_GROUP

OUT = Path("/tmp/charts")  # the pictures, to look at
# The script: (organisation as typed, participant type, language, people, arrived, minute of arrival)
GROUPS = [
    ("Cooperativa Alfa", "network_member", "it", 8, 8, 1),
    ("Auser Brescia", "social_worker", "it", 6, 5, 25),
    ("Piccola Realtà", "citizen", "en", 4, 4, 41),  # a group of 4: never shown with its count
    (None, "city_staff", "it", 3, 2, 52),
]


@pytest.fixture(autouse=True)
def english(app):
    """Figures are counted in the reader's language: English here, whatever the default."""
    with app.test_request_context(), force_locale("en"):
        yield


def slot_start():
    """A 10-minute boundary about two hours ago (UTC), the script's hour within one day of Rome:
    the check-ins' times must be recent."""
    start = utcnow() - timedelta(hours=2)
    start = start.replace(minute=start.minute - start.minute % 10, second=0, microsecond=0)
    while local(start).date() != local(start + timedelta(minutes=70)).date():
        start -= timedelta(hours=1)
    return start


def local(moment):
    from zoneinfo import ZoneInfo

    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo("Europe/Rome"))


@pytest.fixture
def day(event):
    """21 confirmed people and one cancelled, 19 check-ins of which one undone (18 arrived),
    seats at two tables in round 1 and 3 ticked present there."""
    start = slot_start()
    people = {}
    for organisation, kind, language, count, arrived, minute in GROUPS:
        parts = part_ids(event) if organisation else part_ids(event, DayPartKind.PLENARY, DayPartKind.LUNCH)
        names = [organisation] * count
        if organisation == "Auser Brescia":
            names[0] = "  auser   BRESCIA "  # the same organisation, typed otherwise (and arrived)
        group = [
            register_someone(
                event, organisation_name=name, participant_type=kind, language=language, day_part_ids=parts
            )
            for name in names
        ]
        for index, person in enumerate(group[:arrived]):
            when = start + timedelta(minutes=minute, seconds=index)
            check_in_attendee(event, person.id, None, f"fig-{person.id}", scanned_at=when, desk_name="Desk 1")
        people[organisation] = group
    cancelled = register_someone(event, organisation_name="Cooperativa Alfa")
    cancelled.status = "cancelled"
    db.session.commit()
    undone = db.session.scalars(select(CheckIn).filter_by(attendee_id=people["Cooperativa Alfa"][0].id)).one()
    undo_check_in(undone.id, event, "boss@example.org")
    first, second = event.tables[0], event.tables[1]
    seats = [(p, first, 1, 0) for p in people["Cooperativa Alfa"] + people["Piccola Realtà"]]
    seats += [(p, second, 1, 0) for p in people["Auser Brescia"]] + [(cancelled, second, 1, 0)]
    publish_seats(event, seats)
    for person in people["Cooperativa Alfa"][1:4]:
        facilitation.set_presence(first, person.id, 1, True, "f@example.org")
    event.start = start
    return event


def by_key(figure_list):
    return {figure.key: figure for figure in figure_list}


def hhmm(moment, event):
    from zoneinfo import ZoneInfo

    return moment.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(event.timezone)).strftime("%H:%M")


def test_arrivals_count_check_ins_in_force_per_10_minutes_in_local_time(app, day):
    rehearsal = register_someone(day)  # checked in at the desk's rehearsal, days before
    db.session.add(
        CheckIn(
            event_id=day.id,
            attendee_id=rehearsal.id,
            desk_name="Desk",
            checked_in_at=day.start - timedelta(days=3),
        )
    )
    db.session.commit()
    figure = figures.arrivals(day)
    starts = [hhmm(day.start + timedelta(minutes=10 * n), day) for n in range(6)]
    assert [row[0] for row in figure.rows] == starts, "local time, every slot from the first to the last"
    assert [row[2] for row in figure.rows] == [7, 0, 5, 0, 4, 2], "the undone check-in is not counted"
    in_force = db.session.scalar(select(db.func.count(CheckIn.id)).where(CheckIn.undone_at.is_(None)))
    assert sum(row[2] for row in figure.rows) == in_force - 1 == 18, "the rehearsal's day is left out"
    assert ("10:00", day.programme[0].title["en"]) in figure.marks, "the programme, in the reader's language"


def test_participant_types_languages_and_day_parts_match_the_script(app, day):
    found = by_key(figures.organiser_figures(day))
    assert found["participant_types"].rows == [
        ("Member of the network", 8, 7),
        ("Social or third-sector worker", 6, 5),
        ("Citizen", 4, 4),
        ("City staff", 3, 2),
    ], "registered (confirmed), arrived; the cancelled person is not registered"
    assert [row[1:] for row in found["languages"].rows] == [(17, 14), (4, 4)], "Italian, then English"
    plenary, lunch, cafe = found["day_parts"].rows
    assert plenary[1:] == lunch[1:] == (21, 18, 3), "registered, arrived, did not come"
    assert cafe[1:] == (18, 16, 2), "the people without an organisation did not choose the café"


def test_organisations_merge_spellings_and_group_the_rest(app, day):
    rows = figures.organisations(day).rows
    assert rows == [("Cooperativa Alfa", 7), ("Auser Brescia", 5), ("Piccola Realtà", 4)]
    assert figures.organisations(day, top=1).rows == [("Cooperativa Alfa", 7), ("Other organisations", 9)]


def test_table_fill_and_network_count_the_published_seats(app, day):
    found = by_key(figures.organiser_figures(day))
    fill = {(row[0], row[1]): row[2:] for row in found["table_fill"].rows}
    first, second = day.tables[0], day.tables[1]
    assert fill[(first.display_name, 1)] == (first.capacity, 12, 3), "seats, seated, present"
    assert fill[(second.display_name, 1)] == (second.capacity, 6, 0), "the cancelled seat is not filled"
    assert fill[(first.display_name, 2)] == (first.capacity, 0, 0)
    assert len(found["table_fill"].rows) == len(day.tables) * 3, "every table, every round"
    network = {row[0]: row[1:] for row in found["network"].rows}
    assert network["Cooperativa Alfa"][:2] == (7, 0) and network["Piccola Realtà"][:2] == (4, 0)
    assert network["Auser Brescia"][:2] == (0, 5), "arrived people only"
    assert found["network"].column_keys == ["organisation"] + [t.key for t in day.tables]


def counts_in(figure):
    return [cell for row in figure.rows for cell in row[1:] if isinstance(cell, int)]


def test_public_figures_show_no_group_smaller_than_5(app, day):
    public = by_key(figures_public.public_figures(day))
    for figure in public.values():
        small = [c for c in counts_in(figure) if 0 < c < SMALLEST_PUBLIC_GROUP and figure.key != "table_fill"]
        if figure.key == "table_fill":
            small = [row[3:] for row in figure.rows if any(0 < (c or 0) < 5 for c in row[3:])]
        assert not small, (figure.key, figure.rows)
    assert public["organisations"].rows == [
        ("Cooperativa Alfa", 7),
        ("Auser Brescia", 5),
        ("Other organisations", None),
    ], "Piccola Realtà's 4 merged, and the merged row still under 5 hidden"
    assert ("Other participants", 7, 6) in public["participant_types"].rows, (
        "citizens and City staff together"
    )
    assert public["languages"].rows[-1] == ("Other languages", None, None), "the 4 English speakers"
    assert [row[2] for row in public["arrivals"].rows] == [7, 0, 5, 0, 6], "the last two slots joined"
    assert public["day_parts"].rows[0][1:] == (21, 18, None), "3 no-shows hidden"
    network = {row[0]: row[1:] for row in public["network"].rows}
    assert "Piccola Realtà" not in network and network["Other organisations"][-1] is None


def test_public_page_partial_has_the_figures_and_no_small_count(app, day, client):
    with app.test_request_context():
        context = figures_public.public_context(day)
    assert [figure.key for figure, _svg in context["figures"]][:3] == [
        "arrivals",
        "participant_types",
        "organisations",
    ]
    html = app.jinja_env.get_template("results/_figures.html").render(**context)
    assert "Piccola Realtà" not in html and "&lt;5" in html
    assert html.count("<svg") == len(context["figures"]) and html.count("<details") == len(context["figures"])


def test_charts_are_svg_a_page_can_show_under_its_content_security_policy(app, day):
    with app.test_request_context():
        drawn = [(figure, charts.svg(figure)) for figure in figures.organiser_figures(day)]
    ids = []
    for figure, svg in drawn:
        root = ElementTree.fromstring(svg)
        assert (
            root.get("role") == "img" and root.find("{http://www.w3.org/2000/svg}title").text == figure.title
        )
        assert "style=" not in svg and "<style" not in svg, "inline styles would be refused by the CSP"
        assert "<script" not in svg and 'fill="#0072b2"' in svg.lower() or figure.key == "network"
        ids += [element.get("id") for element in root.iter() if element.get("id")]
    assert len(ids) == len(set(ids)), "ids unique across the page's charts"


def test_png_charts_are_pictures(app, day):
    with app.test_request_context(), force_locale("it"):
        drawn = {figure.key: charts.png(figure) for figure in figures.organiser_figures(day)}
        drawn |= {f"public-{f.key}": charts.png(f) for f in figures_public.public_figures(day)}
    OUT.mkdir(exist_ok=True)
    for key, data in drawn.items():
        assert data.startswith(b"\x89PNG") and len(data) > 10_000, key
        (OUT / f"{key}.png").write_bytes(data)


@pytest.fixture
def hostile_day(event):
    """Five arrived people for each hostile organisation name."""
    for n, payload in enumerate(CORPUS):
        for m in range(SMALLEST_PUBLIC_GROUP):
            person = register_someone(event, organisation_name=payload)
            check_in_attendee(event, person.id, None, f"hostile-{n}-{m}", desk_name="Desk 1")
    return event


def test_hostile_organisation_names_are_text_in_the_charts_and_tables(client, hostile_day, make_staff):
    _, admin = make_staff(Role.ADMIN)
    page = admin.get("/brescia-citta-del-noi/admin/results/figures/").get_data(as_text=True)
    public = client.get("/brescia-citta-del-noi/results/").get_data(as_text=True)
    for html in (page, public):
        for payload in CORPUS:
            assert "<" not in payload or payload not in html, f"{payload} raw in the page"
            assert str(escape(payload)) in html, f"{payload} shown, escaped, in the numbers' table"
        assert "{{ 7*7 }}" in html, "template code in a name is shown, not run"
    svgs = re.findall(r"<svg .*?</svg>", page, re.S)
    assert svgs and all(ElementTree.fromstring(svg) is not None for svg in svgs), "each chart well-formed"
    texts = [
        t.text or ""
        for svg in svgs
        for t in ElementTree.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")
    ]
    assert any("DROP TABLE" in text for text in texts), "a typed name is a text of the chart"


def test_organisers_page_shows_every_figure_to_admins_only(app, day, make_staff):
    _, admin = make_staff(Role.ADMIN)
    response = admin.get("/brescia-citta-del-noi/admin/results/figures/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    with force_locale("it"):  # the page's language
        titles = [figure.title for figure in figures.organiser_figures(day)]
    assert "Arrivi all'accreditamento, ogni 10 minuti" in titles
    for title in titles:
        assert str(escape(title)) in page, title
    assert "Piccola Realtà" in page, "the organisers see every organisation"
    assert "figures_refresh.js" in page
    fragment = admin.get("/brescia-citta-del-noi/admin/results/figures/?fragment=1").get_data(as_text=True)
    assert "<html" not in fragment and "Cooperativa Alfa" in fragment
    for role in (Role.DESK, Role.FACILITATOR):
        _, other = make_staff(role)
        assert other.get("/brescia-citta-del-noi/admin/results/figures/").status_code in (302, 403), role
    assert admin.application.test_client().get(
        "/brescia-citta-del-noi/admin/results/figures/"
    ).status_code in (302, 401, 403)


def test_arrived_matches_an_independent_count_per_organisation(app, day):
    arrived = {}
    for attendee in db.session.scalars(select(Attendee).where(Attendee.organisation_name.is_not(None))):
        if any(c.undone_at is None for c in attendee.check_ins):
            name = " ".join(attendee.organisation_name.split()).casefold()
            arrived[name] = arrived.get(name, 0) + 1
    rows = {name.casefold(): count for name, count in figures.organisations(day).rows}
    assert rows == arrived


def test_organisers_page_in_a_browser_draws_the_charts_and_refreshes_itself(
    app, day, live_server, desktop_page, tmp_path
):
    """Under the pages' Content-Security-Policy (a violation fails the test): the bars take the
    palette's colours, the numbers unfold, and a minute later a new arrival shows unasked."""
    from conftest import PASSWORD, staff_account

    organiser = staff_account("organiser@example.org", "Organiser", PASSWORD, "admin")
    page = desktop_page
    page.clock.install()
    page.goto(f"{live_server.url}/staff/login")
    page.locator("#email").fill(organiser.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.goto(f"{live_server.url}/brescia-citta-del-noi/admin/results/figures/")
    expect(page.locator("svg.chart")).to_have_count(7)
    bar = page.locator("#figure-participant_types svg.chart path[fill='#0072b2']").first
    assert bar.evaluate("(path) => getComputedStyle(path).fill") == "rgb(0, 114, 178)"
    assert bar.bounding_box()["width"] > 50, "the bar is drawn, not a speck"
    numbers = page.locator("#figure-organisations-numbers")
    numbers.locator("summary").click()
    expect(numbers.locator("tbody tr").first).to_contain_text("Cooperativa Alfa")
    page.screenshot(path=str(OUT / "admin-figures-page.png"), full_page=False)
    assert [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")] == []
    assert valid_html(page, tmp_path) == []

    newcomer = register_someone(day, organisation_name="Cooperativa Nuova Arrivata")
    check_in_attendee(day, newcomer.id, None, "fig-newcomer", desk_name="Desk 1")
    expect(page.locator("#figure-organisations")).not_to_contain_text("Cooperativa Nuova Arrivata")
    page.clock.fast_forward(61_000)
    expect(page.locator("#figure-organisations")).to_contain_text("Cooperativa Nuova Arrivata")
    expect(page.locator("#figure-organisations-numbers")).to_have_attribute("open", "")


def valid_html(page, folder) -> list[str]:
    """The Nu HTML checker's errors on the page as the browser holds it (and proof it ran)."""
    (folder / "page.html").write_text(page.content(), encoding="utf-8")
    (folder / "zz-broken.html").write_text(BROKEN, encoding="utf-8")
    errors = nu_errors(folder)
    assert errors.pop("zz-broken.html"), "the checker did not run"
    return errors.get("page.html", [])


def test_figures_fit_a_phone(app, day, live_server, page):
    from conftest import PASSWORD, staff_account

    organiser = staff_account("organiser@example.org", "Organiser", PASSWORD, "admin")
    page.goto(f"{live_server.url}/staff/login")
    page.locator("#email").fill(organiser.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.goto(f"{live_server.url}/brescia-citta-del-noi/admin/results/figures/")
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], "no sideways scrolling"
    chart = page.locator("#figure-network svg.chart").bounding_box()
    assert 300 <= chart["width"] <= 390
    page.screenshot(path=str(OUT / "admin-figures-phone.png"), full_page=False)
    assert [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")] == []
    assert sideways_overflow(page) == []


def test_public_figures_page_is_accessible_valid_html_and_shows_no_small_group(
    app, day, live_server, page, tmp_path
):
    page.goto(f"{live_server.url}/brescia-citta-del-noi/results/")
    figures_section = page.locator("section.day-figures")
    expect(figures_section.locator("svg.chart").first).to_be_visible()
    assert "Piccola Realtà" not in page.content()
    assert [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")] == []
    assert sideways_overflow(page) == []
    assert valid_html(page, tmp_path) == []


def test_organisers_page_counts_the_feedback_and_shows_the_answers_escaped(app, day, make_staff):
    from app.models import FeedbackAnswer, FeedbackRequest

    arrived = db.session.scalars(select(CheckIn.attendee_id).where(CheckIn.undone_at.is_(None))).all()
    for attendee_id in arrived:
        db.session.add(FeedbackRequest(event_id=day.id, attendee_id=attendee_id))
    for mark, text in zip(
        (5, 4, 4, 3, 5), [CORPUS[0], "Più tempo ai tavoli", "", "Bene", "Ottimo"], strict=True
    ):
        db.session.add(FeedbackAnswer(event_id=day.id, answers={"overall": mark, "take_home": text}))
    db.session.commit()
    _, admin = make_staff(Role.ADMIN)
    page = admin.get("/brescia-citta-del-noi/admin/results/figures/").get_data(as_text=True)
    section = page[page.index('id="feedback-heading"') :]
    assert "Questionari inviati: 18 · risposte: 5" in section
    assert "Nel complesso, com&#39;è stata la giornata?" in section
    assert "4,2" in section, "the average of 5, 4, 4, 3, 5, as Italians write it"
    assert '<td class="number">2</td>' in section, "two people gave 4 and two gave 5"
    assert "Più tempo ai tavoli" in section and str(escape(CORPUS[0])) in section and CORPUS[0] not in section


def test_a_name_with_dollars_or_any_script_is_drawn_as_typed(app):
    names = ["Cassa $mutua$ \\frac", "李小龙 Ἀλέξανδρος"]
    figure = figures.Figure(
        key="organisations", title="t", columns=["Organisation", "Arrivals"],
        column_keys=["organisation", "arrived"], rows=[(names[0], 6), (names[1], 5)],
    )  # fmt: skip
    root = ElementTree.fromstring(charts.svg(figure))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert all(name in texts for name in names), "not read as TeX, every letter kept"
