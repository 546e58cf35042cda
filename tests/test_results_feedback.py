"""The feedback questionnaire after the day: once to each person who checked in, through a
real SMTP server; one reminder; anonymous answers, stored once; admin-only pages."""

import email
import email.policy
import html
import logging
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from conftest import csrf_from
from helpers import register_someone, second_event
from sqlalchemy import func, inspect, select
from test_mail import smtp  # noqa: F401
from test_mass_actions import plan_on, post_at_once

from app import create_app
from app.checkin.services import check_in_attendee, undo_check_in
from app.extensions import db
from app.mail import sender as mail_sender
from app.models import Event, FeedbackAnswer, FeedbackRequest, OutboxMessage, Role, utcnow
from app.registration.tokens import manage_token
from app.results import feedback as service
from app.results.feedback_answers import answer_token

PUBLIC_URL = "https://iscrizioni.bresciacittadelnoi.example"
ADMIN_PAGE = "/brescia-citta-del-noi/admin/results/feedback/"
SEND = "/brescia-citta-del-noi/admin/results/feedback/send/questionnaire"
REMIND = "/brescia-citta-del-noi/admin/results/feedback/send/reminder"


def arrive(event, attendee):
    outcome = check_in_attendee(event, attendee.id, None, uuid.uuid4().hex, desk_name="Desk 1")
    return outcome.check_in


@pytest.fixture
def day(event):
    """Three people who checked in (one writes in English), and four who must get nothing:
    registered but never came, checked in by mistake (undone), a walk-in without e-mail, and
    someone who cancelled."""
    arrived = [
        register_someone(event, first_name="Anna", language="it"),
        register_someone(event, first_name="Bruno", language="it"),
        register_someone(event, first_name="John", language="en"),
    ]
    for attendee in arrived:
        arrive(event, attendee)
    never_came = register_someone(event, first_name="Nora")
    undone = register_someone(event, first_name="Ugo")
    undo_check_in(arrive(event, undone).id, event, "desk@example.org")
    walk_in = register_someone(event, first_name="Walter")
    arrive(event, walk_in)
    walk_in.email = None
    db.session.commit()
    return {"arrived": arrived, "others": [never_came, undone, walk_in]}


@pytest.fixture
def ended(event):
    """The day was ten days ago: the questionnaire is open by the clock, on every page."""
    event.date = date.today() - timedelta(days=10)
    db.session.commit()
    return event


def after_the_day(event, **later):
    return service.opens_at(event) + timedelta(minutes=1, **later)


def requests_count() -> int:
    db.session.rollback()  # see what the requests committed
    return db.session.scalar(select(func.count()).select_from(FeedbackRequest))


def answers_stored() -> list[dict]:
    db.session.rollback()
    return db.session.scalars(select(FeedbackAnswer.answers)).all()


def queued(kind: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).filter_by(kind=kind))


def received(smtp_server) -> dict[str, email.message.EmailMessage]:
    messages = [
        email.message_from_bytes(e.content, policy=email.policy.default) for e in smtp_server.messages
    ]
    return {m["To"]: m for m in messages}


def deliver_all():
    while mail_sender.deliver_due() != (0, 0):
        pass


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


