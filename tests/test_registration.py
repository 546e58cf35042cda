import re
from datetime import UTC, datetime

import icalendar
from conftest import csrf_from
from helpers import form_fields, post_registration, register_someone
from sqlalchemy import func, select

from app.extensions import db
from app.mail.outbox import bodies
from app.models import Attendee, OutboxMessage
from app.registration.tokens import manage_token, revoke_manage_links


def errors(html: str) -> list[str]:
    return re.findall(r'class="error" id="([^"]+)-error"', html)


def test_registration_is_saved_normalised_and_confirmed(client, event):
    response, fields = post_registration(client, event)
    assert response.status_code == 302
    attendee = db.session.scalars(select(Attendee)).one()
    assert attendee.email == fields["email"].lower()
    assert attendee.organisation_name == "Auser Brescia"  # the member's own spelling
    assert attendee.organisation is not None
    assert [p.cafe_table_id for p in attendee.preferences] == [
        int(fields["choice_1"]),
        int(fields["choice_2"]),
        int(fields["choice_3"]),
    ]
    assert attendee.dietary_needs == "Senza glutine"
    assert attendee.consent_privacy_at is not None and attendee.privacy_version == event.privacy_version
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Lùcia" in page and "status-confirmed" in page
    confirmation = db.session.scalars(select(OutboxMessage)).one()
    assert confirmation.kind == "confirmation" and confirmation.recipient == attendee.email
    assert manage_token(attendee) in bodies(confirmation)[0], "the e-mail as sent"


def test_invalid_input_shows_errors_beside_fields_and_keeps_what_was_typed(client, event):
    response, fields = post_registration(
        client,
        event,
        email="not-an-address",
        consent_privacy=None,
        choice_2=form_fields(event)["choice_1"],  # the same table twice
        phone="call me",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert set(errors(html)) == {"email", "consent_privacy", "choice_2", "phone"}
    assert 'value="not-an-address"' in html
    assert "D&#39;Amico" in html and "Senza glutine" in html and "Sedia a rotelle" in html
    assert 'aria-invalid="true"' in html
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == 0


def test_world_cafe_needs_a_first_choice_and_choices_in_order(client, event):
    response, _ = post_registration(client, event, choice_1="", choice_2=None, choice_3=None)
    assert errors(response.get_data(as_text=True)) == ["choice_1"]
    response, _ = post_registration(client, event, choice_2="")
    assert errors(response.get_data(as_text=True)) == ["choice_3"]


def test_errors_are_in_italian_by_default_and_english_after_switch(client, event):
    response, _ = post_registration(client, event, email="x@", consent_privacy=None)
    assert "Inserisci un indirizzo e-mail valido" in response.get_data(as_text=True)
    client.get("/lang/en")
    response, _ = post_registration(client, event, email="x@", consent_privacy=None)
    assert "Enter a valid e-mail address" in response.get_data(as_text=True)


def test_without_csrf_token_nothing_is_saved(client, event):
    response = client.post("/brescia-citta-del-noi/register", data=form_fields(event))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == 0


def test_second_registration_with_same_email_offers_link_resend(client, event):
    first = register_someone(event, email="anna@example.org", first_name="Annabella")
    response, _ = post_registration(client, event, email="Anna@Example.org", first_name="Impostora")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert errors(html) == ["email"]
    assert "Impostora" in html, "the form keeps what was typed"
    assert "Annabella" not in html, "the other registration is never shown"
    assert 'action="/brescia-citta-del-noi/register/link"' in html
    resend = client.post(
        "/brescia-citta-del-noi/register/link",
        data={"csrf_token": csrf_from(html), "email": "anna@example.org"},
    )
    assert resend.status_code == 302
    messages = db.session.scalars(select(OutboxMessage).filter_by(kind="manage_link")).all()
    assert [m.recipient for m in messages] == ["anna@example.org"]
    db.session.refresh(first)
    assert first.first_name == "Annabella"


def test_link_resend_for_unknown_address_says_the_same_and_sends_nothing(client, event):
    page = client.get("/brescia-citta-del-noi/register/link").get_data(as_text=True)
    response = client.post(
        "/brescia-citta-del-noi/register/link",
        data={"csrf_token": csrf_from(page), "email": "nobody@example.org"},
        follow_redirects=True,
    )
    assert "nobody@example.org" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_manage_link_lets_attendee_edit_and_cancel(client, event):
    attendee = register_someone(event, first_name="Paolo")
    token = manage_token(attendee)
    edit_page = client.get(f"/brescia-citta-del-noi/r/{token}/edit").get_data(as_text=True)
    assert 'value="Paolo"' in edit_page
    fields = form_fields(
        event, first_name="Paolino", email=attendee.email, day_parts=[str(event.day_parts[0].id)]
    )
    response = client.post(
        f"/brescia-citta-del-noi/r/{token}/edit", data={"csrf_token": csrf_from(edit_page), **fields}
    )
    assert response.status_code == 302
    db.session.refresh(attendee)
    assert attendee.first_name == "Paolino"
    assert [p.day_part_id for p in attendee.parts] == [event.day_parts[0].id]
    assert attendee.dietary_needs is None, "no lunch, no dietary data kept"
    assert attendee.preferences == []

    cancel_page = client.get(f"/brescia-citta-del-noi/r/{token}/cancel").get_data(as_text=True)
    client.post(f"/brescia-citta-del-noi/r/{token}/cancel", data={"csrf_token": csrf_from(cancel_page)})
    db.session.refresh(attendee)
    assert attendee.status == "cancelled"
    assert "status-cancelled" in client.get(f"/brescia-citta-del-noi/r/{token}").get_data(as_text=True)


def test_edit_cannot_take_another_attendees_email(client, event):
    register_someone(event, email="taken@example.org")
    attendee = register_someone(event)
    token = manage_token(attendee)
    page = client.get(f"/brescia-citta-del-noi/r/{token}/edit").get_data(as_text=True)
    fields = form_fields(event, email="taken@example.org")
    response = client.post(
        f"/brescia-citta-del-noi/r/{token}/edit", data={"csrf_token": csrf_from(page), **fields}
    )
    assert errors(response.get_data(as_text=True)) == ["email"]


def test_manage_links_are_signed_and_revocable(client, event):
    attendee = register_someone(event)
    token = manage_token(attendee)
    assert client.get(f"/brescia-citta-del-noi/r/{token}").status_code == 200
    assert client.get(f"/brescia-citta-del-noi/r/{token[:-2]}xx").status_code == 404
    assert client.get("/brescia-citta-del-noi/r/WzEsMV0.forged").status_code == 404
    revoke_manage_links(attendee)
    db.session.commit()
    assert client.get(f"/brescia-citta-del-noi/r/{token}").status_code == 404
    assert client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}").status_code == 200


