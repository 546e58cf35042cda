"""Staff accounts from the web: an admin invites people, who choose their own password from
an e-mail (through the outbox and a real SMTP server); forgotten passwords, new links,
roles and deactivation, each with its effect on sessions that are already signed in."""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from conftest import PASSWORD, csrf_from, staff_account
from sqlalchemy import func, select
from test_mail import parts_by_type, received, smtp  # noqa: F401

from app.extensions import db
from app.mail import sender as mail_sender
from app.models import AuditEntry, Event, OutboxMessage, Role, User
from app.staff import services as users

STAFF = "/brescia-citta-del-noi/admin/staff/"
NEW_PASSWORD = "a long enough new password"


@pytest.fixture
def admin(event, make_staff):
    user, client = make_staff(Role.ADMIN)
    client.get("/lang/en")
    return user, client


def invite(admin_client, **fields):
    page = admin_client.get(STAFF).get_data(as_text=True)
    data = {"name": "Marta Rossi", "email": "Marta@Example.org", "role": "facilitator", "language": "it"}
    return admin_client.post(STAFF, data={"csrf_token": csrf_from(page), **data, **fields})


def delivered_link(smtp_server, to: str) -> str:
    """The password link in the last message delivered to `to`, from its plain-text part."""
    mail_sender.deliver_due()
    mine = [m for m in received(smtp_server) if m["To"] == to]
    assert mine, f"nothing delivered to {to}"
    text = parts_by_type(mine[-1])["text/plain"].get_content()
    return urlsplit(re.search(r"https?://\S+/staff/password/\S+", text).group(0)).path


def choose(client, link: str, password=NEW_PASSWORD, confirm=None):
    page = client.get(link).get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "password": password, "confirm": confirm or password}
    return client.post(link, data=data)


def sign_in(client, email, password):
    page = client.get("/staff/login").get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "email": email, "password": password}
    return client.post("/staff/login", data=data)


def signed_in(client, path) -> bool:
    answer = client.get(path)
    return answer.status_code == 200


def test_an_invited_facilitator_chooses_a_password_and_is_signed_in(app, admin, smtp):  # noqa: F811
    answer = invite(admin[1])
    assert answer.status_code == 302
    listed = admin[1].get(STAFF).get_data(as_text=True)
    assert "marta@example.org" in listed and "has not chosen a password yet" in listed

    mail_sender.deliver_due()
    [message] = [m for m in received(smtp) if m["To"] == "marta@example.org"]
    parts = parts_by_type(message)
    assert message["Subject"].startswith("Il tuo account staff"), "in the language the admin chose"
    assert "facilitatore" in parts["text/plain"].get_content()
    assert "/staff/password/" in parts["text/html"].get_content()
    link = delivered_link(smtp, "marta@example.org")

    marta = app.test_client()
    short = choose(marta, link, password="short", confirm="short")
    assert short.status_code == 200 and "10" in short.get_data(as_text=True)
    differ = choose(marta, link, confirm="another long password")
    assert differ.status_code == 200 and 'id="form-errors"' in differ.get_data(as_text=True)
    done = choose(marta, link)
    assert done.status_code == 302 and done.headers["Location"] == "/brescia-citta-del-noi/facilitators/"
    assert signed_in(marta, "/brescia-citta-del-noi/facilitators/")

    again = app.test_client().get(link).get_data(as_text=True)
    assert "/staff/password/forgot" in again and 'name="password"' not in again, "the link works once"
    assert sign_in(app.test_client(), "marta@example.org", NEW_PASSWORD).status_code == 302
    assert "last signed in" in admin[1].get(STAFF).get_data(as_text=True)


def test_an_invitation_of_someone_already_on_the_event_is_refused_and_keeps_what_was_typed(admin, make_staff):
    make_staff(Role.DESK, "desk@example.org")
    answer = invite(admin[1], email="DESK@example.org", name="Someone <b>New</b>")
    shown = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "already works on this event" in shown
    assert "Someone &lt;b&gt;New&lt;/b&gt;" in shown, "the name is kept, escaped"
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 2


