"""Mass actions ask first: publishing an assignment and sending the reminder show how many
people will get an e-mail (from the same code that then sends), send only after a
confirmation, and once however often the confirmation arrives. Moving a person by name,
comparing runs from a list, and the announcement's greeting as a choice."""

import html
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import csrf_from
from helpers import register_someone, second_event
from sqlalchemy import func, select
from test_announcements import announcement, form_on

from app.extensions import db
from app.models import AssignmentRun, OutboxMessage, Role, SeatAssignment
from app.worldcafe import services as world_cafe

ANNOUNCEMENTS = "/brescia-citta-del-noi/admin/announcements/"
REMINDERS = "/brescia-citta-del-noi/admin/announcements/reminders"


def runs_url(run_id: int) -> str:
    return f"/brescia-citta-del-noi/admin/assignment/runs/{run_id}"


def queued(kind: str) -> int:
    db.session.rollback()  # see what the requests committed
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).filter_by(kind=kind))


def plan_on(page: str) -> str:
    return re.search(r'name="plan" type="hidden" value="([0-9a-f]{16})"', page).group(1)


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", page))


@pytest.fixture
def admin(make_staff):
    return make_staff(Role.ADMIN)[1]


@pytest.fixture
def crowd(event):
    """Twelve people for the world café; the last has no e-mail (a walk-in at the desk)."""
    people = [register_someone(event, table_ids=[event.tables[n % 3].id]) for n in range(12)]
    people[-1].email = None
    db.session.commit()
    return people


def test_publishing_first_says_how_many_will_be_emailed_and_sends_nothing(event, crowd, admin):
    run = world_cafe.run_assignment(event, "a")
    page = text_of(admin.get(f"{runs_url(run.id)}/publish").get_data(as_text=True))
    assert "11 persone riceveranno un'e-mail sul loro tavolo." in page
    assert "1 persona a cui cambia il tavolo non ha un indirizzo e-mail: avvisala al banco." in page
    assert "Pubblica e avvisa 11 persone via e-mail" in page and "Annulla" in page
    assert queued("assignment") == 0 and db.session.get(AssignmentRun, run.id).published_at is None


def test_confirming_publishes_and_emails_exactly_the_people_counted(event, crowd, admin):
    first = world_cafe.run_assignment(event, "a")
    world_cafe.publish(first, "a")
    already = queued("assignment")
    late = register_someone(event, table_ids=[event.tables[4].id])
    run = world_cafe.run_assignment(event, "a")  # everyone keeps their table; the latecomer is new
    page = admin.get(f"{runs_url(run.id)}/publish").get_data(as_text=True)
    assert "1 persona riceverà un'e-mail sul suo tavolo." in text_of(page)
    done = admin.post(
        f"{runs_url(run.id)}/publish", data={"csrf_token": csrf_from(page), "plan": plan_on(page)}
    )
    assert done.status_code == 302
    db.session.rollback()
    assert db.session.get(AssignmentRun, run.id).published_at is not None
    assert queued("assignment") == already + 1
    last = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert last.attendee_id == late.id
    shown = admin.get(runs_url(run.id)).get_data(as_text=True)
    assert "Persone avvisate del loro tavolo via e-mail: 1." in text_of(shown)


def test_a_plan_that_changed_since_it_was_shown_is_not_published(event, crowd, admin):
    run = world_cafe.run_assignment(event, "a")
    page = admin.get(f"{runs_url(run.id)}/publish").get_data(as_text=True)
    crowd[0].email = None  # meanwhile their address was erased: one e-mail fewer
    db.session.commit()
    again = admin.post(
        f"{runs_url(run.id)}/publish", data={"csrf_token": csrf_from(page), "plan": plan_on(page)}
    )
    shown = text_of(again.get_data(as_text=True))
    assert again.status_code == 200 and "Qualcosa è cambiato" in shown
    assert "10 persone riceveranno un'e-mail sul loro tavolo." in shown, "the new figures"
    assert queued("assignment") == 0 and db.session.get(AssignmentRun, run.id).published_at is None


def test_publishing_without_the_plan_shown_is_refused(event, crowd, admin):
    run = world_cafe.run_assignment(event, "a")
    page = admin.get(runs_url(run.id)).get_data(as_text=True)
    admin.post(f"{runs_url(run.id)}/publish", data={"csrf_token": csrf_from(page)})
    assert queued("assignment") == 0 and db.session.get(AssignmentRun, run.id).published_at is None


