"""The world café assignment wired to the database, the pages, the badge, the desk and e-mail."""

import re

import pypdfium2
import pytest
from conftest import csrf_from
from helpers import register_someone
from sqlalchemy import func, select

from app.checkin.badges import badge_token
from app.checkin.desks import create_desk_device
from app.extensions import db
from app.models import AssignmentRun, OutboxMessage, RegistrationGroup, Role, SeatAssignment
from app.registration.tokens import manage_token
from app.worldcafe import services as world_cafe


def register_with_choices(event, *table_indexes, **extra):
    return register_someone(event, table_ids=[event.tables[i].id for i in table_indexes], **extra)


@pytest.fixture
def crowd(event):
    """Fifteen people, most wanting table 0 (capacity cut to 6), the rest spread."""
    event.tables[0].capacity = 6
    db.session.commit()
    people = [register_with_choices(event, 0, 1, 2, organisation_name=f"Org {n % 4}") for n in range(10)]
    people += [register_with_choices(event, 3, 4) for _ in range(5)]
    return people


def put_in_groups(event, key_of):
    """Registration groups, as contacts would have registered them: one per distinct key."""
    groups = {}
    for attendee, key in key_of.items():
        if key not in groups:
            groups[key] = RegistrationGroup(
                event=event, contact_name=f"Contact {key}", contact_email=f"c{key}@example.org"
            )
        attendee.group = groups[key]
    db.session.commit()


def seats_round_1(run):
    return {s.attendee_id: s for s in run.seats if s.round == 1}


def test_run_seats_everyone_within_their_choices_and_keeps_the_run(event, crowd):
    run = world_cafe.run_assignment(event, created_by="boss@example.org")
    seats = seats_round_1(run)
    assert len(seats) == 15
    assert all(seat.choice_rank in (1, 2, 3) for seat in seats.values())
    assert sum(1 for s in seats.values() if s.cafe_table_id == event.tables[0].id) == 6
    summary = run.summary
    assert summary["counts"]["first"] == summary["best_possible"]["first_choices"] == 11
    assert summary["counts"]["outside"] == 0
    assert run.created_by == "boss@example.org" and len(run.inputs_hash) == 64
    assert {s.round for s in run.seats} == {1, 2, 3}, "MO.CA has three rounds"


def test_same_inputs_and_seed_give_the_same_assignment(event, crowd):
    first = world_cafe.run_assignment(event, "a", seed=7)
    second = world_cafe.run_assignment(event, "a", seed=7)
    assert first.inputs_hash == second.inputs_hash
    layout = lambda run: sorted((s.attendee_id, s.round, s.cafe_table_id, s.small_table) for s in run.seats)  # noqa: E731
    assert layout(first) == layout(second)


def test_publishing_tells_everyone_then_only_those_whose_table_changed(event, crowd):
    run = world_cafe.run_assignment(event, "a")
    assert world_cafe.publish(run, "a") == 15
    late = register_with_choices(event, 5)
    rerun = world_cafe.run_assignment(event, "a")
    before, after = seats_round_1(run), seats_round_1(rerun)
    assert all(after[pid].cafe_table_id == before[pid].cafe_table_id for pid in before), "everyone stays"
    assert world_cafe.publish(rerun, "a") == 1
    last = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert (last.kind, last.attendee_id) == ("assignment", late.id)


