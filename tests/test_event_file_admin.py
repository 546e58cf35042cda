"""The event file from the admin pages: download the one in force (as written, comments
included), load an edited one, refuse a bad one whole with its lines, go back to an earlier
one; a raised capacity lets waiting people in."""

import io
import re

import pytest
from conftest import MOCA, csrf_from
from helpers import part_ids, register_someone

from app.extensions import db
from app.models import DayPartKind, Event, EventFile, OutboxMessage, PartStatus, Role

URL = "/brescia-citta-del-noi/admin/event/"
TEXT = MOCA.read_text(encoding="utf-8")


@pytest.fixture
def admin(event, make_staff):
    return make_staff(Role.ADMIN)[1]


def upload(admin, content: bytes | str, filename="moca.yaml"):
    page = admin.get(URL).get_data(as_text=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    answer = admin.post(
        URL,
        data={"csrf_token": csrf_from(page), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )
    return answer, (admin.get(answer.headers["Location"]) if answer.status_code == 302 else answer)


def files() -> list[EventFile]:
    db.session.expire_all()
    return db.session.scalars(db.select(EventFile).order_by(EventFile.id)).all()


def test_the_file_in_force_downloads_as_it_was_written(admin):
    page = admin.get(URL).get_data(as_text=True)
    assert "moca.yaml" in page and "command line" in page
    link = re.search(r'href="(/brescia-citta-del-noi/admin/event/files/\d+\.yaml)"', page).group(1)
    download = admin.get(link)
    assert download.get_data(as_text=True) == TEXT, "comments and layout kept"
    assert 'filename="moca.yaml"' in download.headers["Content-Disposition"]


def test_a_raised_capacity_lets_the_waiting_list_in(event, admin):
    lunch = next(part for part in event.day_parts if part.kind == DayPartKind.LUNCH)
    lunch.capacity = 1
    db.session.commit()
    register_someone(event, day_part_ids=part_ids(event))
    waiting = register_someone(event, day_part_ids=part_ids(event))
    assert [p.status for p in waiting.parts if p.day_part_id == lunch.id] == [PartStatus.WAITLISTED]

    answer, page = upload(admin, TEXT.replace("# Brescia", "# Edited on the admin page. Brescia", 1))
    assert answer.status_code == 302
    shown = page.get_data(as_text=True)
    assert "1 persona è entrata dalla lista" in shown
    db.session.refresh(lunch), db.session.refresh(waiting)
    assert lunch.capacity == 250
    assert [p.status for p in waiting.parts if p.day_part_id == lunch.id] == [PartStatus.CONFIRMED]
    assert (
        db.session.scalars(db.select(OutboxMessage.kind).filter_by(attendee_id=waiting.id)).all()[-1]
        == "promoted"
    )
    kept = files()
    assert len(kept) == 2 and kept[-1].loaded_by == "admin@example.org" and "Edited on" in kept[-1].text


def test_a_file_with_mistakes_is_refused_whole_with_its_lines(event, admin):
    broken = TEXT.replace("capacity: 250", "capacity: lots").replace("organiser:", "organizer:", 1)
    line = TEXT.split("capacity: 250")[0].count("\n") + 1
    answer, page = upload(admin, broken)
    shown = page.get_data(as_text=True)
    assert answer.status_code == 200 and 'id="form-errors"' in shown
    assert f"riga {line}" in shown and "day_parts[2].capacity" in shown, "each problem with its line"
    assert "ci si aspetta un numero intero non inferiore a 0, trovato &#39;lots&#39;" in shown, "in Italian"
    assert "campo sconosciuto" in shown and "organizer" in shown
    db.session.refresh(event)
    assert [p.capacity for p in event.day_parts] == [350, 250, 240] and len(files()) == 1


def test_the_problems_quote_the_file_escaped(event, admin):
    """A problem quotes the value it refuses: markup in the file comes back as text."""
    attack = "<img src=x onerror=alert(1)>"
    broken = TEXT.replace("capacity: 250", f'capacity: "{attack}"', 1)
    shown = upload(admin, broken + f'\n"{attack}": 1\n')[1].get_data(as_text=True)
    assert "&lt;img src=x onerror=alert(1)&gt;" in shown, "the refused value, escaped"
    assert attack not in shown


def test_the_problems_are_in_the_readers_language(event, admin):
    admin.get("/lang/en")
    shown = upload(admin, TEXT.replace("capacity: 250", "capacity: lots"))[1].get_data(as_text=True)
    assert "expected a whole number of at least 0, got &#39;lots&#39;" in shown


def test_a_file_for_another_event_is_refused(event, admin):
    answer, page = upload(admin, TEXT.replace("slug: brescia-citta-del-noi", "slug: another-day"))
    assert answer.status_code == 200 and "another-day" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 1 and len(files()) == 1


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (TEXT.encode("latin-1", errors="replace"), "moca.yaml", "UTF-8"),
        (TEXT, "moca.exe", ".yaml"),
        (TEXT + "#" * 300_000, "moca.yaml", "256 KB"),
    ],
)
def test_wrong_files_are_refused_with_a_reason(admin, content, filename, message):
    answer, page = upload(admin, content, filename)
    assert answer.status_code == 200 and message in page.get_data(as_text=True)
    assert len(files()) == 1


def test_going_back_to_an_earlier_file_and_a_hostile_file_name(event, admin):
    renamed = TEXT.replace('it: "Brescia Città del Noi compie un anno"', 'it: "Un altro nome"')
    answer, page = upload(admin, renamed, filename="../../évil; name=x.yaml")
    assert answer.status_code == 302
    db.session.refresh(event)
    assert event.name["it"] == "Un altro nome"
    newest = files()[-1]
    assert newest.filename == "evil_namex.yaml", "a plain name, safe in a download's header"

    first = files()[0]
    page = page.get_data(as_text=True)
    answer = admin.post(
        f"/brescia-citta-del-noi/admin/event/files/{first.id}/restore", data={"csrf_token": csrf_from(page)}
    )
    assert answer.status_code == 302
    db.session.refresh(event)
    assert event.name["it"] == "Brescia Città del Noi compie un anno" and len(files()) == 3
