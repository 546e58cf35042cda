"""Small things the organisers noticed: the event's short name in subjects and headings;
`make run` restarted never loads the bundled file over an organiser's edit; the rate-limit
page tells the truth about a refused form and names the event; the language preselected."""

import email
import email.policy
import io
import re
import shutil

import pytest
from conftest import MOCA, PASSWORD, csrf_from, signed_in, staff_account
from helpers import form_fields, register_someone

from app.events.event_file import EventFileError, parse_event_file
from app.events.services import load_event
from app.extensions import db
from app.mail import sender as mail_sender
from app.models import Event, EventFile, OutboxMessage, Role
from app.registration.cancellation import cancel_registration
from app.registration.tokens import manage_token

MOCA_TEXT = MOCA.read_text(encoding="utf-8")
SHORT_NAME_LINE = 'short_name: "Brescia Città del Noi"\n'


# ---- The short name ----------------------------------------------------------------------


@pytest.fixture
def smtp(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_TIMEOUT=2)
    yield smtp_server
    app.config.update(MAIL_SERVER="localhost", MAIL_PORT=25)


def subjects_received(smtp_server) -> dict[str, str]:
    parse = email.message_from_bytes
    messages = [parse(e.content, policy=email.policy.default) for e in smtp_server.messages]
    return {message["To"]: message["Subject"] for message in messages}


def test_subjects_name_the_event_by_its_short_name_in_each_persons_language(event, smtp):
    italian, english = register_someone(event, language="it"), register_someone(event, language="en")
    cancel_registration(italian)
    cancel_registration(english)
    mail_sender.deliver_due()

    subjects = subjects_received(smtp)
    assert subjects[italian.email] == "La tua iscrizione a Brescia Città del Noi è stata annullata"
    assert subjects[english.email] == "Your registration for Brescia Città del Noi is cancelled"


def test_without_a_short_name_subjects_keep_the_full_name(app):
    event = load_event(MOCA_TEXT.replace(SHORT_NAME_LINE, ""), "moca.yaml")
    attendee = register_someone(event, language="it")
    subject = db.session.scalars(db.select(OutboxMessage.subject).filter_by(attendee_id=attendee.id)).one()
    assert subject == "La tua iscrizione a Brescia Città del Noi compie un anno"


def test_the_short_name_can_be_given_per_language_and_must_fit_on_one_line(app):
    per_language = "short_name: {it: Città del Noi, en: City of Us}\n"
    spec = parse_event_file(MOCA_TEXT.replace(SHORT_NAME_LINE, per_language))
    assert spec.short_name == {"it": "Città del Noi", "en": "City of Us"}

    with pytest.raises(EventFileError) as refused:
        parse_event_file(MOCA_TEXT.replace(SHORT_NAME_LINE, 'short_name: "Brescia\\nCittà del Noi"\n'))
    [(line, field, _)] = refused.value.problems
    assert (line, field) == (MOCA_TEXT[: MOCA_TEXT.index(SHORT_NAME_LINE)].count("\n") + 1, "short_name")


def test_the_pages_header_shows_the_short_name_with_the_full_one_on_hover(event, client):
    page = client.get("/brescia-citta-del-noi/register").get_data(as_text=True)
    brand = re.search(r'<a class="brand"[^>]*>[^<]*</a>', page).group(0)
    assert brand.endswith(">Brescia Città del Noi</a>")
    assert 'title="Brescia Città del Noi compie un anno"' in brand


# ---- `make run` restarted ----------------------------------------------------------------


@pytest.fixture
def bundled(tmp_path):
    """A copy of the bundled file, where make run would find it."""
    path = tmp_path / "moca.yaml"
    shutil.copy(MOCA, path)
    return path


