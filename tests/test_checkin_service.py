"""The check-in service's own answers, without HTTP (tests/test_checkin_api.py goes through the API)."""

from helpers import register_someone
from sqlalchemy import select

from app.checkin.badges import badge_token
from app.checkin.desks import create_desk_device
from app.checkin.services import ScanResult, check_in_attendee, scan
from app.extensions import db
from app.models import CheckIn


def test_a_request_id_of_another_persons_check_in_checks_nobody_in_and_shows_nothing(event):
    first, second = register_someone(event), register_someone(event)
    device, _token = create_desk_device(event, "Desk 1")
    made = check_in_attendee(event, first.id, device, "shared-request-id")
    assert made.result is ScanResult.CHECKED_IN and not made.request_id_reused

    replay = check_in_attendee(event, first.id, device, "shared-request-id")
    assert replay.result is ScanResult.CHECKED_IN and not replay.request_id_reused, "a replay is no reuse"
    for outcome in (
        check_in_attendee(event, second.id, device, "shared-request-id"),
        scan(event, badge_token(second), device, "shared-request-id"),
    ):
        assert outcome.request_id_reused
        assert outcome.check_in is None, "the first person's check-in is not this desk's to see"
    checked_in = db.session.scalars(select(CheckIn.attendee_id).where(CheckIn.undone_at.is_(None))).all()
    assert checked_in == [first.id]