def test_a_forgotten_password_gets_a_link_only_for_an_active_account(app, client, make_staff, smtp):  # noqa: F811
    user, _ = make_staff(Role.DESK, "desk@example.org")
    staff_account("gone@example.org", "Gone", PASSWORD, Role.DESK).active = False
    db.session.commit()
    answers = []
    for email in ("Desk@Example.org", "nobody@example.org", "gone@example.org"):
        page = client.get("/staff/password/forgot").get_data(as_text=True)
        answer = client.post("/staff/password/forgot", data={"csrf_token": csrf_from(page), "email": email})
        shown = client.get(answer.headers["Location"]).get_data(as_text=True)
        answers.append(shown.replace(csrf_from(shown), "<csrf token: signed with the time>"))
    assert answers[0] == answers[1] == answers[2], "the page never tells which addresses exist"
    mail_sender.deliver_due()
    assert [m["To"] for m in received(smtp)] == ["desk@example.org"]

    link = delivered_link(smtp, "desk@example.org")
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 302, "the old password still works"
    assert choose(app.test_client(), link).status_code == 302
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 200, "until a new one is chosen"
    assert sign_in(app.test_client(), user.email, NEW_PASSWORD).status_code == 302


def test_asking_again_and_again_for_one_account_is_slowed(client, make_staff, smtp):  # noqa: F811
    make_staff(Role.DESK, "desk@example.org")
    codes = []
    for _ in range(4):
        page = client.get("/staff/password/forgot").get_data(as_text=True)
        data = {"csrf_token": csrf_from(page), "email": "desk@example.org"}
        codes.append(client.post("/staff/password/forgot", data=data).status_code)
    assert codes == [302, 302, 302, 429]
    mail_sender.deliver_due()
    assert len(received(smtp)) == 3


def test_a_self_service_link_expires_after_two_hours(app, make_staff, smtp, monkeypatch):  # noqa: F811
    make_staff(Role.DESK, "desk@example.org")
    client = app.test_client()
    page = client.get("/staff/password/forgot").get_data(as_text=True)
    client.post("/staff/password/forgot", data={"csrf_token": csrf_from(page), "email": "desk@example.org"})
    link = delivered_link(smtp, "desk@example.org")
    later = time.time() + 2 * 3600 + 60
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    assert 'name="password"' not in client.get(link).get_data(as_text=True)


def test_a_tampered_link_is_refused(app, admin, smtp):  # noqa: F811
    invite(admin[1])
    link = delivered_link(smtp, "marta@example.org")
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    assert 'name="password"' not in app.test_client().get(tampered).get_data(as_text=True)
    assert 'name="password"' in app.test_client().get(link).get_data(as_text=True)


def test_a_new_link_from_an_admin_stops_the_old_password_and_signs_them_out(app, admin, make_staff, smtp):  # noqa: F811
    desk_user, desk_client = make_staff(Role.DESK, "desk@example.org")
    assert signed_in(desk_client, "/brescia-citta-del-noi/desk/")
    page = admin[1].get(STAFF).get_data(as_text=True)
    admin[1].post(f"{STAFF}{desk_user.id}/password-link", data={"csrf_token": csrf_from(page)})
    assert not signed_in(desk_client, "/brescia-citta-del-noi/desk/"), "a lost phone's session ends"
    assert sign_in(app.test_client(), desk_user.email, PASSWORD).status_code == 200
    link = delivered_link(smtp, "desk@example.org")
    assert choose(app.test_client(), link).status_code == 302
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["staff_password_reset", "staff_password_chosen"]