def make_run(app, path) -> str:
    """What `make run` does with the event file at each start."""
    result = app.test_cli_runner().invoke(args=["event", "load", "--if-unchanged", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


def event_files() -> list[EventFile]:
    db.session.expire_all()
    return db.session.scalars(db.select(EventFile).order_by(EventFile.id)).all()


def served_name() -> str:
    db.session.expire_all()
    return db.session.scalars(db.select(Event)).one().name["it"]


def organiser_client(app):
    """Signed in as an organiser of the event the test loaded."""
    return signed_in(app, staff_account("admin@example.org", "Admin", PASSWORD, Role.ADMIN))


def upload_from_admin_page(admin, text: str):
    page = admin.get("/brescia-citta-del-noi/admin/event/").get_data(as_text=True)
    answer = admin.post(
        "/brescia-citta-del-noi/admin/event/",
        data={"csrf_token": csrf_from(page), "file": (io.BytesIO(text.encode()), "moca.yaml")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 302


def test_make_run_twice_with_an_organisers_edit_in_between_keeps_the_edit(app, bundled):
    assert make_run(app, bundled).startswith("Loaded brescia-citta-del-noi:"), "an empty database: loaded"
    assert "unchanged: not loaded again" in make_run(app, bundled)
    assert len(event_files()) == 1, "an unchanged file is not stored again"

    edited = MOCA_TEXT.replace('it: "Brescia Città del Noi compie un anno"', 'it: "Il giorno del Noi"')
    upload_from_admin_page(organiser_client(app), edited)
    output = make_run(app, bundled)

    assert served_name() == "Il giorno del Noi", "the organiser's edit survives the restart"
    assert len(event_files()) == 2
    assert output.count("\n") == 1 and "not reloaded" in output and "admin@example.org" in output


def test_make_run_loads_the_bundled_file_again_when_it_changed_on_disk(app, bundled):
    make_run(app, bundled)
    upload_from_admin_page(
        organiser_client(app), MOCA_TEXT.replace("compie un anno", "edited on the admin page")
    )
    bundled.write_text(MOCA_TEXT.replace("compie un anno", "new in this release"), encoding="utf-8")

    output = make_run(app, bundled)

    assert served_name() == "Brescia Città del Noi new in this release"
    assert "changed since it was last loaded" in output and "admin@example.org" in output
    assert [f.loaded_by for f in event_files()] == ["command line", "admin@example.org", "command line"]


def test_a_plain_event_load_still_loads_over_an_edit(app, bundled):
    make_run(app, bundled)
    upload_from_admin_page(organiser_client(app), MOCA_TEXT.replace("compie un anno", "edited"))
    result = app.test_cli_runner().invoke(args=["event", "load", str(bundled)])
    assert result.exit_code == 0 and served_name() == "Brescia Città del Noi compie un anno"


# ---- The rate-limit page -------------------------------------------------------------------


def post_register_until_refused(client, event, **headers):
    """A form sent over and over (a stuck key, a bot): the limit is 20 a minute."""
    token = csrf_from(client.get("/brescia-citta-del-noi/register").get_data(as_text=True))
    for _ in range(25):
        answer = client.post(
            "/brescia-citta-del-noi/register",
            data={"csrf_token": token, **form_fields(event, first_name="")},
            headers=headers,
        )
        if answer.status_code == 429:
            return answer
    raise AssertionError("never refused")


def test_a_refused_form_says_it_was_not_saved_how_to_get_it_back_and_names_the_event(event, client):
    answer = post_register_until_refused(
        client, event, Referer="http://localhost/brescia-citta-del-noi/register?from=home"
    )
    page = answer.get_data(as_text=True)

    assert "Quello che hai appena inviato non è stato salvato." in page
    assert "pulsante Indietro del browser" in page
    assert "non è andato perso" not in page, "no promise that nothing was lost"
    assert '<a href="/brescia-citta-del-noi/register?from=home">' in page, "a way back to the form"
    assert ">Brescia Città del Noi</a>" in page and "Noi Day" not in page
    assert int(answer.headers["Retry-After"]) >= 1


def test_the_refused_forms_way_back_never_leads_to_another_site(event, client):
    page = post_register_until_refused(client, event, Referer="http://evil.example/phish").get_data(
        as_text=True
    )
    assert "phish" not in page and '<a href="/brescia-citta-del-noi/register">' in page


# ---- The language preselected --------------------------------------------------------------


def checked_language(html: str) -> str:
    return re.search(r'<input checked[^>]*name="language"[^>]*value="(\w+)"', html).group(1)


def test_the_registration_form_preselects_the_pages_language(event, client):
    assert checked_language(client.get("/brescia-citta-del-noi/register").get_data(as_text=True)) == "it"
    client.get("/lang/en")
    assert checked_language(client.get("/brescia-citta-del-noi/register").get_data(as_text=True)) == "en"


def test_editing_keeps_the_persons_own_language_whatever_the_page_is_read_in(event, client):
    attendee = register_someone(event, language="it")
    client.get("/lang/en")
    page = client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}/edit").get_data(as_text=True)
    assert checked_language(page) == "it"