def test_attendee_page_badge_and_desk_show_the_published_table_and_why(client, event, crowd):
    unlucky = crowd[9]
    run = world_cafe.run_assignment(event, "a")
    world_cafe.publish(run, "a")
    seat = seats_round_1(run)[unlucky.id]
    table = next(t for t in event.tables if t.id == seat.cafe_table_id)
    page = client.get(f"/brescia-citta-del-noi/r/{manage_token(unlucky)}").get_data(as_text=True)
    assert table.name["it"] in page
    if seat.choice_rank > 1:
        assert "prime scelte per" in page or "first choices for" in page
    pdf = client.get(f"/brescia-citta-del-noi/r/{manage_token(unlucky)}/badge.pdf").data
    text = "".join(pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range().split())
    assert "".join(table.name["it"].split())[:12] in text
    _, token = create_desk_device(event, "Desk 1")
    answer = client.post(
        "/api/v1/scan", json={"code": badge_token(unlucky)}, headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert [t["round"] for t in answer["attendee"]["tables"]] == [1, 2, 3]
    assert answer["attendee"]["tables"][0]["name"] == table.name["it"]


def test_organisers_run_compare_move_and_publish_from_the_page(event, crowd, make_staff):
    _, admin = make_staff(Role.ADMIN)
    page = admin.get("/brescia-citta-del-noi/admin/assignment/").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "mixing_weight": "0", "seed": "1"}
    response = admin.post("/brescia-citta-del-noi/admin/assignment/", data=form)
    run_id = db.session.scalar(select(func.max(AssignmentRun.id)))
    assert response.headers["Location"].endswith(f"/brescia-citta-del-noi/admin/assignment/runs/{run_id}")
    page = admin.get(f"/brescia-citta-del-noi/admin/assignment/runs/{run_id}?compare={run_id}").get_data(
        as_text=True
    )
    assert "11" in page and "Prima infanzia" in page
    mover = crowd[10]
    moved = admin.post(
        f"/brescia-citta-del-noi/admin/assignment/runs/{run_id}",
        data={"csrf_token": csrf_from(page), "person": mover.full_name, "table_id": event.tables[0].id},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "capienza" in moved or "capacity" in moved, "moving into a full table warns"
    seat = db.session.scalars(
        select(SeatAssignment).filter_by(run_id=run_id, attendee_id=mover.id, round=1)
    ).one()
    assert seat.cafe_table_id == event.tables[0].id and seat.moved_by_hand
    confirm = admin.get(f"/brescia-citta-del-noi/admin/assignment/runs/{run_id}/publish").get_data(
        as_text=True
    )
    plan = re.search(r'name="plan" type="hidden" value="([0-9a-f]{16})"', confirm).group(1)
    admin.post(
        f"/brescia-citta-del-noi/admin/assignment/runs/{run_id}/publish",
        data={"csrf_token": csrf_from(page), "plan": plan},
    )
    assert db.session.get(AssignmentRun, run_id).published_at is not None


def test_mixing_setting_reports_what_it_costs(event):
    for _ in range(8):
        register_with_choices(event, 0, 1, organisation_name="Same Org")
    run = world_cafe.run_assignment(event, "a", mixing_weight=5)
    assert run.summary["mixing"] is not None
    assert "first_choices_given_up" in run.summary["mixing"]


def test_desk_counters_show_each_table_checked_in_against_expected(client, event, crowd):
    world_cafe.publish(world_cafe.run_assignment(event, "a"), "a")
    _, token = create_desk_device(event, "Desk 1")
    headers = {"Authorization": f"Bearer {token}"}
    client.post("/api/v1/scan", json={"code": badge_token(crowd[0])}, headers=headers)
    tables = client.get("/api/v1/counters", headers=headers).get_json()["tables"]
    assert sum(t["expected"] for t in tables) == 15
    assert sum(t["checked_in"] for t in tables) == 1


def test_organisers_pin_a_person_and_the_next_run_respects_it(event, crowd, make_staff):
    _, admin = make_staff(Role.ADMIN)
    speaker = crowd[0]
    page = admin.get(f"/brescia-citta-del-noi/admin/attendees/{speaker.id}").get_data(as_text=True)
    admin.post(
        f"/brescia-citta-del-noi/admin/attendees/{speaker.id}",
        data={"csrf_token": csrf_from(page), "pinned_table_id": event.tables[5].id},
    )
    db.session.expire_all()
    run = world_cafe.run_assignment(event, "a")
    assert seats_round_1(run)[speaker.id].cafe_table_id == event.tables[5].id


def test_admin_prints_an_a4_sheet_of_badges(event, crowd, make_staff):
    _, admin = make_staff(Role.ADMIN)
    pdf = admin.get("/brescia-citta-del-noi/admin/badges.pdf").data
    assert len(pypdfium2.PdfDocument(pdf)) == 2, "15 badges, 10 per A4 page"


def test_organisers_keep_groups_together_and_the_run_shows_it(event, make_staff, italian):
    # Four friends and four others all want table 0 first; it has four seats.
    event.tables[0].capacity = 4
    db.session.commit()
    friends = [register_with_choices(event, 0, 1) for _ in range(4)]
    others = [register_with_choices(event, 0, 1) for _ in range(4)]
    put_in_groups(event, {a: "friends" for a in friends})
    group_of = {a.id for a in friends}
    _, admin = make_staff(Role.ADMIN)
    page = admin.get("/brescia-citta-del-noi/admin/assignment/").get_data(as_text=True)
    assert italian("Keep each group at one table") in page and italian("Weight of groups") in page
    form = {"csrf_token": csrf_from(page), "mixing_weight": "0", "seed": "0", "groups": "together"}
    admin.post("/brescia-citta-del-noi/admin/assignment/", data=form)
    run = db.session.scalars(select(AssignmentRun).order_by(AssignmentRun.id.desc())).first()
    assert (run.parameters["groups"], run.parameters["group_weight"]) == ("together", 0.0)
    tables = {s.cafe_table_id for s in seats_round_1(run).values() if s.attendee_id in group_of}
    assert len(tables) == 1, "the four friends sit at one table"
    assert run.summary["counts"]["first"] == 4, "and nobody loses a first choice for it"
    assert run.summary["groups"]["together"] == 1 and run.summary["groups"]["first_choices_given_up"] == 0
    shown = admin.get(f"/brescia-citta-del-noi/admin/assignment/runs/{run.id}").get_data(as_text=True)
    assert italian("groups kept together, weight %(w)s", w="0.0") in shown
    before = run.summary["groups"]["together_ignoring"]
    kept = "%(kept)d of %(groups)d (%(split)d split); ignoring groups: %(before)d"
    assert italian(kept, kept=1, groups=1, split=0, before=before) in shown
    assert italian("%(lost)d first choices given up (%(lost2)d first or second)", lost=0, lost2=0) in shown
    assert all(seats_round_1(run)[a.id].choice_rank in (1, 2) for a in others)


def test_spreading_groups_is_kept_with_the_run_and_ignoring_them_changes_nothing(event, crowd):
    plain = world_cafe.run_assignment(event, "a", seed=3)
    put_in_groups(event, {a: a.id % 3 for a in crowd})
    ignored = world_cafe.run_assignment(event, "a", seed=3, groups="ignore")
    layout = lambda run: sorted((s.attendee_id, s.round, s.cafe_table_id, s.small_table) for s in run.seats)  # noqa: E731
    assert layout(ignored) == layout(plain) and ignored.summary["groups"] is None
    spread = world_cafe.run_assignment(event, "a", seed=3, groups="spread", group_weight=1.5)
    assert (spread.parameters["groups"], spread.parameters["group_weight"]) == ("spread", 1.5)
    assert spread.summary["groups"]["groups"] == 3 and spread.summary["groups"]["mode"] == "spread"


def test_a_group_setting_not_offered_is_refused_and_nothing_runs(event, crowd, make_staff):
    _, admin = make_staff(Role.ADMIN)
    page = admin.get("/brescia-citta-del-noi/admin/assignment/").get_data(as_text=True)
    for field, bad in (("groups", {"groups": "close"}), ("group_weight", {"group_weight": "11"})):
        form = {"csrf_token": csrf_from(page), "mixing_weight": "0", "seed": "0", "groups": "together", **bad}
        answer = admin.post("/brescia-citta-del-noi/admin/assignment/", data=form)
        shown = answer.get_data(as_text=True)
        assert answer.status_code == 200 and f'<p class="error" id="{field}-error">' in shown, field
        assert f'value="{bad[field]}"' in shown or field == "groups", "what was typed is kept"
    assert db.session.scalar(select(func.count(AssignmentRun.id))) == 0