def test_choosing_a_password_signs_out_the_other_sessions(app, event, make_staff, smtp):  # noqa: F811
    user, old_session = make_staff(Role.DESK, "desk@example.org")
    client = app.test_client()
    page = client.get("/staff/password/forgot").get_data(as_text=True)
    client.post("/staff/password/forgot", data={"csrf_token": csrf_from(page), "email": user.email})
    choose(client, delivered_link(smtp, user.email))
    assert signed_in(client, "/brescia-citta-del-noi/desk/")
    assert not signed_in(old_session, "/brescia-citta-del-noi/desk/")


def test_deactivated_staff_are_signed_out_and_can_come_back(app, admin, make_staff):
    desk_user, desk_client = make_staff(Role.DESK, "desk@example.org")
    page = admin[1].get(STAFF).get_data(as_text=True)
    admin[1].post(f"{STAFF}{desk_user.id}/deactivate", data={"csrf_token": csrf_from(page)})
    assert not signed_in(desk_client, "/brescia-citta-del-noi/desk/")
    assert sign_in(app.test_client(), desk_user.email, PASSWORD).status_code == 200
    assert "cannot sign in" in admin[1].get(STAFF).get_data(as_text=True)

    admin[1].post(f"{STAFF}{desk_user.id}/reactivate", data={"csrf_token": csrf_from(page)})
    assert sign_in(app.test_client(), desk_user.email, PASSWORD).status_code == 302


def test_a_new_role_applies_to_a_session_already_signed_in(admin, make_staff):
    desk_user, desk_client = make_staff(Role.DESK, "desk@example.org")
    page = admin[1].get(STAFF).get_data(as_text=True)
    answer = admin[1].post(
        f"{STAFF}{desk_user.id}/role", data={"csrf_token": csrf_from(page), "role": "facilitator"}
    )
    assert "is now table facilitator" in admin[1].get(answer.headers["Location"]).get_data(as_text=True)
    assert desk_client.get("/brescia-citta-del-noi/desk/").status_code == 403
    assert desk_client.get("/brescia-citta-del-noi/facilitators/").status_code == 200


def test_an_admin_cannot_lock_themselves_out(admin):
    user, client = admin
    page = client.get(STAFF).get_data(as_text=True)
    assert f"{STAFF}{user.id}/deactivate" not in page, "no such button for yourself"
    for action, extra in (("deactivate", {}), ("role", {"role": "desk"}), ("password-link", {})):
        answer = client.post(f"{STAFF}{user.id}/{action}", data={"csrf_token": csrf_from(page), **extra})
        assert answer.status_code == 403, action
    assert signed_in(client, STAFF)
    db.session.refresh(user)
    assert user.active and user.role == Role.ADMIN


def test_one_address_invited_twice_at_the_same_moment_makes_one_account(app, event):
    barrier = threading.Barrier(2)
    event_id = event.id

    def invite_now():
        with app.app_context():
            own_event = db.session.get(Event, event_id)  # each request has its own session
            barrier.wait()
            try:
                users.invite_user("same@example.org", "Same", Role.DESK, "it", "admin@example.org", own_event)
                return "invited"
            except users.UserError:
                return "refused"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(2) as pool:
        outcomes = sorted(pool.map(lambda _: invite_now(), range(2)))
    assert outcomes == ["invited", "refused"]
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1, "one invitation e-mail"


def test_the_command_line_invites_too(app, client, event, smtp):  # noqa: F811
    runner = app.test_cli_runner()
    args = ["user", "invite", "--email", "Desk.Two@Example.org", "--name", "Banco Due", "--role", "desk"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0 and "queued" in result.output, result.output
    user = db.session.scalars(select(User).filter_by(email="desk.two@example.org")).one()
    assert user.role == Role.DESK and user.language == "it"

    link = delivered_link(smtp, "desk.two@example.org")
    assert choose(client, link).status_code == 302
    assert sign_in(app.test_client(), "desk.two@example.org", NEW_PASSWORD).status_code == 302

    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "already exists" in again.output
    audit = db.session.scalars(select(AuditEntry).filter_by(action="staff_invited")).one()
    assert audit.actor == "command line"