def confirmations(app, make_staff, url: str, count: int) -> list:
    """Several organisers (sessions) each holding the confirmation page of ``url``."""
    held = []
    for n in range(count):
        client = make_staff(Role.ADMIN, f"admin{n}@example.org")[1]
        page = client.get(url).get_data(as_text=True)
        held.append((client, {"csrf_token": csrf_from(page), "plan": plan_on(page)}))
    return held


def post_at_once(app, held, url: str) -> list:
    barrier = threading.Barrier(len(held))

    def confirm(client, form):
        barrier.wait()
        return client.post(url, data=form)

    with ThreadPoolExecutor(len(held)) as pool:
        return list(pool.map(lambda item: confirm(*item), held))


def test_confirmations_arriving_at_once_publish_and_email_once(app, event, crowd, make_staff):
    run = world_cafe.run_assignment(event, "a")
    url = f"{runs_url(run.id)}/publish"
    answers = post_at_once(app, confirmations(app, make_staff, url, 4), url)
    assert [a.status_code for a in answers] == [302] * 4
    assert queued("assignment") == 11, "each person e-mailed once"


def test_reminder_first_says_how_many_then_sends_to_exactly_them(event, crowd, admin):
    page = admin.get(REMINDERS).get_data(as_text=True)
    assert "11 persone riceveranno un'e-mail." in text_of(page), "not the one without an address"
    assert queued("reminder") == 0
    form = {"csrf_token": csrf_from(page), "plan": plan_on(page)}
    first, replayed = admin.post(REMINDERS, data=form), admin.post(REMINDERS, data=form)
    assert first.status_code == replayed.status_code == 302
    assert queued("reminder") == 11
    shown = text_of(admin.get(ANNOUNCEMENTS).get_data(as_text=True))
    assert "non è stato inviato altro" in shown, "the replay says nothing more went out"


def test_a_reminder_list_that_changed_since_it_was_shown_sends_nothing(event, crowd, admin):
    page = admin.get(REMINDERS).get_data(as_text=True)
    register_someone(event)
    again = admin.post(REMINDERS, data={"csrf_token": csrf_from(page), "plan": plan_on(page)})
    shown = text_of(again.get_data(as_text=True))
    assert again.status_code == 200 and "Qualcosa è cambiato" in shown
    assert "12 persone riceveranno un'e-mail." in shown
    assert queued("reminder") == 0


def test_reminder_confirmations_arriving_at_once_send_once(app, event, crowd, make_staff):
    answers = post_at_once(app, confirmations(app, make_staff, REMINDERS, 4), REMINDERS)
    assert [a.status_code for a in answers] == [302] * 4
    assert queued("reminder") == 11


def move(admin, run, typed: str, table) -> str:
    page = admin.get(runs_url(run.id)).get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "person": typed, "table_id": table.id}
    return text_of(admin.post(runs_url(run.id), data=form, follow_redirects=True).get_data(as_text=True))


def seat_of(run, attendee) -> SeatAssignment:
    db.session.rollback()
    return db.session.scalars(
        select(SeatAssignment).filter_by(run_id=run.id, attendee_id=attendee.id, round=1)
    ).one()


def test_a_person_is_moved_by_name_accents_and_case_aside(event, admin):
    lucia = register_someone(event, first_name="Lùcia", last_name="D'Amico", table_ids=[event.tables[0].id])
    register_someone(event, first_name="Luciano", last_name="Damiani", table_ids=[event.tables[0].id])
    run = world_cafe.run_assignment(event, "a")
    page = text_of(admin.get(runs_url(run.id)).get_data(as_text=True))
    assert 'list="people"' in page and f"<option value=\"Lùcia D'Amico · {lucia.badge_code[:3]}" in page
    shown = move(admin, run, "lucia d'amico", event.tables[2])
    assert f"Lùcia D'Amico ora è al tavolo «{event.tables[2].name['it']}»." in shown
    assert seat_of(run, lucia).cafe_table_id == event.tables[2].id