def visible(page: str) -> str:
    """The words a reader sees, tags out."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def link_in(message) -> str:
    text = message.get_body(("plain",)).get_content()
    return re.search(r"https?://\S+/feedback/[A-Za-z0-9._-]+", text).group(0)


def test_sent_once_to_each_person_who_checked_in_through_a_real_smtp_server(
    app,
    event,
    day,
    monkeypatch,
    smtp,  # noqa: F811
):
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC_URL)
    deliver_all()  # their confirmations
    smtp.messages.clear()
    assert service.send_questionnaire(event, now=after_the_day(event)) == 3
    assert service.send_due(event, now=after_the_day(event, hours=1)) == (0, 0), "run again: nothing"
    deliver_all()
    got = received(smtp)
    assert set(got) == {a.email for a in day["arrived"]}, "not the absent, the undone, the walk-in"
    assert len(smtp.messages) == 3
    anna, john = got[day["arrived"][0].email], got[day["arrived"][2].email]
    assert "com'è andata" in anna["Subject"] and "how was it" in john["Subject"]
    italian = anna.get_body(("plain",)).get_content()
    assert "Ciao Anna," in italian and "anonime" in italian and "due minuti" in italian
    assert "anonymous" in john.get_body(("plain",)).get_content()
    assert link_in(anna).startswith(f"{PUBLIC_URL}/brescia-citta-del-noi/feedback/"), (
        "links only from PUBLIC_URL"
    )
    assert link_in(anna) in anna.get_body(("html",)).get_content()
    assert anna["Auto-Submitted"] == "auto-generated"


def test_nothing_goes_out_before_the_day_has_ended(app, event, day, make_staff):
    too_early = service.opens_at(event) - timedelta(minutes=1)
    with pytest.raises(service.FeedbackNotOpen):
        service.send_questionnaire(event, now=too_early)
    assert requests_count() == 0 and queued("feedback") == 0
    _, admin = make_staff(Role.ADMIN)
    page = admin.get(SEND).get_data(as_text=True)
    assert "Parte solo dopo la giornata" in text_of(page) and 'name="plan"' not in page
    csrf = csrf_from(admin.get(ADMIN_PAGE).get_data(as_text=True))
    shown = admin.post(SEND, data={"csrf_token": csrf, "plan": "0" * 16}, follow_redirects=True)
    assert "Il questionario parte solo dopo la giornata" in text_of(shown.get_data(as_text=True))
    result = app.test_cli_runner().invoke(args=["feedback", "send"])
    assert result.exit_code == 0 and "not before the day has ended" in result.output
    assert requests_count() == 0 and queued("feedback") == 0


def test_two_runs_at_once_send_once_each(app, event, day):
    event_id, when = event.id, after_the_day(event)
    barrier = threading.Barrier(3)

    def run():
        with app.app_context():
            barrier.wait()
            return service.send_due(db.session.get(Event, event_id), now=when)

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: run(), range(3)))
    assert sorted(sent for sent, _ in results) == [0, 0, 3]
    assert requests_count() == 3 and queued("feedback") == 3


def test_confirmations_arriving_at_once_from_the_admin_page_send_once(app, ended, day, make_staff):
    held = []
    for n in range(3):
        client = make_staff(Role.ADMIN, f"admin{n}@example.org")[1]
        page = client.get(SEND).get_data(as_text=True)
        held.append((client, {"csrf_token": csrf_from(page), "plan": plan_on(page)}))
    answers = post_at_once(app, held, SEND)
    assert [a.status_code for a in answers] == [302] * 3
    assert queued("feedback") == 3 and requests_count() == 3


def test_the_admin_page_shows_who_then_sends_exactly_them(ended, day, make_staff):
    _, admin = make_staff(Role.ADMIN)
    overview = text_of(admin.get(ADMIN_PAGE).get_data(as_text=True))
    assert "Invia il questionario a 3 persone" in overview
    page = admin.get(SEND).get_data(as_text=True)
    assert "3 persone riceveranno un'e-mail." in text_of(page) and "Nora" not in page
    assert queued("feedback") == 0, "showing sends nothing"
    late = register_someone(ended, first_name="Lia")
    arrive(ended, late)  # one more since the page was shown
    form = {"csrf_token": csrf_from(page), "plan": plan_on(page)}
    changed = admin.post(SEND, data=form)
    assert "Qualcosa è cambiato" in text_of(changed.get_data(as_text=True)) and queued("feedback") == 0
    again = admin.get(SEND).get_data(as_text=True)
    form = {"csrf_token": csrf_from(again), "plan": plan_on(again)}
    done = admin.post(SEND, data=form, follow_redirects=True)
    assert "Il questionario sta arrivando a 4 persone." in text_of(done.get_data(as_text=True))
    replay = admin.post(SEND, data=form, follow_redirects=True)
    assert "non è stato inviato altro" in text_of(replay.get_data(as_text=True))
    assert queued("feedback") == 4


def answer(client, link_path: str, **fields):
    page = client.get(link_path).get_data(as_text=True)
    data = {"csrf_token": csrf_from(page), "token": link_path.rsplit("/", 1)[1]}
    data.update({f"q_{key}": value for key, value in fields.items()})
    return client.post("/brescia-citta-del-noi/feedback/", data=data)


def link_path(request: FeedbackRequest) -> str:
    return f"/brescia-citta-del-noi/feedback/{answer_token(request)}"


def request_of(attendee) -> FeedbackRequest:
    db.session.rollback()
    return db.session.scalars(select(FeedbackRequest).filter_by(attendee_id=attendee.id)).one()


def test_the_one_reminder_goes_only_to_those_who_did_not_answer(
    app,
    event,
    day,
    client,
    smtp,  # noqa: F811
):
    sent_at = after_the_day(event)
    service.send_questionnaire(event, now=sent_at)
    anna, bruno, john = day["arrived"]
    assert answer(client, link_path(request_of(anna)), overall="4").status_code == 303
    assert service.send_reminder(event, now=sent_at + timedelta(days=3)) == 0, "not before 4 days"
    deliver_all()
    smtp.messages.clear()
    assert service.send_reminder(event, now=sent_at + timedelta(days=4, minutes=1)) == 2
    deliver_all()
    reminded = {to for to, m in received(smtp).items() if "ultimo promemoria" in m["Subject"]}
    reminded |= {to for to, m in received(smtp).items() if "last reminder" in m["Subject"]}
    assert reminded == {bruno.email, john.email} and len(smtp.messages) == 2
    assert service.send_reminder(event, now=sent_at + timedelta(days=30)) == 0, "at most one"
    bruno_link = link_in(received(smtp)[bruno.email])
    assert bruno_link.endswith(link_path(request_of(bruno))), "the same link as the first e-mail"


def test_no_reminder_when_the_event_file_asks_for_none(event, day):
    event.feedback = {**event.feedback, "reminder_after_days": 0}
    db.session.commit()
    sent_at = after_the_day(event)
    service.send_questionnaire(event, now=sent_at)
    assert service.send_reminder(event, now=sent_at + timedelta(days=365)) == 0


def sent_to(event, day) -> list[FeedbackRequest]:
    service.send_questionnaire(event, now=after_the_day(event))
    return [request_of(attendee) for attendee in day["arrived"]]


def test_an_answer_is_stored_with_nothing_that_points_at_a_person_or_a_time(app, ended, day, client):
    anna = sent_to(ended, day)[0]
    page = client.get(link_path(anna)).get_data(as_text=True)
    assert 'action="/brescia-citta-del-noi/feedback/"' in page, (
        "the token is never in the path the answers are posted to"
    )
    assert "Com'è andata la giornata?" in page and "Nel complesso" in page
    done = answer(client, link_path(anna), overall="5", world_cafe="3", take_home="Nuovi contatti")
    assert done.status_code == 303 and done.headers["Location"].endswith(
        "/brescia-citta-del-noi/feedback/thanks"
    )
    assert "senza il tuo nome" in client.get(done.headers["Location"]).get_data(as_text=True)
    assert answers_stored() == [{"overall": 5, "world_cafe": 3, "take_home": "Nuovi contatti"}]
    assert request_of(day["arrived"][0]).answered is True
    columns = {column["name"] for column in inspect(db.engine).get_columns("feedback_answers")}
    assert columns == {"id", "event_id", "answers"}, "no attendee, no request, no time"
    foreign = inspect(db.engine).get_foreign_keys("feedback_answers")
    assert [key["referred_table"] for key in foreign] == ["events"]
    [stored_id] = db.session.scalars(select(FeedbackAnswer.id)).all()
    assert re.fullmatch(r"[0-9a-f]{32}", stored_id), "a random id, not a number in sequence"


def test_the_exports_and_the_attendee_page_hold_no_answer(app, ended, day, client, make_staff):
    anna = day["arrived"][0]
    answer(client, link_path(sent_to(ended, day)[0]), overall="2", take_home="Risposta-segreta-XYZ")
    assert answers_stored(), "the answer is stored"
    own_data = client.get(f"/brescia-citta-del-noi/r/{manage_token(anna)}/data.json").get_data(as_text=True)
    assert "Risposta-segreta-XYZ" not in own_data and '"overall"' not in own_data
    _, admin = make_staff(Role.ADMIN)
    for url in (
        "/brescia-citta-del-noi/admin/attendees.csv",
        f"/brescia-citta-del-noi/admin/attendees/{anna.id}",
        "/brescia-citta-del-noi/admin/",
        ADMIN_PAGE,
    ):
        shown = admin.get(url)
        assert shown.status_code == 200, url
        assert "Risposta-segreta-XYZ" not in shown.get_data(as_text=True), url
    overview = text_of(admin.get(ADMIN_PAGE).get_data(as_text=True))
    assert "Le risposte compaiono quando hanno risposto 5 persone" in overview, "one answer: not shown"


def test_the_answers_show_counted_once_five_people_answered(app, ended, client, make_staff):
    people = [register_someone(ended, language="it") for _ in range(5)]
    for attendee in people:
        arrive(ended, attendee)
    service.send_questionnaire(ended, now=after_the_day(ended))
    for attendee, rating in zip(people, [5, 4, 4, 2, 1], strict=True):
        answer(client, link_path(request_of(attendee)), overall=str(rating), next_year=f"Idea {rating}")
    counted = service.summary(db.session.get(Event, ended.id))
    assert (counted.invited, counted.answered) == (5, 5)
    overall = next(q for q in counted.questions if q.key == "overall")
    assert overall.ratings == {1: 1, 2: 1, 3: 0, 4: 2, 5: 1} and overall.average == 3.2
    texts = next(q for q in counted.questions if q.key == "next_year").texts
    assert sorted(texts) == ["Idea 1", "Idea 2", "Idea 4", "Idea 4", "Idea 5"]
    _, admin = make_staff(Role.ADMIN)
    page = visible(admin.get(ADMIN_PAGE).get_data(as_text=True))
    assert "Hanno risposto 5" in page, page
    assert "Media: 3,2 su 5" in page and "Idea 5" in page


def test_a_second_submit_says_thank_you_and_stores_nothing(app, ended, day, client):
    anna = sent_to(ended, day)[0]
    page = client.get(link_path(anna)).get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "token": answer_token(anna), "q_overall": "4"}
    assert client.post("/brescia-citta-del-noi/feedback/", data=form).status_code == 303
    again = client.post("/brescia-citta-del-noi/feedback/", data={**form, "q_overall": "1"})
    assert again.status_code == 200 and "Hai già risposto" in text_of(again.get_data(as_text=True))
    assert "Hai già risposto" in text_of(client.get(link_path(anna)).get_data(as_text=True))
    assert answers_stored() == [{"overall": 4}]


def test_submits_racing_each_other_store_one_answer(app, ended, day):
    anna = sent_to(ended, day)[0]
    held = []
    for _ in range(4):
        browser = app.test_client()
        page = browser.get(link_path(anna)).get_data(as_text=True)
        held.append((browser, {"csrf_token": csrf_from(page), "token": answer_token(anna), "q_overall": "3"}))
    results = post_at_once(app, held, "/brescia-citta-del-noi/feedback/")
    assert sorted(r.status_code for r in results) == [200, 200, 200, 303]
    assert answers_stored() == [{"overall": 3}]


def forged_tokens(request, other) -> list[str]:
    real = answer_token(request)
    payload, signature = real.split(".")
    flipped = signature[:-3] + ("A" if signature[-3] != "A" else "B") + signature[-2:]
    return [
        f"{answer_token(other).split('.')[0]}.{signature}",  # another request under this signature
        f"{payload}.{flipped}",  # an altered signature
        manage_token(request_attendee(request)),  # the personal link's token: another salt
        real + "=",  # the same token, spelled otherwise
        "not-a-token",
    ]


def request_attendee(request):
    from app.models import Attendee

    return db.session.get(Attendee, request.attendee_id)


def test_forged_and_other_events_tokens_are_a_404_and_store_nothing(app, ended, day, client):
    anna, bruno, _ = sent_to(ended, day)
    other_event = second_event()
    other_event.date = ended.date - timedelta(days=30)  # the MO.CA day stays the one served
    stranger = register_someone(other_event)
    theirs = FeedbackRequest(event_id=other_event.id, attendee_id=stranger.id)
    db.session.add(theirs)
    db.session.commit()
    page = client.get(link_path(anna)).get_data(as_text=True)
    for token in [*forged_tokens(anna, bruno), answer_token(theirs)]:
        shown = client.get(f"/brescia-citta-del-noi/feedback/{token}")
        assert shown.status_code == 404 and "Questo link non è valido" in shown.get_data(as_text=True), token
        posted = client.post(
            "/brescia-citta-del-noi/feedback/",
            data={"csrf_token": csrf_from(page), "token": token, "q_overall": "1"},
        )
        assert posted.status_code == 404, token
    assert answers_stored() == []
    assert not db.session.scalars(select(FeedbackRequest.answered).where(FeedbackRequest.answered)).all()


def test_mistakes_are_explained_in_their_language_and_what_was_typed_stays(app, ended, day, client):
    _, _, john = sent_to(ended, day)
    long_text = "x" * 2001
    shown = answer(
        client, link_path(john), world_cafe="7", take_home=long_text, next_year="More <b>green</b>"
    )
    page = text_of(shown.get_data(as_text=True))
    assert shown.status_code == 200
    assert "Overall, how was the day?: Please answer this question." in page, "in John's English"
    assert "Choose a number from 1 to 5." in page and "under 2000 characters" in page
    assert "More <b>green</b>" in page and long_text in page, "what was typed stays"
    assert "&lt;b&gt;green" in shown.get_data(as_text=True), "escaped"
    assert answers_stored() == [] and request_of(day["arrived"][2]).answered is False
    italian = answer(client, link_path(sent_to(ended, day)[0]), overall="")
    assert "Rispondi a questa domanda, per favore." in text_of(italian.get_data(as_text=True))


def test_the_answer_form_needs_its_csrf_token(app, ended, day, client):
    anna = sent_to(ended, day)[0]
    client.get(link_path(anna))
    refused = client.post(
        "/brescia-citta-del-noi/feedback/", data={"token": answer_token(anna), "q_overall": "5"}
    )
    assert refused.status_code == 400
    assert answers_stored() == [] and request_of(day["arrived"][0]).answered is False


@pytest.mark.parametrize("role", [Role.DESK, Role.FACILITATOR])
def test_the_organisers_pages_are_for_admins_only(app, ended, day, make_staff, role):
    _, staff = make_staff(role)
    for url in (ADMIN_PAGE, SEND, REMIND):
        assert staff.get(url).status_code == 403, url
    assert staff.post(SEND, data={"plan": "0" * 16}).status_code in (400, 403)
    assert app.test_client().get(ADMIN_PAGE).status_code == 302, "anonymous: to the login page"
    assert queued("feedback") == 0


def test_the_send_button_needs_its_csrf_token(app, ended, day, make_staff):
    _, admin = make_staff(Role.ADMIN)
    page = admin.get(SEND).get_data(as_text=True)
    assert admin.post(SEND, data={"plan": plan_on(page)}).status_code == 400
    assert queued("feedback") == 0


def test_the_command_sends_what_is_due_and_nothing_twice(app, ended, day):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["feedback", "send"])
    assert first.exit_code == 0 and "questionnaire=3 reminders=0" in first.output
    again = runner.invoke(args=["feedback", "send"])
    assert "questionnaire=0 reminders=0" in again.output
    db.session.execute(db.update(FeedbackRequest).values(sent_at=utcnow() - timedelta(days=5)))
    db.session.commit()
    later = runner.invoke(args=["feedback", "send"])
    assert "questionnaire=0 reminders=3" in later.output
    assert "questionnaire=0 reminders=0" in runner.invoke(args=["feedback", "send"]).output
    assert queued("feedback") == 3 and queued("feedback_reminder") == 3


class Collected(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(getattr(record, "fields", {}))


def test_the_request_log_never_ties_a_token_to_the_moment_of_an_answer(app, ended, day, database_url):
    """The log writes each request's method, path and time: the answers go to a path
    without the token, so its lines say that someone answered, never who."""
    loggers = [logging.getLogger(name) for name in (app.name, "noiday.requests")]
    kept = [(logger.handlers[:], logger.level, logger.propagate) for logger in loggers]
    logged = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY="test-secret", LOG_FORMAT="json"
    )
    logged.test_client_class = app.test_client_class
    collected = Collected()
    loggers[1].addHandler(collected)
    try:
        token = answer_token(sent_to(ended, day)[0])
        done = answer(
            logged.test_client(), f"/brescia-citta-del-noi/feedback/{token}", overall="5", take_home="Segreto"
        )
    finally:  # the loggers are the process's: as they were, for the other tests
        for logger, (handlers, level, propagate) in zip(loggers, kept, strict=True):
            logger.handlers[:], logger.level, logger.propagate = handlers, level, propagate
    assert done.status_code == 303 and answers_stored() == [{"overall": 5, "take_home": "Segreto"}]
    posts = [line for line in collected.lines if line["method"] == "POST"]
    assert [line["path"] for line in posts] == ["/brescia-citta-del-noi/feedback/"]
    assert all(token not in str(line) and "Segreto" not in str(line) for line in posts)


def test_without_a_questionnaire_in_the_event_file_nothing_is_sent_and_the_page_says_so(
    app, ended, day, make_staff
):
    ended.feedback = None
    db.session.commit()
    _, admin = make_staff(Role.ADMIN)
    assert "non ha un questionario di gradimento" in visible(admin.get(ADMIN_PAGE).get_data(as_text=True))
    page = admin.get(SEND, follow_redirects=True).get_data(as_text=True)
    assert "non è stato inviato nulla" in visible(page)
    shown = admin.post(SEND, data={"csrf_token": csrf_from(page), "plan": "0" * 16}, follow_redirects=True)
    assert "non è stato inviato nulla" in visible(shown.get_data(as_text=True))
    result = app.test_cli_runner().invoke(args=["feedback", "send"])
    assert "has no feedback questionnaire" in result.output
    assert service.summary(ended) is None and queued("feedback") == 0
