"""The desk at another check-in point than the door, in a real browser: the desk chooses
lunch or the world café, sees it big on the screen, and its scans are counted apart from
the door's check-ins (app/checkin/points.py); the choice is remembered on the device and
goes with each scan, the offline queue's too."""

from helpers import register_someone
from playwright.sync_api import expect
from sqlalchemy import func, select
from test_browser_desk import REPLAY_WAIT_MS, expect_result, in_italian, open_desk, scan_with_wedge  # noqa: F401

from app.checkin.badges import badge_token
from app.extensions import db
from app.models import CheckIn, DayPartKind, PointScan
from app.worldcafe import services as world_cafe


def counted() -> dict:
    """In force: the door's check-ins, and the scans per point (day part key or exit)."""
    db.session.rollback()  # see what the live server committed
    door = db.session.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.undone_at.is_(None)))
    points = {}
    for scan in db.session.scalars(select(PointScan).where(PointScan.undone_at.is_(None))):
        key = scan.day_part.key if scan.day_part else "exit"
        points[key] = points.get(key, 0) + 1
    return {"door": door, **points}


def choose_point(page, key):
    page.locator("#desk-point-choice").select_option(key)
    expect(page.locator("#desk-point")).to_have_attribute("data-point", key)
    expect(page.locator("#scan-code")).to_be_focused()


def test_a_lunch_scan_and_a_world_cafe_scan_are_counted_apart_from_the_door(
    event,
    live_server,
    desk_user,
    desk_token,
    desktop_page,
    in_italian,  # noqa: F811
):
    page = desktop_page
    ada = register_someone(event, first_name="Ada", last_name="Lovelace")
    world_cafe.publish(world_cafe.run_assignment(event, "organiser@example.org"), "organiser@example.org")
    open_desk(page, live_server, desk_user, desk_token)
    lunch = event.day_part(DayPartKind.LUNCH).name["it"]
    expect(page.locator("#desk-point-name")).to_have_text(in_italian("Door"))

    choose_point(page, "lunch")
    expect(page.locator("#desk-point-name")).to_have_text(lunch)  # big, for the staff to see
    scan_with_wedge(page, badge_token(ada))
    expect_result(page, "green", "Ada Lovelace", lunch)
    assert counted() == {"door": 0, "lunch": 1}
    scan_with_wedge(page, badge_token(ada))
    expect_result(page, "amber", "Ada Lovelace", lunch, "Desk 2")
    assert counted() == {"door": 0, "lunch": 1}

    page.reload()  # the device remembers where it scans
    expect(page.locator("#desk")).to_have_attribute("data-ready", "true")
    expect(page.locator("#desk-point-choice")).to_have_value("lunch")

    choose_point(page, "world-cafe")
    scan_with_wedge(page, badge_token(ada))
    db.session.rollback()
    seat = next(s for s in world_cafe.published_seats(db.session.get(type(ada), ada.id)) if s.round == 1)
    panel = expect_result(page, "green", "Ada Lovelace")
    expect(panel.locator(".result-go")).to_contain_text(seat.cafe_table.name["it"])  # where to go
    assert counted() == {"door": 0, "lunch": 1, "world-cafe": 1}

    choose_point(page, "door")
    scan_with_wedge(page, badge_token(ada))
    expect_result(page, "green", "Ada Lovelace", in_italian("Checked in"))
    assert counted() == {"door": 1, "lunch": 1, "world-cafe": 1}


def test_a_lunch_scan_made_offline_is_sent_for_lunch(
    event,
    live_server,
    desk_user,
    desk_token,
    desktop_page,
    in_italian,  # noqa: F811
):
    page = desktop_page
    rita = register_someone(event, first_name="Rita", last_name="Levi-Montalcini")
    open_desk(page, live_server, desk_user, desk_token)
    choose_point(page, "lunch")
    page.context.set_offline(True)
    scan_with_wedge(page, badge_token(rita))
    expect_result(page, "blue", in_italian("Saved offline"))
    assert page.evaluate("JSON.parse(localStorage.getItem('noiday.deskQueue'))[0].point") == "lunch"
    page.context.set_offline(False)
    expect(page.locator("#replayed-list li[data-result=green]")).to_have_count(1, timeout=REPLAY_WAIT_MS)
    assert counted() == {"door": 0, "lunch": 1}


def test_undo_at_lunch_undoes_the_lunch_scan_not_the_door(
    event,
    live_server,
    desk_user,
    desk_token,
    desktop_page,
    in_italian,  # noqa: F811
):
    page = desktop_page
    grace = register_someone(event, first_name="Grace", last_name="Hopper")
    open_desk(page, live_server, desk_user, desk_token)
    scan_with_wedge(page, badge_token(grace))  # the door first
    expect_result(page, "green", "Grace Hopper")
    choose_point(page, "lunch")
    scan_with_wedge(page, badge_token(grace))
    panel = expect_result(page, "green", "Grace Hopper")
    panel.get_by_role("button", name=in_italian("Undo check-in")).click()
    expect(page.locator("#result")).to_have_attribute("data-result", "info")
    assert counted() == {"door": 1}