def test_a_name_that_fits_several_people_moves_nobody_and_lists_them(event, admin):
    anna = register_someone(event, first_name="Anna", last_name="Rossi", table_ids=[event.tables[0].id])
    register_someone(event, first_name="Anna", last_name="Rossini", table_ids=[event.tables[0].id])
    register_someone(event, first_name="Annalisa", last_name="Rossetti", table_ids=[event.tables[0].id])
    run = world_cafe.run_assignment(event, "a")
    shown = move(admin, run, "Ross", event.tables[3])
    assert "3 persone corrispondono a “Ross”" in shown and "Anna Rossini" in shown
    assert 'value="Ross"' in shown, "what was typed is kept"
    assert seat_of(run, anna).cafe_table_id == event.tables[0].id
    move(admin, run, "Anna Rossi", event.tables[3])  # a whole name beside a longer one
    assert seat_of(run, anna).cafe_table_id == event.tables[3].id


def test_someone_of_another_event_cannot_be_moved_by_name_or_code(event, admin):
    # A name without digits: the stranger's id typed as text must not match it by chance.
    register_someone(event, first_name="Lia", last_name="Rossi", table_ids=[event.tables[0].id])
    stranger = register_someone(second_event(), first_name="Straniera", last_name="Altrove")
    run = world_cafe.run_assignment(event, "a")
    for typed in ("Straniera Altrove", stranger.badge_code, str(stranger.id)):
        assert "Nessuno in questa elaborazione corrisponde" in move(admin, run, typed, event.tables[1])
    assert (
        db.session.scalar(select(func.count()).select_from(SeatAssignment).filter_by(moved_by_hand=True)) == 0
    )


def test_runs_are_compared_by_picking_one_of_this_events_runs(event, crowd, admin):
    first = world_cafe.run_assignment(event, "a", seed=1)
    second = world_cafe.run_assignment(event, "a", seed=2)
    other_run = world_cafe.run_assignment(second_event(), "a")
    page = admin.get(runs_url(second.id)).get_data(as_text=True)
    options = re.findall(r'<option value="(\d+)"', page.split('id="compare"')[1].split("</select>")[0])
    assert options == [str(first.id)], "this event's other runs, not this one, not another event's"
    compared = admin.get(f"{runs_url(second.id)}?compare={first.id}").get_data(as_text=True)
    assert f"Elaborazione #{first.id}</h2>" in compared
    foreign = admin.get(f"{runs_url(second.id)}?compare={other_run.id}").get_data(as_text=True)
    assert f"Elaborazione #{other_run.id}</h2>" not in foreign


@pytest.fixture
def two_people(event):
    return register_someone(event, first_name="Piera", language="it"), register_someone(event, language="en")


def sent_texts() -> list[str]:
    db.session.rollback()
    return db.session.scalars(select(OutboxMessage.body_text).filter_by(kind="announcement")).all()


def test_the_greeting_is_a_choice_shown_in_the_preview(event, admin, two_people):
    page = admin.get(ANNOUNCEMENTS).get_data(as_text=True)
    box = re.search(r'<input [^>]*id="greeting"[^>]*>', page).group(0)
    assert "checked" in box and 'type="checkbox"' in box, "ticked at first"
    assert "Inizia con “Ciao (nome),”" in page
    body = {"body_it": "Care amiche e cari amici,\n\nci vediamo in sala grande."}
    unticked = {**form_on(page), **announcement(greeting="", **body)}
    preview = admin.post(ANNOUNCEMENTS, data={**unticked, "action": "preview"}).get_data(as_text=True)
    shown = preview.split('id="preview-title"')[1]
    assert "Care amiche e cari amici," in shown and "Ciao (nome)," not in shown
    admin.post(ANNOUNCEMENTS, data={**unticked, "action": "send"})
    [italian] = [text for text in sent_texts() if "Care amiche" in text]
    assert "Ciao Piera," not in italian and italian.index("Care amiche e cari amici,") < 200


def test_with_the_greeting_ticked_each_person_is_greeted_by_name(event, admin, two_people):
    page = admin.get(ANNOUNCEMENTS).get_data(as_text=True)
    preview = admin.post(ANNOUNCEMENTS, data={**form_on(page), **announcement(), "action": "preview"})
    shown = preview.get_data(as_text=True).split('id="preview-title"')[1]
    assert "Ciao (nome)," in shown and "Dear (first name)," in shown
    admin.post(ANNOUNCEMENTS, data={**form_on(page), **announcement(), "action": "send"})
    texts = sent_texts()
    assert any("Ciao Piera," in text for text in texts) and any("Dear Giulia," in text for text in texts)
