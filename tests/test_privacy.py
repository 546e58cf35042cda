import json
from datetime import datetime

from conftest import csrf_from
from helpers import register_someone
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attendee, OutboxMessage
from app.services.checkin import check_in_attendee
from app.services.desks import create_desk_device
from app.services.privacy import purge
from app.services.tokens import manage_token


def test_attendee_downloads_everything_we_hold(client, event):
    attendee = register_someone(event, first_name="Gioele", dietary_needs="Senza lattosio")
    response = client.get(f"/r/{manage_token(attendee)}/data.json")
    data = json.loads(response.data)
    assert data["first_name"] == "Gioele" and data["dietary_needs"] == "Senza lattosio"
    assert data["consent"]["privacy_notice_version"] == event.privacy_version
    assert data["messages"][0]["status"] == "queued"
    assert "attachment" in response.headers["Content-Disposition"]


def test_attendee_deletes_registration_and_data_and_the_place_goes_on(client, event):
    lunch = next(p for p in event.day_parts if p.kind == "lunch")
    lunch.capacity = 1
    db.session.commit()
    leaving, waiting = register_someone(event, first_name="Zelda"), register_someone(event)
    token = manage_token(leaving)
    page = client.get(f"/r/{token}/delete").get_data(as_text=True)
    client.post(f"/r/{token}/delete", data={"csrf_token": csrf_from(page)})
    db.session.expire_all()
    assert (
        leaving.first_name != "Zelda" and leaving.email.endswith("@invalid") and leaving.status == "cancelled"
    )
    assert (
        db.session.scalar(select(func.count()).select_from(OutboxMessage).filter_by(attendee_id=leaving.id))
        == 0
    )
    assert waiting.part(lunch.id).status == "confirmed"
    assert client.get(f"/r/{token}").status_code == 404, "the old link is dead"


def test_purge_anonymises_after_the_event_and_keeps_the_figures(app, event):
    attendee = register_someone(event, first_name="Ottone", organisation_name="Auser Brescia")
    device, _ = create_desk_device(event, "Desk 1")
    check_in_attendee(event, attendee.id, device, "r1")
    runner = app.test_cli_runner()
    assert "anonymised=0" in runner.invoke(args=["privacy", "purge", "--after", "30"]).output
    assert purge(30, now=datetime(2027, 9, 1)) == 1
    db.session.expire_all()
    kept = db.session.get(Attendee, attendee.id)
    assert kept.first_name != "Ottone" and kept.organisation_name == "Auser Brescia"
    assert kept.participant_type == "citizen" and len(kept.check_ins) == 1 and kept.parts
    assert purge(30, now=datetime(2027, 9, 1)) == 0, "already anonymous"
