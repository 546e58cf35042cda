"""The arrivals page: the people expected (confirmed) and not yet checked in, counted,
filterable by day part, world café table (the published assignment) and organisation; the
same list after the day is the no-show list. Organisers and the desk see it, read-only."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from helpers import part_ids, register_someone, second_event
from sqlalchemy import event as sa_event

from app.checkin.arrivals import ArrivalFilter, arrivals, is_after_the_day
from app.checkin.badges import badge_token
from app.checkin.desks import create_desk_device
from app.checkin.services import check_in_attendee, undo_check_in
from app.extensions import db
from app.models import DayPartKind, Role
from app.registration.cancellation import cancel_registration
from app.worldcafe import services as world_cafe

LIST = "/brescia-citta-del-noi/arrivals/list.json"


@pytest.fixture
def desk_device(event):
    return create_desk_device(event, "Desk 1")[0]


@pytest.fixture
def admin(make_staff):
    return make_staff(Role.ADMIN)[1]


@pytest.fixture
def desk(make_staff):
    return make_staff(Role.DESK)[1]


def names(answer: dict) -> list[str]:
    return [person["name"] for person in answer["people"]]


def test_the_list_counts_down_as_people_arrive_and_an_undone_check_in_counts_again(event, admin, desk_device):
    anna, bruno, carla = (register_someone(event, first_name=n, last_name="Rossi") for n in "ABC")
    answer = admin.get(LIST).get_json()
    assert (answer["expected"], answer["arrived"], answer["not_arrived"]) == (3, 0, 3)
    check_in = check_in_attendee(event, bruno.id, desk_device, "r-1").check_in
    answer = admin.get(LIST).get_json()
    assert (answer["arrived"], answer["not_arrived"]) == (1, 2)
    assert names(answer) == ["A Rossi", "C Rossi"], "by name, without who arrived"
    undo_check_in(check_in.id, event, "admin@example.org")
    assert admin.get(LIST).get_json()["not_arrived"] == 3, "an undone check-in is not an arrival"


def test_only_confirmed_people_are_expected(event, admin):
    register_someone(event, first_name="Confermata")
    cancel_registration(register_someone(event, first_name="Annullata"), cancelled_by="test")
    event.capacity = 1
    db.session.commit()
    waiting = register_someone(event, first_name="Attesa")
    assert waiting.status == "waitlisted"
    assert [n.split()[0] for n in names(admin.get(LIST).get_json())] == ["Confermata"]


def test_filters_by_day_part_table_and_organisation(event, admin):
    morning_only = register_someone(
        event, first_name="Mattina", day_part_ids=part_ids(event, DayPartKind.PLENARY)
    )
    first, second = event.tables[0], event.tables[1]
    at_first = register_someone(
        event, first_name="Primo", table_ids=[first.id], organisation_name="Auser Brescia"
    )
    at_second = register_someone(
        event, first_name="Secondo", table_ids=[second.id], organisation_name="Co.Li.Brì"
    )
    world_cafe.publish(world_cafe.run_assignment(event, "admin@example.org"), "admin@example.org")

    lunch = next(p for p in event.day_parts if p.kind == DayPartKind.LUNCH)
    by_lunch = admin.get(LIST, query_string={"part": lunch.id}).get_json()
    assert morning_only.full_name not in names(by_lunch) and at_first.full_name in names(by_lunch)
    assert by_lunch["expected"] == 2

    by_table = admin.get(LIST, query_string={"table": first.id}).get_json()
    assert names(by_table) == [at_first.full_name]
    assert by_table["people"][0]["tables"] == [first.display_name], "three rounds at one table: named once"

    by_organisation = admin.get(LIST, query_string={"organisation": "auser"}).get_json()
    assert names(by_organisation) == [at_first.full_name], "part of the name, any case"
    both = admin.get(LIST, query_string={"table": second.id, "organisation": "auser"}).get_json()
    assert both["expected"] == 0 and both["people"] == []
    assert at_second.full_name in names(admin.get(LIST).get_json())


def test_the_page_shows_the_filtered_list_and_keeps_the_filters(event, admin):
    first = event.tables[0]
    register_someone(event, first_name="Primo", table_ids=[first.id], organisation_name="Auser")
    register_someone(event, first_name="Altro", table_ids=[event.tables[1].id], organisation_name="Socialis")
    world_cafe.publish(world_cafe.run_assignment(event, "admin@example.org"), "admin@example.org")
    page = admin.get("/brescia-citta-del-noi/arrivals/", query_string={"table": first.id}).get_data(
        as_text=True
    )
    assert "Non ancora arrivati" in page and "Primo" in page and "Altro" not in page
    assert f'<option value="{first.id}" selected>' in page
    assert "Non ancora arrivati: 1 su 1 attesi" in page


def test_before_publication_the_page_says_no_one_is_at_a_table(event, admin):
    register_someone(event)
    page = admin.get("/brescia-citta-del-noi/arrivals/").get_data(as_text=True)
    assert "Nessuna assegnazione dei world café è ancora pubblicata" in page
    assert admin.get(LIST, query_string={"table": event.tables[0].id}).get_json()["expected"] == 0


def test_after_the_day_it_is_the_no_show_list(event, admin, desk_device):
    came, stayed_home = (
        register_someone(event, first_name="Venuta"),
        register_someone(event, first_name="Assente"),
    )
    check_in_attendee(event, came.id, desk_device, "r-1")
    event.date = date.today() - timedelta(days=2)
    db.session.commit()
    answer = admin.get(LIST).get_json()
    assert answer["after_the_day"] is True and names(answer) == [stayed_home.full_name]
    page = admin.get("/brescia-citta-del-noi/arrivals/").get_data(as_text=True)
    assert '<h1 id="arrivals-title">Assenti</h1>' in page
    assert "Non sono venuti: 1 su 2 attesi" in page


def test_the_day_ends_at_midnight_in_the_event_time_zone(event):
    rome = ZoneInfo("Europe/Rome")
    day = event.date
    assert not is_after_the_day(event, datetime(day.year, day.month, day.day, 23, 59, tzinfo=rome))
    # 23:30 UTC on the day is already the next day in Rome (summer time)
    assert is_after_the_day(event, datetime(day.year, day.month, day.day, 23, 30, tzinfo=ZoneInfo("UTC")))


def test_another_event_s_people_are_never_listed(event, admin):
    ours = register_someone(event, first_name="Nostra")
    other = second_event()
    stranger = register_someone(other, first_name="Estranea", table_ids=[other.tables[0].id])
    world_cafe.publish(world_cafe.run_assignment(other, "admin@example.org"), "admin@example.org")
    answer = admin.get(LIST).get_json()
    assert names(answer) == [ours.full_name] and answer["expected"] == 1
    assert stranger.full_name not in admin.get("/brescia-citta-del-noi/arrivals/").get_data(as_text=True)
    # the other event's table or day part is no filter of this event's list
    refused = admin.get(LIST, query_string={"table": other.tables[0].id})
    assert refused.status_code == 400 and refused.get_json()["error"] == "bad_request"
    assert admin.get(LIST, query_string={"part": other.day_parts[0].id}).status_code == 400
    assert (
        admin.get("/brescia-citta-del-noi/arrivals/", query_string={"table": other.tables[0].id}).status_code
        == 400
    )


@pytest.mark.parametrize(
    "query", [{"part": "x"}, {"table": "0"}, {"part": "99999999999"}, {"organisation": "a\x00b"}]
)
def test_a_filter_no_list_could_match_is_refused(event, admin, query):
    assert admin.get(LIST, query_string=query).status_code == 400
    assert admin.get("/brescia-citta-del-noi/arrivals/", query_string=query).status_code == 400


def test_the_desk_sees_the_list_without_links_to_attendee_pages(event, admin, desk):
    someone = register_someone(event)
    assert desk.get(LIST).get_json()["people"][0]["url"] is None
    assert f"/brescia-citta-del-noi/admin/attendees/{someone.id}" not in desk.get(
        "/brescia-citta-del-noi/arrivals/"
    ).get_data(as_text=True)
    assert (
        admin.get(LIST).get_json()["people"][0]["url"]
        == f"/brescia-citta-del-noi/admin/attendees/{someone.id}"
    )


def test_facilitators_and_visitors_are_kept_out(event, client, make_staff):
    register_someone(event)
    facilitator = make_staff(Role.FACILITATOR)[1]
    assert (
        facilitator.get(LIST).status_code == 403
        and facilitator.get("/brescia-citta-del-noi/arrivals/").status_code == 403
    )
    assert client.get(LIST).status_code == 302


def test_menu_and_desk_link_to_it(event, admin, desk):
    assert 'href="/brescia-citta-del-noi/arrivals/"' in admin.get("/brescia-citta-del-noi/admin/").get_data(
        as_text=True
    )
    assert 'href="/brescia-citta-del-noi/arrivals/"' in desk.get("/brescia-citta-del-noi/desk/").get_data(
        as_text=True
    )


def test_the_list_takes_the_same_queries_whatever_the_number_of_people(event):
    for n in range(6):
        register_someone(event, organisation_name=f"Org {n}")
    world_cafe.publish(world_cafe.run_assignment(event, "admin@example.org"), "admin@example.org")
    filters = ArrivalFilter(table_id=event.tables[0].id, organisation="org")  # the event, loaded
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa_event.listen(db.engine, "before_cursor_execute", listener)
    try:
        result = arrivals(event, filters)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listener)
    assert result.expected >= 1 and all(person.tables for person in result.not_arrived)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, selects  # the counts, the names with their tables


def test_a_long_list_names_the_first_by_name_and_counts_everyone(event, admin, desk_device, monkeypatch):
    people = [register_someone(event, first_name=n, last_name="Neri") for n in "EDCBA"]
    check_in_attendee(event, people[0].id, desk_device, "r-1")  # E arrived
    monkeypatch.setattr("app.checkin.arrivals.NAMES_SHOWN", 2)
    answer = admin.get(LIST).get_json()
    assert (answer["expected"], answer["arrived"], answer["not_arrived"]) == (5, 1, 4)
    assert names(answer) == ["A Neri", "B Neri"], "the first two not arrived, by name"
    page = admin.get("/brescia-citta-del-noi/arrivals/").get_data(as_text=True)
    assert "Non ancora arrivati: 4 su 5 attesi" in page
    assert "I primi 2 per nome: altri 2 non mostrati." in page
    assert "C Neri" not in page
    narrowed = admin.get(LIST, query_string={"organisation": "nobody"}).get_json()
    assert narrowed["not_arrived"] == 0 and narrowed["people"] == []


# ---- Per part of the day (check-in points: app/checkin/points.py) -----------------------


def _scan_at(event, attendee, key):
    from app.checkin.points import point_named, scan_at_point

    device = create_desk_device(event, f"Desk {key}")[0]
    return scan_at_point(event, point_named(event, key), badge_token(attendee), device, None)


def test_each_day_part_counts_expected_arrived_and_not_yet_apart_from_the_door(event, admin):
    from app.checkin.point_counts import part_counts
    from app.checkin.services import check_in_attendee
    from app.facilitation.attendance import set_presence
    from app.models import DayPartKind

    everyone = [register_someone(event) for _ in range(4)]
    plenary_only = register_someone(event, day_part_ids=part_ids(event, DayPartKind.PLENARY))
    world_cafe.publish(world_cafe.run_assignment(event, "admin@example.org"), "admin@example.org")
    check_in_attendee(event, everyone[0].id, None, None)  # the door
    check_in_attendee(event, plenary_only.id, None, None)
    _scan_at(event, everyone[0], "lunch")
    _scan_at(event, everyone[1], "lunch")  # at lunch without the door's check-in: counted at lunch
    _scan_at(event, everyone[2], "world-cafe")
    seat = next(s for s in world_cafe.published_seats(everyone[3]) if s.round == 2)
    set_presence(seat.cafe_table, everyone[3].id, 2, True, "facilitator@example.org")  # at their table

    counts = {c.key: (c.expected, c.arrived, c.not_yet, c.own_check_in) for c in part_counts(event)}
    assert counts == {"plenary": (5, 2, 3, False), "lunch": (4, 2, 2, True), "world-cafe": (4, 2, 2, True)}

    # The page shows them, and the list for lunch names who is not at lunch yet.
    lunch = event.day_part(DayPartKind.LUNCH)
    answer = admin.get(f"/brescia-citta-del-noi/arrivals/list.json?part={lunch.id}").get_json()
    assert [p["key"] for p in answer["parts"]] == ["plenary", "lunch", "world-cafe"]
    assert (answer["expected"], answer["arrived"], answer["not_arrived"]) == (4, 2, 2)
    assert {p["id"] for p in answer["people"]} == {everyone[2].id, everyone[3].id}
    page = admin.get(f"/brescia-citta-del-noi/arrivals/?part={lunch.id}").get_data(as_text=True)
    assert 'data-part="lunch"' in page and 'data-part="world-cafe"' in page


def test_the_exit_row_counts_who_left_of_those_checked_in(event, admin):
    from app.checkin.point_counts import part_counts
    from app.checkin.services import check_in_attendee

    event.exit_scans = True
    db.session.commit()
    one, two = register_someone(event), register_someone(event)
    check_in_attendee(event, one.id, None, None)
    check_in_attendee(event, two.id, None, None)
    _scan_at(event, one, "exit")
    exit_count = part_counts(event)[-1]
    assert (exit_count.key, exit_count.expected, exit_count.arrived) == ("exit", 2, 1)
