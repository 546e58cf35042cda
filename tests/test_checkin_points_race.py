"""Two desks scan one badge at one check-in point (lunch) at the same moment.

Each desk pauses after deciding (points._answer_without_writing) until the other desk has
decided too (or 1.5 s pass). Without the attendee's row lock both decide to write and the
partial unique index refuses the second; with it the second desk waits and reads the first
desk's scan. Either way: one record, one "already".
"""

import contextlib
import threading

from helpers import register_someone
from sqlalchemy import func, select

from app.checkin import points
from app.checkin.badges import badge_token
from app.checkin.desks import create_desk_device
from app.extensions import db
from app.models import DeskDevice, Event, PointScan


def scan_lunch_at_two_desks_at_once(app, event, monkeypatch):
    token = badge_token(register_someone(event))
    desk_ids = [create_desk_device(event, f"Lunch {n}")[0].id for n in (1, 2)]
    event_id = event.id
    both_decided = threading.Barrier(2, timeout=1.5)
    decided_to_write = []
    answer_without_writing = points._answer_without_writing

    def decide_then_wait_for_the_other_desk(*args):
        outcome = answer_without_writing(*args)
        if outcome is None:
            decided_to_write.append(1)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_decided.wait()  # broken: the other desk waits for our lock
        return outcome

    monkeypatch.setattr(points, "_answer_without_writing", decide_then_wait_for_the_other_desk)
    results = []

    def desk(desk_id):
        with app.app_context():
            the_event = db.session.get(Event, event_id)
            point = points.point_named(the_event, "lunch")
            outcome = points.scan_at_point(the_event, point, token, db.session.get(DeskDevice, desk_id), None)
            results.append(outcome.result.value)
            db.session.remove()

    threads = [threading.Thread(target=desk, args=(desk_id,)) for desk_id in desk_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    recorded = db.session.scalar(select(func.count()).select_from(PointScan))
    return sorted(results), len(decided_to_write), recorded


def test_without_the_row_lock_both_desks_decide_and_the_index_keeps_one(app, event, monkeypatch):
    monkeypatch.setattr(points, "lock_attendee", lambda attendee_id: None)
    results, decided, recorded = scan_lunch_at_two_desks_at_once(app, event, monkeypatch)
    assert decided == 2, "the race happens: both desks read 'not at lunch'"
    assert recorded == 1, "the partial unique index is the last word"
    assert results == ["already_checked_in", "checked_in"]


def test_with_the_row_lock_one_lunch_scan_and_one_already(app, event, monkeypatch):
    results, decided, recorded = scan_lunch_at_two_desks_at_once(app, event, monkeypatch)
    assert decided == 1, "the second desk waited for the lock, then saw the first desk's scan"
    assert recorded == 1
    assert results == ["already_checked_in", "checked_in"]