def test_closed_registration_shows_a_notice_instead_of_the_form(client, event):
    from datetime import datetime

    event.registration_closes_at = datetime(2020, 1, 1)
    db.session.commit()
    page = client.get("/brescia-citta-del-noi/register").get_data(as_text=True)
    assert 'name="first_name"' not in page
    assert (
        "closed" in client.get("/brescia-citta-del-noi/register?lang=en").get_data(as_text=True).lower()
        or "chius" in page
    )


def test_home_page_shows_programme_tables_and_register_action(client, event):
    page = client.get("/brescia-citta-del-noi/").get_data(as_text=True)
    assert 'lang="it"' in page
    for text in (
        "10:45",
        "Elisa Chiaf",
        "Prima infanzia",
        "Le 100 leve",
        'href="/brescia-citta-del-noi/register"',
    ):
        assert text in page
    client.get("/lang/en")
    page = client.get("/brescia-citta-del-noi/").get_data(as_text=True)
    assert 'lang="en"' in page and "Early childhood" in page


def test_language_switch_refuses_offsite_redirects(client, event):
    response = client.get("/lang/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"
    assert client.get("/lang/xx").status_code == 404


def test_privacy_notice_page(client, event):
    page = client.get("/brescia-citta-del-noi/privacy").get_data(as_text=True)
    assert event.privacy_version in page and "comunicazione@bresciacittadelnoi.it" in page


def test_confirmed_attendee_downloads_badge_from_personal_page(client, event):
    attendee = register_someone(event)
    token = manage_token(attendee)
    page = client.get(f"/brescia-citta-del-noi/r/{token}").get_data(as_text=True)
    assert f"/brescia-citta-del-noi/r/{token}/badge.pdf" in page
    assert client.get(f"/brescia-citta-del-noi/r/{token}/badge.pdf").data.startswith(b"%PDF")
    assert client.get(f"/brescia-citta-del-noi/r/{token}/badge.png").mimetype == "image/png"


def test_waiting_list_has_no_badge_yet(client, event):
    event.capacity = 0
    db.session.commit()
    token = manage_token(register_someone(event))
    assert "badge.pdf" not in client.get(f"/brescia-citta-del-noi/r/{token}").get_data(as_text=True)
    assert client.get(f"/brescia-citta-del-noi/r/{token}/badge.pdf").status_code == 404


def test_home_page_is_kept_briefly_for_anonymous_visitors_only(app, client, event, make_staff):
    app.config["HOME_PAGE_CACHE_SECONDS"] = 60
    try:
        first = client.get("/brescia-citta-del-noi/").get_data(as_text=True)
        event.tagline = {"it": "Un nuovo sottotitolo"}
        db.session.commit()
        assert client.get("/brescia-citta-del-noi/").get_data(as_text=True) == first, "kept for a few seconds"
        _, staff = make_staff("admin")
        assert "Un nuovo sottotitolo" in staff.get("/brescia-citta-del-noi/").get_data(as_text=True), (
            "staff see it fresh"
        )
    finally:
        app.config["HOME_PAGE_CACHE_SECONDS"] = 0
        from app.events import public as views

        views._home_pages.clear()


def test_the_personal_page_adds_the_day_to_a_calendar_app_for_confirmed_people_only(client, event):
    attendee = register_someone(event)
    page = client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}").get_data(as_text=True)
    link = re.search(r'href="([^"]+event\.ics)"', page).group(1)
    answer = client.get(link)
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    [entry] = icalendar.Calendar.from_ical(answer.data).walk("VEVENT")
    assert entry.decoded("DTSTART").astimezone(UTC) == datetime(2027, 7, 13, 8, tzinfo=UTC), "10:00 in Rome"
    assert manage_token(attendee) in str(entry["URL"]), "with the link back to the registration"

    event.capacity = 1
    db.session.commit()
    waiting = register_someone(event)
    assert waiting.status == "waitlisted"
    assert "event.ics" not in client.get(f"/brescia-citta-del-noi/r/{manage_token(waiting)}").get_data(
        as_text=True
    )
    assert client.get(f"/brescia-citta-del-noi/r/{manage_token(waiting)}/event.ics").status_code == 404


def test_a_broken_personal_link_says_how_to_get_it_again(client, event):
    """A personal link cut in two by a mail program lands on a 404 that names the event and
    leads to the page that sends the link again."""
    response = client.get("/brescia-citta-del-noi/r/WzEsMV0.4RWF0ZXV0")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Pagina non trovata" in html and event.display_name in html
    assert 'href="/brescia-citta-del-noi/register/link"' in html and "link personale non si apre" in html
    assert client.get("/brescia-citta-del-noi/register/link").status_code == 200
