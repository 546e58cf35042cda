import base64
import json
from datetime import datetime

from conftest import csrf_from
from helpers import post_registration, register_someone
from sqlalchemy import func, select

from app.checkin.badges import BadgeCheck, badge_token, verify_badge_token
from app.checkin.desks import create_desk_device
from app.checkin.services import check_in_attendee
from app.extensions import db
from app.mail.unsubscribe import unsubscribe_token
from app.models import Attendee, AuditAction, OutboxMessage
from app.registration.audit import audit
from app.registration.privacy import purge
from app.registration.tokens import manage_token

# What one attendee types into the form: none of it may outlive the deletion of their data.
TYPED = dict(
    first_name="Ermenegilda",
    last_name="Quarantotto",
    email="ermenegilda.q@example.org",
    phone="+39 333 9876543",
    organisation="Cooperativa Il Melograno di Ermenegilda",
    dietary_needs="Allergia alle arachidi",
    accessibility_needs="Cane guida, posto vicino all'uscita",
)


def texts_in_database() -> str:
    """Every value of every row of every table, as one text (JSON columns decoded)."""
    values = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            values.extend(
                json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else str(v) for v in row
            )
    return "\n".join(values).casefold()


def left_behind(typed: dict) -> list[str]:
    everything = texts_in_database()
    return [name for name, value in typed.items() if value.casefold() in everything]


def test_attendee_downloads_everything_we_hold(client, event):
    attendee = register_someone(event, first_name="Gioele", dietary_needs="Senza lattosio")
    response = client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}/data.json")
    data = json.loads(response.data)
    assert data["first_name"] == "Gioele" and data["dietary_needs"] == "Senza lattosio"
    assert data["consent"]["privacy_notice_version"] == event.privacy_version
    assert data["messages"][0]["status"] == "queued"
    assert "attachment" in response.headers["Content-Disposition"]
    assert data["consent"]["announcements_stopped_at"] is None


def test_the_export_says_when_they_stopped_the_announcements(client, event):
    attendee = register_someone(event)
    client.post(f"/unsubscribe/{unsubscribe_token(attendee)}", data={"List-Unsubscribe": "One-Click"})
    data = json.loads(client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}/data.json").data)
    db.session.expire_all()
    stopped = db.session.get(Attendee, attendee.id).announcements_stopped_at
    assert data["consent"]["announcements_stopped_at"] == stopped.isoformat() + "Z"


def test_attendee_deletes_registration_and_data_and_the_place_goes_on(client, event):
    lunch = next(p for p in event.day_parts if p.kind == "lunch")
    lunch.capacity = 1
    db.session.commit()
    leaving, waiting = register_someone(event, first_name="Zelda"), register_someone(event)
    token = manage_token(leaving)
    page = client.get(f"/brescia-citta-del-noi/r/{token}/delete").get_data(as_text=True)
    client.post(f"/brescia-citta-del-noi/r/{token}/delete", data={"csrf_token": csrf_from(page)})
    db.session.expire_all()
    assert (
        leaving.first_name != "Zelda" and leaving.email.endswith("@invalid") and leaving.status == "cancelled"
    )
    assert (
        db.session.scalar(select(func.count()).select_from(OutboxMessage).filter_by(attendee_id=leaving.id))
        == 0
    )
    assert waiting.part(lunch.id).status == "confirmed"
    assert client.get(f"/brescia-citta-del-noi/r/{token}").status_code == 404, "the old link is dead"


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


def test_deleting_ones_data_leaves_nothing_they_typed_anywhere(client, event):
    response, _ = post_registration(client, event, **TYPED)
    assert response.status_code == 302
    attendee = db.session.scalars(select(Attendee)).one()
    # What organisers noted about them, and an audit entry that quotes them.
    attendee.needs_accessible_table, attendee.pinned_table_id = True, event.tables[1].id
    audit(
        "admin@example.org",
        AuditAction.BADGE_REISSUED,
        attendee,
        said=f"{attendee.full_name} ({TYPED['organisation']}) called",
    )
    db.session.commit()
    assert left_behind(TYPED) == list(TYPED), "the test's values are in the database"

    token = manage_token(attendee)
    page = client.get(f"/brescia-citta-del-noi/r/{token}/delete").get_data(as_text=True)
    assert (
        client.post(
            f"/brescia-citta-del-noi/r/{token}/delete", data={"csrf_token": csrf_from(page)}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert left_behind(TYPED) == []
    assert attendee.organisation_name is None and attendee.organisation is None
    assert attendee.needs_accessible_table is False and attendee.pinned_table_id is None
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_purge_erases_what_they_typed_and_keeps_a_member_organisation(app, event):
    own = {**TYPED, "organisation_name": TYPED["organisation"]}
    del own["organisation"]
    typing = register_someone(event, **own)
    member = register_someone(event, organisation_name="AUSER brescia")
    audit(
        "desk@example.org",
        AuditAction.REGISTRATION_CANCELLED,
        typing,
        name=typing.full_name,
        organisation=own["organisation_name"],
    )
    db.session.commit()
    assert purge(30, now=datetime(2027, 9, 1)) == 2
    db.session.expire_all()
    assert left_behind(own) == []
    assert typing.organisation_name is None
    assert member.organisation_name == "Auser Brescia" and member.organisation is not None


def test_a_personal_link_has_exactly_one_spelling(client, event):
    token = manage_token(register_someone(event))
    payload, signature = token.rsplit(".", 1)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    # The signature's last character carries spare bits: other characters read as the same bytes.
    spare = len(signature) * 6 % 8
    last = alphabet.index(signature[-1])
    same_bytes = [signature[:-1] + alphabet[last ^ bits] for bits in range(1, 2**spare)]
    decode = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))  # noqa: E731
    assert same_bytes and all(decode(s) == decode(signature) for s in same_bytes)

    assert client.get(f"/brescia-citta-del-noi/r/{token}").status_code == 200
    for other in [
        token + "=",
        token + "==",
        token + "%3D",
        token + "%C3%A9",
        *(f"{payload}.{s}" for s in same_bytes),
    ]:
        assert client.get(f"/brescia-citta-del-noi/r/{other}").status_code == 404, other
        assert client.get(f"/brescia-citta-del-noi/r/{other}/data.json").status_code == 404, other


def test_a_badge_is_read_in_one_spelling_up_to_the_scanners_case(event):
    """Scanners on other keyboard layouts type lower case and add a newline: that is the
    one tolerance (the token is its 15 bytes). Padding, other separators, look-alike
    letters or digits and non-ASCII forms are not the badge."""
    attendee = register_someone(event)
    token = badge_token(attendee)
    assert verify_badge_token(f" {token.lower()}\n", event).attendee == attendee
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in token)  # ＡＢＣ...: upper() would not help
    swapped = token.translate(str.maketrans("OIB", "018")) if set("OIB") & set(token) else token[:-1] + "0"
    others = [
        token + "=",
        token + "========",
        base64.b32encode(base64.b32decode(token) + b"\0").decode(),  # the same bytes and one more
        f"{token[:12]} {token[12:]}",
        "-".join(token[i : i + 4] for i in range(0, 24, 4)),
        fullwidth,
        swapped,
        token[:-1],
    ]
    for other in others:
        assert verify_badge_token(other, event).check in (BadgeCheck.MALFORMED, BadgeCheck.FORGED), other
