"""A registration whose COMMIT reached the database, while its answer never came back (the
connection killed at COMMIT): the visitor learns how to find out, and a second try is no
dead end."""

import pytest
from conftest import csrf_from
from flask_babel import force_locale, gettext
from helpers import post_registration
from sqlalchemy import select

from app.extensions import db
from app.models import Attendee, OutboxMessage


@pytest.fixture
def next_commit_dies_after_writing(app, monkeypatch):
    """Call it to arm a one-shot fault: the next COMMIT is carried out by the database, then
    the connection is closed and the driver's own error raised, as when the server or a
    proxy drops the connection before the acknowledgement arrives."""
    dialect = db.engine.dialect
    real_commit = dialect.do_commit
    fired = []

    def commit_then_die(connection):
        real_commit(connection)
        if not fired:
            fired.append(True)
            getattr(connection, "dbapi_connection", connection).close()
            raise dialect.loaded_dbapi.OperationalError("server closed the connection unexpectedly")

    def arm():
        monkeypatch.setattr(dialect, "do_commit", commit_then_die)
        return fired

    return arm


def in_language(app, language, message, **values):
    with app.test_request_context(), force_locale(language):
        return gettext(message, **values)


@pytest.mark.parametrize("language", ["it", "en"])
def test_a_registration_saved_at_a_lost_commit_says_how_to_find_out(
    app, client, event, next_commit_dies_after_writing, language
):
    if language != "it":
        client.get(f"/lang/{language}")
    fired = next_commit_dies_after_writing()
    response, fields = post_registration(client, event, email="Rosanna.Lost@Example.org")
    assert fired, "the registration's COMMIT was the one that failed"
    html = response.get_data(as_text=True)

    assert response.status_code == 503
    assert f'<html lang="{language}">' in html
    assert in_language(app, language, "We could not confirm your registration") in html
    assert "Rosanna.Lost@Example.org".lower() in html.lower()
    assert 'action="/brescia-citta-del-noi/register/link"' in html and 'id="resend-email"' in html
    # It was written, e-mail and all: once.
    db.session.rollback()
    (attendee,) = db.session.scalars(select(Attendee)).all()
    assert attendee.email == "rosanna.lost@example.org"
    kinds = db.session.scalars(select(OutboxMessage.kind).filter_by(recipient=attendee.email)).all()
    assert kinds == ["confirmation"]

    # "Send the link to this address", from that page.
    sent = client.post(
        "/brescia-citta-del-noi/register/link", data={"csrf_token": csrf_from(html), "email": attendee.email}
    )
    assert sent.status_code == 302
    kinds = db.session.scalars(select(OutboxMessage.kind).filter_by(recipient=attendee.email)).all()
    assert sorted(kinds) == ["confirmation", "manage_link"]

    # The visitor who fills in the form again instead is offered the link too.
    again, _ = post_registration(client, event, email=fields["email"])
    html = again.get_data(as_text=True)
    assert again.status_code == 200 and 'action="/brescia-citta-del-noi/register/link"' in html
    assert in_language(app, language, "Send the link to this address") in html
    assert len(db.session.scalars(select(Attendee)).all()) == 1
