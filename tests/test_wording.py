"""The words people read, in Italian first: durations in days in the staff e-mails, a
cancellation e-mail that offers to take the registration back (not to "modify" it), the
duplicate-address error said once, a failed badge check that accuses nobody, and a notes
conflict that names the other writer."""

import re

from conftest import csrf_from
from helpers import post_registration, register_someone
from test_facilitators import facilitator_of, page_csrf, post_json
from test_mail import parts_by_type, received, smtp  # noqa: F401

from app.checkin.badges import badge_token
from app.extensions import db
from app.facilitation import notes
from app.mail import sender as mail_sender
from app.models import Role
from app.registration.cancellation import cancel_registration
from app.staff.services import link_lifetime


def delivered_to(smtp_server, address: str):
    mail_sender.deliver_due()
    message = [m for m in received(smtp_server) if m["To"] == address][-1]  # the latest
    parts = parts_by_type(message)
    return parts["text/plain"].get_content(), parts["text/html"].get_content()


def test_a_staff_invitation_lasts_seven_days_not_168_hours(app, event, make_staff, smtp):  # noqa: F811
    _, admin = make_staff(Role.ADMIN)
    page = admin.get("/brescia-citta-del-noi/admin/staff/").get_data(as_text=True)
    data = {"name": "Marta Rossi", "email": "marta@example.org", "role": "facilitator", "language": "it"}
    admin.post("/brescia-citta-del-noi/admin/staff/", data={"csrf_token": csrf_from(page), **data})
    for part in delivered_to(smtp, "marta@example.org"):
        assert "entro 7 giorni" in part
        assert "168" not in part and " ore" not in part


def test_a_password_reset_link_still_counts_in_hours(app, client, event, make_staff, smtp):  # noqa: F811
    make_staff(Role.DESK, "desk@example.org")
    page = client.get("/staff/password/forgot").get_data(as_text=True)
    client.post("/staff/password/forgot", data={"csrf_token": csrf_from(page), "email": "desk@example.org"})
    for part in delivered_to(smtp, "desk@example.org"):
        assert "entro 2 ore" in part and "giorn" not in part


def test_link_lifetimes_are_said_in_days_only_when_whole_days(monkeypatch):
    from datetime import timedelta

    from app.staff import services

    assert link_lifetime("invite") == {"days": 7}
    assert link_lifetime("reset") == {"hours": 2}
    monkeypatch.setitem(services.LINK_LIFETIMES, "invite", timedelta(days=1, hours=12))
    assert link_lifetime("invite") == {"hours": 36}


def test_the_cancellation_email_offers_to_take_the_registration_back_not_to_change_it(event, smtp):  # noqa: F811
    attendee = register_someone(event, first_name="Piera", language="it")
    mail_sender.deliver_due()
    cancel_registration(attendee)
    text, html = delivered_to(smtp, attendee.email)
    for part in (text, html):
        assert "modifica" not in part.lower(), "nothing is left to change in a cancelled registration"
        assert "puoi riprendere la tua iscrizione" in part
    link = re.search(r'<a href="(http[^"]+)"[^>]*>Riprendi la tua iscrizione</a>', html).group(1)
    assert f"Riprendi la tua iscrizione:\r\n{link}" in text, "the same personal link, under the same words"


def test_the_cancellation_email_in_english_too(event, smtp):  # noqa: F811
    attendee = register_someone(event, first_name="Grace", language="en")
    mail_sender.deliver_due()
    cancel_registration(attendee)
    text, html = delivered_to(smtp, attendee.email)
    assert "Take your registration back" in text and "Take your registration back" in html
    assert "View or change" not in text and "View or change" not in html


def test_the_duplicate_address_error_is_said_once(client, event):
    register_someone(event, email="famiglia.bono@example.org")
    answer, _ = post_registration(client, event, email="Famiglia.Bono@example.org")
    html = answer.get_data(as_text=True).replace("&#39;", "'")
    assert html.count("C'è già un'iscrizione a questo evento con questo indirizzo e-mail") == 1
    assert html.count('role="alert"') == 1, "one notice, not the notice and an error summary saying the same"
    assert "leggi il messaggio in cima alla pagina" in html, "the e-mail field points to it"


def test_an_invalid_badge_at_a_table_is_called_invalid_not_forged(event, make_staff):
    table = event.tables[0]
    person = register_someone(event)
    _, facilitator = facilitator_of(make_staff, table)
    url = f"/brescia-citta-del-noi/facilitators/tables/{table.id}"
    token = page_csrf(facilitator, f"{url}/?round=1")
    forged = badge_token(person)[:-1] + ("A" if badge_token(person)[-1] != "A" else "B")
    answer = post_json(facilitator, f"{url}/scan", {"code": forged, "round": 1}, token)
    message = answer.get_json()["message"]
    assert message == "Badge non valido"
    assert "contraffatto" not in message.lower()


def conflict_after_marta_saved(event, make_staff):
    table = event.tables[0]
    marta, _ = facilitator_of(make_staff, table, "Marta.Rossi@example.org")
    marta.name = "Marta Rossi"
    db.session.commit()
    notes.save_sheet(table, 1, notes.SheetContent(insights="Idea di Marta"), 0, "marta-save-1", marta.email)
    marco_user, marco = facilitator_of(make_staff, table, "marco@example.org")
    marco_user.name = "Marco Bianchi"
    db.session.commit()
    url = f"/brescia-citta-del-noi/facilitators/tables/{table.id}/notes/1"
    token = page_csrf(marco, url)
    body = {"insights": "Idea di Marco", "base_version": 0, "save_id": "marco-save-1"}
    return marco, url, post_json(marco, url, body, token)


def test_a_notes_conflict_names_the_other_writer_and_when(event, make_staff):
    marco, url, answer = conflict_after_marta_saved(event, make_staff)
    assert answer.status_code == 409
    body = answer.get_json()
    assert body["updated_by_name"] == "Marta Rossi"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", body["updated_at"])

    state = marco.get(f"{url}.json").get_json()
    assert state["updated_by_name"] == "Marta Rossi"
    [kept] = state["conflicts"]
    assert kept["author_name"] == "Marco Bianchi"

    page = marco.get(url).get_data(as_text=True)
    assert "Versione di Marco Bianchi" in page and "Versione di marco@example.org" not in page
    history = marco.get(f"{url}/history").get_data(as_text=True)
    assert "Marta Rossi" in history and "Marco Bianchi" in history


def test_writer_names_ignore_case_and_leave_out_unknown_addresses(event, make_staff):
    conflict_after_marta_saved(event, make_staff)
    names = notes.writer_names(["MARTA.ROSSI@example.org", "nobody@example.org", None])
    assert names == {"MARTA.ROSSI@example.org": "Marta Rossi"}
