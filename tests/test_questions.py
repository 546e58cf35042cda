"""The event's own registration questions (declared in the event file) and the fixed fields
it can switch off: through the form, on the attendee's pages, in the organisers' pages and
the CSV, and in the event file's checks."""

import csv
import io
import json

import pytest
from conftest import MOCA, csrf_from
from flask_babel import force_locale
from helpers import form_fields, post_registration, register_someone
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.events.event_file import EventFileError, parse_event_file
from app.events.services import load_event
from app.extensions import db
from app.models import Attendee, AttendeeAnswer, Event
from app.registration.privacy import erase_personal_data
from app.registration.tokens import manage_token

# One question of each kind; the README's example is checked on its own (below).
QUESTIONS = """
questions:
  - key: role
    type: text
    required: true
    label: {it: "Il tuo ruolo", en: "Your role"}
    help: {it: "Per esempio: educatrice, volontario", en: "For example: educator, volunteer"}
  - key: hopes
    type: long_text
    label: {it: "Cosa ti aspetti dalla giornata?", en: "What do you hope for from the day?"}
  - key: transport
    type: choice
    required: true
    label: {it: "Come arrivi?", en: "How are you coming?"}
    options:
      - {key: bus, label: {it: "In autobus", en: "By bus"}}
      - {key: car, label: {it: "In auto", en: "By car"}}
      - {key: bike, label: {it: "In bici", en: "By bike"}}
  - key: topics
    type: choices
    required: true
    label: {it: "Quali temi ti interessano?", en: "Which topics interest you?"}
    options:
      - {key: work, label: {it: "Lavoro", en: "Work"}}
      - {key: network, label: {it: "Reti di quartiere", en: "Neighbourhood networks"}}
      - {key: housing, label: {it: "Abitare", en: "Housing"}}
  - key: first_time
    type: yes_no
    label: {it: "È la prima volta che partecipi?", en: "Is this your first time?"}
"""
ANSWERS = {
    "question_role": "Educatrice",
    "question_hopes": "Conoscere\naltre associazioni",
    "question_transport": "bike",
    "question_topics": ["work", "housing"],
    "question_first_time": "yes",
}
NO_ANSWERS = dict.fromkeys(ANSWERS)


def moca_with(extra: str) -> str:
    return MOCA.read_text(encoding="utf-8") + extra


def load(text: str):
    event = load_event(text, "moca.yaml")
    event.registration_opens_at = event.registration_closes_at = None
    db.session.commit()
    return event


@pytest.fixture
def event(app):
    """The MO.CA day with the questions above, registration open."""
    return load(moca_with(QUESTIONS))


@pytest.fixture
def admin(make_staff):
    return make_staff("admin")[1]


def stored_answers(email: str) -> dict:
    db.session.rollback()
    attendee = db.session.scalars(select(Attendee).filter_by(email=email.lower())).one()
    return {row.question_key: row.value for row in attendee.answers}


def register_with(client, event, **answers):
    response, fields = post_registration(client, event, **{**ANSWERS, **answers})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.rollback()
    return db.session.scalars(select(Attendee).filter_by(email=fields["email"].lower())).one()


def csv_rows(admin, **query):
    response = admin.get("/brescia-citta-del-noi/admin/attendees.csv", query_string=query)
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


# ---- The form ----------------------------------------------------------------------------


def test_every_kind_of_question_is_asked_and_its_answer_stored(client, event):
    page = client.get("/brescia-citta-del-noi/register").get_data(as_text=True)
    assert "Il tuo ruolo" in page and "Per esempio: educatrice, volontario" in page
    assert 'name="question_transport" required type="radio" value="bike"> <label' in page
    assert 'name="question_topics" type="checkbox" value="network"' in page
    response, fields = post_registration(client, event, **ANSWERS)
    assert response.status_code == 302
    assert stored_answers(fields["email"]) == {
        "role": "Educatrice",
        "hopes": "Conoscere\naltre associazioni",
        "transport": "bike",
        "topics": '["work", "housing"]',
        "first_time": "yes",
    }


