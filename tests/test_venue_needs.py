"""Numbers and needs for the venue and the caterer: places per part of the day, and who
asked for what, counting only people who are really coming."""

from helpers import part_ids, register_someone

from app.extensions import db
from app.models import AttendeeStatus, DayPartKind, Role, localized
from app.registration.cancellation import cancel_registration


def test_the_caterer_sees_only_confirmed_lunch_guests_and_the_venue_every_access_need(event, make_staff):
    _, admin = make_staff(Role.ADMIN)
    lunch = next(part for part in event.day_parts if part.kind == DayPartKind.LUNCH)
    lunch.capacity = 2
    db.session.commit()
    register_someone(event, last_name="Celiaca", dietary_needs="Senza glutine")
    register_someone(event, last_name="Vegana", dietary_needs="Vegana", accessibility_needs="Sedia a rotelle")
    waiting = register_someone(event, last_name="Attesa", dietary_needs="Senza lattosio")
    assert [p.status for p in waiting.parts if p.day_part_id == lunch.id] == ["waitlisted"]
    register_someone(
        event,
        last_name="Mattina",
        day_part_ids=part_ids(event, DayPartKind.PLENARY),
        accessibility_needs="Interprete LIS",
    )
    gone = register_someone(event, last_name="Annullata", accessibility_needs="Rampa")
    cancel_registration(gone)
    assert gone.status == AttendeeStatus.CANCELLED

    page = admin.get("/brescia-citta-del-noi/admin/needs").get_data(as_text=True)
    dietary, access = page.split('id="access-heading"')
    assert "Senza glutine" in dietary and "Vegana" in dietary
    assert "Senza lattosio" not in dietary, "waiting for lunch: not yet the caterer's"
    assert "Pranzo: esigenze alimentari e allergie (2)" in dietary
    assert "Sedia a rotelle" in access and "Interprete LIS" in access
    assert "Rampa" not in access, "a cancelled registration needs nothing"
    lunch_row = dietary.split(localized(lunch.name, "it"))[1].split("</tr>")[0]
    assert "<td>2</td><td>1</td><td>2</td>" in lunch_row, "2 confirmed, 1 waiting, capacity 2"
