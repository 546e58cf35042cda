"""Certificates of attendance: for people checked in at a desk, in their language, with the
parts of the day and the world café table where a facilitator marked them present."""

import re

import pypdfium2
from helpers import register_someone

from app.checkin.badges import badge_token
from app.checkin.desks import create_desk_device
from app.checkin.services import check_in_attendee, undo_check_in
from app.extensions import db
from app.facilitation.attendance import scan_presence
from app.models import localized
from app.registration.tokens import manage_token


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    document = pypdfium2.PdfDocument(data)
    assert len(document) == 1, "one page"
    return " ".join(document[0].get_textpage().get_text_range().split())


def test_only_people_checked_in_get_a_certificate(client, event):
    attendee = register_someone(event, first_name="Zoë", last_name="Łukasiewicz-Ñandú")
    url = f"/brescia-citta-del-noi/r/{manage_token(attendee)}"
    assert "certificate.pdf" not in client.get(url).get_data(as_text=True)
    assert client.get(f"{url}/certificate.pdf").status_code == 404

    device = create_desk_device(event, "Desk 1")[0]
    check_in = check_in_attendee(event, attendee.id, device, "r-1").check_in
    table = event.tables[2]
    scan_presence(table, badge_token(attendee), 1, "facilitator@example.org")  # a walk-up there
    page = client.get(url).get_data(as_text=True)
    link = re.search(r'href="([^"]+certificate\.pdf)"', page).group(1)
    text = pdf_text(client.get(link).data)
    assert "Attestato di partecipazione" in text and "Si attesta che" in text
    assert "Zoë Łukasiewicz-Ñandú" in text, "every accent and letter printed"
    assert "Brescia Città del Noi compie un anno" in text and "13 luglio 2027" in text
    assert localized(table.name, "it") in text, "the table where they were marked present"
    assert "Pranzo con musica" in text

    undo_check_in(check_in.id, event, actor="desk:Desk 1")
    db.session.commit()
    assert client.get(link).status_code == 404, "an undone check-in takes it back"


def test_the_certificate_speaks_the_visitors_language(client, event):
    attendee = register_someone(event, organisation_name="Cooperativa La Rete")
    check_in_attendee(event, attendee.id, None, "r-2", desk_name="Desk 2")
    client.get("/lang/en")
    text = pdf_text(client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}/certificate.pdf").data)
    assert "Certificate of attendance" in text and "took part in" in text
    assert "Brescia Città del Noi turns one" in text and "Cooperativa La Rete" in text
    assert re.search(r"Checked in at the desk at \d\d:\d\d", text)


def test_anyone_shown_the_certificate_can_check_it(client, event):
    """The PDF carries a link; the page behind it confirms the certificate, then says when
    it no longer stands (check-in withdrawn), and keeps the name once the data is deleted."""
    from app.registration.privacy import delete_registration

    attendee = register_someone(event, first_name="Zoë", organisation_name="Cooperativa La Rete")
    check_in = check_in_attendee(event, attendee.id, None, "r-3", desk_name="Desk 1").check_in
    text = pdf_text(client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}/certificate.pdf").data)
    link = re.search(r"http://localhost(/brescia-citta-del-noi/certificates/\S+)", text).group(1)

    answer = client.get(link)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Questo attestato è autentico" in page
    assert attendee.full_name in page and "Cooperativa La Rete" in page and "13 luglio 2027" in page
    assert answer.headers["X-Robots-Tag"] == "noindex" and answer.headers["Cache-Control"] == "no-store"

    code = link.rsplit("/", 1)[1]
    forged = client.get(f"/brescia-citta-del-noi/certificates/{code[:-1]}{'A' if code[-1] != 'A' else 'B'}")
    assert forged.status_code == 404 and "Nessun attestato ha questo codice" in forged.get_data(as_text=True)

    undo_check_in(check_in.id, event, actor="desk:Desk 1")
    page = client.get(link).get_data(as_text=True)
    assert "non è più valido" in page and attendee.full_name in page

    check_in_attendee(event, attendee.id, None, "r-4", desk_name="Desk 1")
    delete_registration(attendee)
    page = client.get(link).get_data(as_text=True)
    assert "non può più essere confermato" in page and "Zoë" not in page


def test_with_an_exit_scan_the_certificate_states_the_hours_present(client, event):
    from datetime import timedelta

    from app.checkin.points import point_named, scan_at_point
    from app.models import utcnow

    event.exit_scans = True
    db.session.commit()
    attendee = register_someone(event)
    device = create_desk_device(event, "Door")[0]
    arrived = utcnow() - timedelta(hours=6, minutes=5)
    check_in_attendee(event, attendee.id, device, "r-3", scanned_at=arrived)
    scan_at_point(event, point_named(event, "exit"), badge_token(attendee), device, "r-4")
    client.get("/lang/en")
    text = pdf_text(client.get(f"/brescia-citta-del-noi/r/{manage_token(attendee)}/certificate.pdf").data)
    assert re.search(r"Present from \d\d:\d\d to \d\d:\d\d: 6 h 0[45] min\.", text), text
    assert "Checked in at the desk at" not in text