def test_missing_required_answers_are_named_and_what_was_typed_stays(client, event, italian):
    response, fields = post_registration(
        client, event, **{**NO_ANSWERS, "question_hopes": "Imparare <qualcosa>", "question_first_time": "no"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for message in ("Answer this question.", "Choose an answer.", "Choose at least one answer."):
        assert italian(message) in page
    assert f'value="{fields["first_name"]}"' in page  # the fixed fields kept...
    assert "Imparare &lt;qualcosa&gt;</textarea>" in page  # ...and the answers
    assert (
        '<input checked id="question_first_time-1" name="question_first_time" type="radio" value="no">'
        in page
    )
    assert db.session.scalars(select(Attendee)).all() == []


def test_optional_questions_may_stay_empty(client, event):
    response, fields = post_registration(
        client, event, **{**ANSWERS, "question_hopes": "   ", "question_first_time": None}
    )
    assert response.status_code == 302
    assert set(stored_answers(fields["email"])) == {"role", "transport", "topics"}


def test_an_answer_outside_the_options_is_refused(client, event):
    response, _ = post_registration(client, event, **{**ANSWERS, "question_transport": "plane"})
    assert response.status_code == 200
    assert db.session.scalars(select(Attendee)).all() == []


def test_the_personal_link_edit_page_changes_the_answers(client, event):
    attendee = register_with(client, event)
    token = manage_token(attendee)
    page = client.get(f"/brescia-citta-del-noi/r/{token}/edit").get_data(as_text=True)
    assert 'value="Educatrice"' in page and "Conoscere\naltre associazioni</textarea>" in page
    fields = form_fields(event, email=attendee.email, **ANSWERS)
    fields.update(question_topics=["network"], question_hopes="", question_transport="bus")
    response = client.post(
        f"/brescia-citta-del-noi/r/{token}/edit", data={"csrf_token": csrf_from(page), **fields}
    )
    assert response.status_code == 302
    assert stored_answers(attendee.email) == {
        "role": "Educatrice",
        "transport": "bus",
        "topics": '["network"]',
        "first_time": "yes",
    }


# ---- What attendees and organisers see ---------------------------------------------------


def test_the_attendee_page_and_data_export_give_the_answers_in_words(client, event):
    attendee = register_with(client, event)
    token = manage_token(attendee)
    page = client.get(f"/brescia-citta-del-noi/r/{token}").get_data(as_text=True)
    assert "Come arrivi?</dt><dd" in page and "In bici" in page
    assert "Lavoro, Abitare" in page and "È la prima volta che partecipi?" in page
    exported = client.get(f"/brescia-citta-del-noi/r/{token}/data.json").get_json()
    assert {a["question_key"]: a["answer"] for a in exported["answers"]} == {
        "role": "Educatrice",
        "hopes": "Conoscere\naltre associazioni",
        "transport": "In bici",
        "topics": "Lavoro, Abitare",
        "first_time": "Sì",
    }


def test_the_admin_attendee_page_shows_the_answers(client, event, admin):
    attendee = register_with(client, event)
    page = admin.get(f"/brescia-citta-del-noi/admin/attendees/{attendee.id}").get_data(as_text=True)
    assert "Il tuo ruolo</dt><dd" in page and "Educatrice" in page and "In bici" in page


def test_the_attendee_list_filters_by_an_answer(client, event, admin):
    cyclist = register_with(client, event, question_topics=["network"], question_first_time="no")
    driver = register_with(client, event, question_transport="car", question_topics=["work"])

    def listed(answer):
        page = admin.get("/brescia-citta-del-noi/admin/", query_string={"answer": answer}).get_data(
            as_text=True
        )
        return {a.email for a in (cyclist, driver) if a.email in page}

    page = admin.get("/brescia-citta-del-noi/admin/").get_data(as_text=True)
    assert '<optgroup label="Come arrivi?">' in page and 'value="topics=network"' in page
    assert listed("transport=bike") == {cyclist.email}
    assert listed("transport=car") == {driver.email}
    assert listed("topics=work") == {driver.email}  # "work" is not found inside "network"
    assert listed("topics=network") == {cyclist.email}
    assert listed("first_time=no") == {cyclist.email}
    assert listed("") == {cyclist.email, driver.email}
    for bad in ("transport=plane", "role=Educatrice", "nothing", "first_time="):
        assert admin.get("/brescia-citta-del-noi/admin/", query_string={"answer": bad}).status_code == 400, (
            bad
        )
    _, rows = csv_rows(admin, answer="transport=car")
    assert [row["email"] for row in rows] == [driver.email]


def test_the_csv_has_a_column_per_question_in_the_first_language(client, event, admin):
    attendee = register_with(client, event)
    register_someone(event)  # registered without answers (as the desk's walk-in form)
    header, rows = csv_rows(admin)
    questions = ["Il tuo ruolo", "Cosa ti aspetti dalla giornata?", "Come arrivi?"]
    questions += ["Quali temi ti interessano?", "È la prima volta che partecipi?"]
    assert header[-5:] == questions
    row = next(row for row in rows if row["email"] == attendee.email)
    assert [row[q] for q in questions] == [
        "Educatrice",
        "Conoscere\naltre associazioni",
        "In bici",
        "Lavoro, Abitare",
        "yes",
    ]
    other = next(row for row in rows if row["email"] != attendee.email)
    assert [other[q] for q in questions] == [""] * 5


def test_the_numbers_page_counts_each_option(client, event, admin):
    register_with(client, event)
    register_with(client, event, question_transport="bus", question_topics=["work", "network"])
    register_with(client, event, question_transport="bus", question_hopes="", question_first_time=None)
    page = admin.get("/brescia-citta-del-noi/admin/needs").get_data(as_text=True)
    assert "Come arrivi?: 3 risposte" in page
    assert '<th scope="row">In autobus</th><td>2</td>' in page
    assert '<th scope="row">In auto</th><td>0</td>' in page
    assert '<th scope="row">Lavoro</th><td>3</td>' in page  # several choices: once per option
    assert '<th scope="row">Reti di quartiere</th><td>1</td>' in page
    assert '<th scope="row">Abitare</th><td>2</td>' in page
    assert '<th scope="row">Sì</th><td>2</td>' in page
    assert "Cosa ti aspetti dalla giornata?: 2 risposte" in page  # text: how many answered


# ---- A file loaded again, erasure ---------------------------------------------------------


def test_a_question_dropped_from_the_file_keeps_its_answers_under_its_key(client, event, admin):
    attendee = register_with(client, event)
    before, after = QUESTIONS.split("  - key: transport")
    without_transport = before + "  - key: topics" + after.split("  - key: topics")[1]
    load(moca_with(without_transport))
    assert stored_answers(attendee.email)["transport"] == "bike"
    exported = client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}/data.json").get_json()
    assert {"question_key": "transport", "question": None, "answer": "bike"} in exported["answers"]
    header, rows = csv_rows(admin)
    assert header[-1] == "transport" and rows[0]["transport"] == "bike"
    assert "Come arrivi?" not in header
    page = admin.get(f"/brescia-citta-del-noi/admin/attendees/{attendee.id}").get_data(as_text=True)
    assert "transport" in page and "non più chiesta" in page
    assert "Come arrivi?" not in client.get("/brescia-citta-del-noi/register").get_data(as_text=True)
    # Their edit of the remaining answers leaves the dropped one as it was.
    token = manage_token(attendee)
    edit = client.get(f"/brescia-citta-del-noi/r/{token}/edit").get_data(as_text=True)
    fields = form_fields(event, email=attendee.email, **ANSWERS)
    assert (
        client.post(
            f"/brescia-citta-del-noi/r/{token}/edit", data={"csrf_token": csrf_from(edit), **fields}
        ).status_code
        == 302
    )
    assert stored_answers(attendee.email)["transport"] == "bike"


def test_the_database_keeps_one_answer_per_question_and_attendee(client, event):
    attendee = register_with(client, event)
    db.session.add(AttendeeAnswer(attendee_id=attendee.id, question_key="role", value="Un altro"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(AttendeeAnswer(attendee_id=attendee.id, question_key="", value="x"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_erasing_personal_data_removes_the_answers(client, event):
    attendee = register_with(client, event)
    erase_personal_data(attendee)
    db.session.commit()
    assert db.session.scalars(select(AttendeeAnswer)).all() == []


def test_deleting_an_attendee_deletes_their_answers_in_the_database(client, event):
    attendee = register_with(client, event)
    db.session.execute(db.delete(Attendee).where(Attendee.id == attendee.id))
    db.session.commit()
    assert db.session.scalars(select(AttendeeAnswer)).all() == []


# ---- Fixed fields switched off -------------------------------------------------------------

ALL_OFF = """
fields:
  organisation: false
  participant_type: false
  dietary_needs: false
  accessibility_needs: false
"""


def test_switched_off_fixed_fields_vanish_and_registration_works_without_them(client, app, admin, italian):
    event = load(moca_with(ALL_OFF))
    page = client.get("/brescia-citta-del-noi/register").get_data(as_text=True)
    for name in ("organisation", "participant_type", "dietary_needs", "accessibility_needs"):
        assert f'name="{name}"' not in page, name
    assert "A few more questions" not in page and "Ancora qualche domanda" not in page
    fields = {"organisation": None, "participant_type": None, "dietary_needs": None}
    response, typed = post_registration(client, event, accessibility_needs=None, **fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    attendee = db.session.scalars(select(Attendee)).one()
    assert (attendee.organisation_name, attendee.participant_type, attendee.dietary_needs) == (None, "", None)
    token = manage_token(attendee)
    assert client.get(f"/brescia-citta-del-noi/r/{token}").status_code == 200
    assert client.get(f"/brescia-citta-del-noi/r/{token}/badge.pdf").data.startswith(
        b"%PDF"
    )  # no participant type printed
    header, rows = csv_rows(admin)
    assert not {"organisation", "participant_type", "dietary_needs", "accessibility_needs"} & set(header)
    assert rows[0]["email"] == typed["email"].lower()
    listed = admin.get("/brescia-citta-del-noi/admin/").get_data(as_text=True)
    assert typed["email"].lower() in listed and 'name="organisation"' not in listed
    admin_page = admin.get(f"/brescia-citta-del-noi/admin/attendees/{attendee.id}").get_data(as_text=True)
    assert admin_page.count("<dt>") > 5 and f"<dt>{italian('Takes part as')}</dt>" not in admin_page
    assert italian("Organisation") not in admin_page
    for path in ("/brescia-citta-del-noi/admin/report.pdf", "/brescia-citta-del-noi/admin/results/figures/"):
        assert admin.get(path).status_code == 200, path  # the day's figures without the types
    report = admin.get("/brescia-citta-del-noi/admin/report.md").get_data(as_text=True)
    assert f"| {italian('not asked')} | 1 | 0 |" in report and "|  | 1 | 0 |" not in report
    needs = admin.get("/brescia-citta-del-noi/admin/needs").get_data(as_text=True)
    assert italian("Lunch: dietary needs and allergies") not in needs
    assert italian("Accessibility needs") not in needs


def test_a_field_switched_off_after_registering_keeps_what_was_given(client, event, admin):
    attendee = register_with(client, event)
    load(moca_with(QUESTIONS + "fields: {organisation: false}\n"))
    token = manage_token(attendee)
    edit = client.get(f"/brescia-citta-del-noi/r/{token}/edit").get_data(as_text=True)
    assert 'name="organisation"' not in edit
    fields = form_fields(event, email=attendee.email, organisation=None, **ANSWERS)
    assert (
        client.post(
            f"/brescia-citta-del-noi/r/{token}/edit", data={"csrf_token": csrf_from(edit), **fields}
        ).status_code
        == 302
    )
    db.session.rollback()
    assert db.session.get(Attendee, attendee.id).organisation_name == "Auser Brescia"


def test_the_desk_walk_in_form_asks_only_the_fields_the_event_asks(client, app, make_staff):
    from test_walk_in import WALK_IN, post_walk_in

    load(moca_with(ALL_OFF + QUESTIONS))
    desk = make_staff("desk")[1]
    page = desk.get(WALK_IN).get_data(as_text=True)
    assert 'name="organisation"' not in page and 'name="participant_type"' not in page
    assert 'name="question_role"' not in page  # the desk's short form asks no question
    event = db.session.scalars(select(Event)).one()
    response = post_walk_in(desk, event, organisation=None, participant_type=None, dietary_needs=None)
    assert response.status_code == 302
    walk_in = db.session.scalars(select(Attendee)).one()
    assert (walk_in.source, walk_in.participant_type, walk_in.answers) == ("desk", "", [])


def test_the_assignment_copes_with_no_organisation_or_participant_type(client, app, admin):
    from app.worldcafe.services import run_assignment

    event = load(moca_with(ALL_OFF))
    for _ in range(3):
        post_registration(client, event, organisation=None, participant_type=None, dietary_needs=None)
    db.session.rollback()
    assert db.session.scalars(select(Attendee.participant_type)).all() == ["", "", ""]
    run = run_assignment(event, "admin@example.org")
    assert len({seat.attendee_id for seat in run.seats if seat.cafe_table_id}) == 3


# ---- The event file ------------------------------------------------------------------------


def one(question: str) -> str:
    """A questions section of one question, written as a YAML flow mapping."""
    return f"questions:\n  - {{{question}}}\n"


def problems(extra: str) -> list[str]:
    with pytest.raises(EventFileError) as error:
        parse_event_file(moca_with(extra), "moca.yaml")
    return [f"{name}: {message}" for _line, name, message in error.value.problems]


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        (
            one("key: a, type: scale, label: A"),
            "questions[1].type: expected one of text, long_text",
        ),
        (one("key: a, type: text"), "questions[1].label: is required"),
        (one("type: text, label: A"), "questions[1].key: is required"),
        (one("key: A B, type: text, label: A"), "questions[1].key: use lower-case letters"),
        (
            "questions:\n  - {key: a, type: text, label: A}\n  - {key: a, type: yes_no, label: B}\n",
            "questions[2].key: 'a' is used twice",
        ),
        (
            one("key: a, type: choice, label: A"),
            "questions[1].options: a choice needs at least two",
        ),
        (
            one("key: a, type: text, label: A, options: [{key: x, label: X}]"),
            "questions[1].options: only questions of type choice or choices",
        ),
        (
            "questions:\n  - key: a\n    type: choices\n    label: A\n    options:\n"
            "      - {key: x, label: X}\n      - {key: x, label: Y}\n",
            "questions[1].options[2].key: 'x' is used twice",
        ),
        (
            "questions:\n  - key: a\n    type: choice\n    label: A\n    options:\n"
            "      - {key: x, label: X}\n      - {key: y}\n",
            "questions[1].options[2].label: is required",
        ),
        (
            one("key: a, type: text, label: A, requried: true"),
            "questions[1].requried: unknown field",
        ),
        (
            one("key: a, type: text, label: A, required: maybe"),
            "questions[1].required: expected true or false",
        ),
        (
            one("key: a, type: text, label: {it: A, fr: B}"),
            "questions[1].label.fr: language not among",
        ),
        ("fields: {phone: false}\n", "fields.phone: unknown field"),
        ("fields: {organisation: sometimes}\n", "fields.organisation: expected true or false"),
    ],
)
def test_bad_questions_and_fields_are_refused_with_their_path(section, expected):
    found = problems(section)
    assert any(problem.startswith(expected) for problem in found), found


def test_the_problems_read_in_italian_for_an_italian_reader(app):
    with app.test_request_context(), force_locale("it"):
        found = problems(one("key: a, type: choice, label: A"))
    assert any("almeno due opzioni" in problem for problem in found), found


def test_the_file_problem_names_its_line(app):
    with pytest.raises(EventFileError) as error:
        parse_event_file(moca_with(one("key: a, type: scale, label: A")), "moca.yaml")
    line = MOCA.read_text(encoding="utf-8").count("\n") + 2
    assert f"moca.yaml, line {line}: questions[1].type" in str(error.value)


def test_the_readme_example_is_a_valid_event_file_section():
    readme = (MOCA.parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Questions of your own")[1].split("```yaml\n")[1].split("```")[0]
    spec = parse_event_file(moca_with(section), "moca.yaml")
    assert [q["key"] for q in spec.questions] == ["transport", "first_time"]
    assert spec.fixed_fields["participant_type"] is False and spec.fixed_fields["organisation"] is True


def test_a_valid_file_stores_questions_and_fields_on_the_event(event):
    assert [q["key"] for q in event.questions] == ["role", "hopes", "transport", "topics", "first_time"]
    assert event.questions[2]["options"][0] == {"key": "bus", "label": {"it": "In autobus", "en": "By bus"}}
    assert event.questions[0]["required"] is True and event.questions[1]["required"] is False
    assert event.fixed_fields == dict.fromkeys(
        ["organisation", "participant_type", "dietary_needs", "accessibility_needs"], True
    )


# ---- Hostile text ---------------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script>"


def test_hostile_labels_and_answers_stay_text(client, admin):
    hostile_questions = f"""
questions:
  - key: note
    type: text
    label: "{HOSTILE} label"
    help: "<b onmouseover=alert(2)>help</b>"
  - key: pick
    type: choice
    label: "Pick <i>one</i>"
    options:
      - {{key: a, label: "<img src=x onerror=alert(3)>"}}
      - {{key: b, label: "B"}}
"""
    event = load(moca_with(hostile_questions))
    page = client.get("/brescia-citta-del-noi/register").get_data(as_text=True)
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt; label" in page
    assert "<b onmouseover" not in page and "<img src=x" not in page and "<i>one</i>" not in page
    response, fields = post_registration(client, event, question_note=HOSTILE, question_pick="a")
    assert response.status_code == 302
    attendee = db.session.scalars(select(Attendee)).one()
    pages = [
        client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}").get_data(as_text=True),
        client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}/edit").get_data(as_text=True),
        admin.get(f"/brescia-citta-del-noi/admin/attendees/{attendee.id}").get_data(as_text=True),
        admin.get("/brescia-citta-del-noi/admin/").get_data(as_text=True),
        admin.get("/brescia-citta-del-noi/admin/needs").get_data(as_text=True),
    ]
    for page in pages:
        assert HOSTILE not in page and "<img src=x" not in page and "<i>one</i>" not in page
    exported = client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}/data.json").get_json()
    assert {"question_key": "note", "question": f"{HOSTILE} label", "answer": HOSTILE} in exported["answers"]
    assert json.dumps(exported)  # plain JSON, the text as typed


def test_the_pages_with_questions_are_valid_html(client, event, admin, tmp_path):
    from test_html_validity import nu_errors

    attendee = register_with(client, event)
    token = manage_token(attendee)
    response, _ = post_registration(client, event, **NO_ANSWERS)  # sent back with its errors
    pages = {
        "register-errors": response.get_data(as_text=True),
        "manage": client.get(f"/brescia-citta-del-noi/r/{token}").get_data(as_text=True),
        "edit": client.get(f"/brescia-citta-del-noi/r/{token}/edit").get_data(as_text=True),
        "admin-attendee": admin.get(f"/brescia-citta-del-noi/admin/attendees/{attendee.id}").get_data(
            as_text=True
        ),
        "admin-list": admin.get(
            "/brescia-citta-del-noi/admin/", query_string={"answer": "topics=work"}
        ).get_data(as_text=True),
        "needs": admin.get("/brescia-citta-del-noi/admin/needs").get_data(as_text=True),
    }
    for name, html in pages.items():
        (tmp_path / f"{name}.html").write_text(html, encoding="utf-8")
    assert nu_errors(tmp_path) == {}
