"""Commitments: who may mark one (the table's facilitator, an organiser), who may change its
status (organisers only), what the public page and the Atom feed show (only what a published
table took on, never staff names), and that every address in the feed is PUBLIC_URL's."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from conftest import csrf_from
from helpers import register_someone, second_event
from markupsafe import escape
from sqlalchemy import select
from test_facilitators import facilitator_of
from test_injection import CORPUS

from app.extensions import db
from app.models import (
    Commitment,
    CommitmentOwner,
    CommitmentStatus,
    CommitmentUpdate,
    NoteSheet,
    Role,
    TableOutcome,
    utcnow,
)
from app.results import commitments as service

ATOM = "{http://www.w3.org/2005/Atom}"


def publish(table, published=True):
    """The table's outcomes published (or drafted, or published then taken back: not public)."""
    db.session.add(
        TableOutcome(
            event_id=table.event_id,
            cafe_table_id=table.id,
            text={},
            updated_by="t",
            published_at=utcnow() if published else None,
        )
    )
    db.session.commit()


def commitment_of(table, text="Aprire uno sportello di quartiere", note=None, status=None):
    owner = service.Owner(CommitmentOwner.ORGANISATION, "Auser Brescia")
    commitment = service.create_commitment(
        table, {"it": text}, owner, date(2027, 12, 31), "admin@example.org"
    )
    if status or note:
        service.change_status(
            commitment, status or CommitmentStatus.OPEN, {"it": note or ""}, "admin@example.org"
        )
    return commitment


def commitments() -> list[Commitment]:
    db.session.rollback()  # see what the requests committed
    return db.session.scalars(select(Commitment).order_by(Commitment.id)).all()


def post_form(client, url, data):
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def feed_entries(client, url="/brescia-citta-del-noi/results/commitments.atom", **kwargs):
    response = client.get(url, **kwargs)
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    return response, ET.fromstring(response.data)


# ---- Creating ------------------------------------------------------------------------------


def test_an_admin_creates_a_commitment_with_an_organisation_of_the_event(event, make_staff):
    _, admin = make_staff(Role.ADMIN)
    table, organisation = event.tables[1], event.organisations[0]
    response = post_form(
        admin,
        "/brescia-citta-del-noi/admin/results/commitments/new",
        {
            "table_id": table.id,
            "text_it": "Una mappa dei servizi",
            "text_en": "A map of services",
            "owner": f"org:{organisation.id}",
            "due_on": "2027-10-01",
        },
    )
    assert response.status_code == 302
    [saved] = commitments()
    assert saved.cafe_table_id == table.id and saved.text == {
        "it": "Una mappa dei servizi",
        "en": "A map of services",
    }
    assert (saved.owner_kind, saved.organisation_id, saved.owner_name) == (
        "organisation",
        organisation.id,
        organisation.name,
    )
    assert saved.due_on == date(2027, 10, 1) and saved.status == "open"
    assert [(u.status, u.changed_by) for u in saved.updates] == [("open", "admin@example.org")]


def test_the_city_or_a_typed_organisation_takes_it_on(event, make_staff):
    _, admin = make_staff(Role.ADMIN)
    table = event.tables[0]
    for owner, typed in [("city", ""), ("other", "Rete dei quartieri")]:
        data = {"table_id": table.id, "text_it": f"Impegno {owner}", "owner": owner, "owner_name": typed}
        assert (
            post_form(admin, "/brescia-citta-del-noi/admin/results/commitments/new", data).status_code == 302
        )
    city, other = commitments()
    assert (city.owner_kind, city.owner_name) == ("city", event.organiser)
    assert (other.owner_kind, other.owner_name, other.organisation_id) == (
        "organisation",
        "Rete dei quartieri",
        None,
    )


def test_a_refused_form_says_why_and_keeps_what_was_typed(event, make_staff, italian):
    _, admin = make_staff(Role.ADMIN)
    other_event_organisation = second_event().organisations[0]
    cases = [
        (
            {"text_it": "Tenuto", "owner": "other", "owner_name": ""},
            "owner_name",
            italian("Type the name of the organisation that takes it on."),
        ),
        ({"text_it": "Tenuto", "owner": f"org:{other_event_organisation.id}"}, "owner", None),
        (
            {"text_it": "", "owner": "city"},
            "text_it",
            italian("Write the commitment in %(language)s.", language="Italiano"),
        ),
        ({"text_it": "Tenuto", "owner": "city", "due_on": "31/31/2027"}, "due_on", None),
    ]
    for data, field, message in cases:
        response = post_form(
            admin,
            "/brescia-citta-del-noi/admin/results/commitments/new",
            {"table_id": event.tables[0].id, **data},
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 422, field
        assert f'<p class="error" id="{field}-error">' in page, f"the error is beside {field}"
        assert message is None or str(escape(message)) in page, message
        if data["text_it"]:
            assert "\nTenuto</textarea>" in page, f"what was typed is still there ({field})"
    assert commitments() == []


def test_a_facilitator_marks_a_commitment_at_their_table_only(event, make_staff, italian):
    here, elsewhere = event.tables[0], event.tables[1]
    _, facilitator = facilitator_of(make_staff, here)
    another_event_table = second_event().tables[0]
    data = {"text": "Un tavolo permanente", "owner": "city"}

    page = facilitator.get(f"/brescia-citta-del-noi/facilitators/tables/{here.id}/").get_data(as_text=True)
    assert (
        italian("Mark as a commitment") in page
        and f'action="/brescia-citta-del-noi/facilitators/tables/{here.id}/commitments"' in page
    )
    saved = post_form(facilitator, f"/brescia-citta-del-noi/facilitators/tables/{here.id}/commitments", data)
    assert saved.status_code == 302 and saved.location.endswith(
        f"/brescia-citta-del-noi/facilitators/tables/{here.id}/#commitments"
    )
    token = csrf_from(
        facilitator.get(f"/brescia-citta-del-noi/facilitators/tables/{here.id}/").get_data(as_text=True)
    )
    assert (
        facilitator.post(
            f"/brescia-citta-del-noi/facilitators/tables/{elsewhere.id}/commitments",
            data={"csrf_token": token, **data},
        ).status_code
        == 403
    )
    assert (
        facilitator.post(
            f"/brescia-citta-del-noi/facilitators/tables/{another_event_table.id}/commitments",
            data={"csrf_token": token, **data},
        ).status_code
        == 404
    )
    assert [(c.cafe_table_id, c.text) for c in commitments()] == [(here.id, {"it": "Un tavolo permanente"})]
    assert "Un tavolo permanente" in facilitator.get(
        f"/brescia-citta-del-noi/facilitators/tables/{here.id}/"
    ).get_data(as_text=True)


def test_a_facilitator_can_take_the_text_from_a_proposal_of_the_notes(event, make_staff, italian):
    table = event.tables[0]
    db.session.add(
        NoteSheet(
            cafe_table_id=table.id, round=1, proposals="- Orti condivisi\n\nBanca del tempo", updated_by="f"
        )
    )
    db.session.commit()
    _, facilitator = facilitator_of(make_staff, table)
    page = facilitator.get(f"/brescia-citta-del-noi/facilitators/tables/{table.id}/").get_data(as_text=True)
    assert '<option value="Banca del tempo">' in page
    url = f"/brescia-citta-del-noi/facilitators/tables/{table.id}/commitments"
    assert (
        post_form(facilitator, url, {"proposal": "Banca del tempo", "text": "", "owner": "city"}).status_code
        == 302
    )
    refused = post_form(facilitator, url, {"proposal": "", "text": " ", "owner": "city"})
    message = str(escape(italian("Write the commitment, or choose a proposal from the notes.")))
    assert refused.status_code == 422 and message in refused.get_data(as_text=True)
    assert [c.text for c in commitments()] == [{"it": "Banca del tempo"}]


def test_only_admins_change_a_status_and_desk_staff_reach_no_commitment_page(event, make_staff):
    commitment = commitment_of(event.tables[0])
    _, desk = make_staff(Role.DESK)
    _, facilitator = facilitator_of(make_staff, event.tables[0])
    for client in (desk, facilitator):
        token = csrf_from(client.get("/brescia-citta-del-noi/").get_data(as_text=True))  # the sign-out form's
        assert client.get("/brescia-citta-del-noi/admin/results/commitments/").status_code == 403
        assert (
            client.get(f"/brescia-citta-del-noi/admin/results/commitments/{commitment.id}").status_code == 403
        )
        posted = client.post(
            f"/brescia-citta-del-noi/admin/results/commitments/{commitment.id}",
            data={"csrf_token": token, "status": "done"},
        )
        assert posted.status_code == 403
        new = {"csrf_token": token, "table_id": event.tables[0].id, "text_it": "No", "owner": "city"}
        assert (
            client.post("/brescia-citta-del-noi/admin/results/commitments/new", data=new).status_code == 403
        )
    assert desk.get(f"/brescia-citta-del-noi/facilitators/tables/{event.tables[0].id}/").status_code == 403
    assert [c.status for c in commitments()] == ["open"]


def test_an_admin_changes_the_status_with_a_note_and_the_history_keeps_it(event, make_staff, italian):
    _, admin = make_staff(Role.ADMIN)
    commitment = commitment_of(event.tables[0])
    url = f"/brescia-citta-del-noi/admin/results/commitments/{commitment.id}"
    response = post_form(
        admin, url, {"status": "in_progress", "note_it": "Primo incontro fatto", "note_en": ""}
    )
    assert response.status_code == 302
    unchanged = post_form(admin, url, {"status": "in_progress", "note_it": "Primo incontro fatto"})
    assert italian("Nothing changed.") in admin.get(unchanged.location).get_data(as_text=True)
    [saved] = commitments()
    assert saved.status == "in_progress" and saved.public_note == {"it": "Primo incontro fatto"}
    assert [u.status for u in saved.updates] == ["open", "in_progress"]
    refused = post_form(admin, url, {"status": "finished"})
    assert refused.status_code == 422 and '<p class="error" id="status-error">' in refused.get_data(
        as_text=True
    )


def test_an_admin_corrects_the_text_owner_date_and_table_without_a_status_update(
    client, event, make_staff, italian
):
    _, admin = make_staff(Role.ADMIN)
    first, second = event.tables[0], event.tables[1]
    publish(second)
    commitment = commitment_of(first, text="Uno sportelo")
    url = f"/brescia-citta-del-noi/admin/results/commitments/{commitment.id}/details"
    token = csrf_from(
        admin.get(f"/brescia-citta-del-noi/admin/results/commitments/{commitment.id}").get_data(as_text=True)
    )
    correction = {
        "csrf_token": token, "table_id": str(second.id), "text_it": "Uno sportello",
        "text_en": "A help desk", "owner": "city", "owner_name": "", "due_on": "2028-03-31",
    }  # fmt: skip
    assert admin.post(url, data={**correction, "text_it": ""}).status_code == 422, "the text is required"
    assert commitments()[0].text == {"it": "Uno sportelo"}, "a refused correction changes nothing"
    assert admin.post(url, data=correction).status_code == 302
    [saved] = commitments()
    assert (saved.text, saved.cafe_table_id, saved.owner_kind) == (
        {"it": "Uno sportello", "en": "A help desk"},
        second.id,
        "city",
    )
    assert saved.due_on == date(2028, 3, 31) and [u.status for u in saved.updates] == ["open"]
    assert "Uno sportello" in client.get("/brescia-citta-del-noi/results/commitments").get_data(as_text=True)
    again = admin.post(url, data=correction)
    assert italian("Nothing changed.") in admin.get(again.location).get_data(as_text=True)


def test_staff_pages_show_the_commitment_as_written_the_public_without_unconsented_names(
    client, event, make_staff
):
    register_someone(event, first_name="Grazia", last_name="Nuñez")
    publish(event.tables[0])
    commitment = commitment_of(event.tables[0], text="Sportello con Grazia Nuñez")
    _, admin = make_staff(Role.ADMIN)
    assert "Grazia Nuñez" in admin.get(
        f"/brescia-citta-del-noi/admin/results/commitments/{commitment.id}"
    ).get_data(as_text=True)
    assert "Grazia Nuñez" not in client.get("/brescia-citta-del-noi/results/commitments").get_data(
        as_text=True
    )


def test_another_events_commitment_is_not_found_for_the_admin(event, make_staff):
    _, admin = make_staff(Role.ADMIN)
    theirs = commitment_of(second_event().tables[0])
    assert admin.get(f"/brescia-citta-del-noi/admin/results/commitments/{theirs.id}").status_code == 404
    token = csrf_from(
        admin.get("/brescia-citta-del-noi/admin/results/commitments/new").get_data(as_text=True)
    )
    posted = admin.post(
        f"/brescia-citta-del-noi/admin/results/commitments/{theirs.id}",
        data={"csrf_token": token, "status": "done"},
    )
    assert posted.status_code == 404
    assert (
        admin.get(
            f"/brescia-citta-del-noi/admin/results/commitments/?table={theirs.cafe_table_id}"
        ).status_code
        == 404
    )
    assert commitments()[0].status == "open"


# ---- What the public sees --------------------------------------------------------------------


def test_only_published_tables_commitments_are_on_the_page_and_in_the_feed(client, event):
    published, unpublished = event.tables[0], event.tables[1]
    publish(published)
    publish(unpublished, published=False)
    other_events_table = second_event().tables[0]
    publish(other_events_table)
    commitment_of(published, "Visibile a tutti", note="Avviato", status=CommitmentStatus.IN_PROGRESS)
    commitment_of(unpublished, "Ancora in revisione")
    commitment_of(other_events_table, "Di un altro giorno")

    page = client.get("/brescia-citta-del-noi/results/commitments").get_data(as_text=True)
    assert "Visibile a tutti" in page and "Avviato" in page and "◐</span> in corso" in page
    assert "Ancora in revisione" not in page and unpublished.display_name not in page
    _, feed = feed_entries(client)
    titles = [e.findtext(f"{ATOM}title") for e in feed.iter(f"{ATOM}entry")]
    assert titles == ["in corso: Visibile a tutti", "aperto: Visibile a tutti"], "newest first, in Italian"
    feed_text = client.get("/brescia-citta-del-noi/results/commitments.atom").get_data(as_text=True)
    assert "Ancora in revisione" not in feed_text and "Di un altro giorno" not in feed_text
    assert "Di un altro giorno" not in page


def test_the_page_filters_by_status_and_refuses_an_unknown_one(client, event, italian):
    publish(event.tables[0])
    commitment_of(event.tables[0], "Ancora da fare")
    commitment_of(event.tables[0], "Fatto e finito", status=CommitmentStatus.DONE)
    done = client.get("/brescia-citta-del-noi/results/commitments?status=done").get_data(as_text=True)
    assert "Fatto e finito" in done and "Ancora da fare" not in done
    refused = client.get("/brescia-citta-del-noi/results/commitments?status=<b>")
    message = str(escape(italian("There is no such status: choose one from the list.")))
    assert refused.status_code == 400 and message in refused.get_data(as_text=True)


def test_the_feed_is_atom_with_stable_ids_and_no_staff_names(client, event, make_staff):
    publish(event.tables[0])
    commitment = commitment_of(
        event.tables[0], "Sportello", note="Aperto il martedì", status=CommitmentStatus.DONE
    )
    first, feed = feed_entries(client)
    again, _ = feed_entries(client)
    assert first.data == again.data, "the same feed for the same commitments"
    assert feed.tag == f"{ATOM}feed" and feed.findtext(f"{ATOM}id").startswith("tag:localhost,2027-07-13:")
    [newest, oldest] = feed.findall(f"{ATOM}entry")
    assert newest.findtext(f"{ATOM}id").endswith(
        f"/commitments/{commitment.id}/updates/{commitment.updates[1].id}"
    )
    assert newest.findtext(f"{ATOM}content") == "Aperto il martedì"
    assert newest.findtext(f"{ATOM}updated").endswith("+00:00")
    assert "admin@example.org" not in first.get_data(as_text=True)

    _, english = feed_entries(client, "/brescia-citta-del-noi/results/commitments.atom?lang=en")
    assert english.find(f"{ATOM}entry").findtext(f"{ATOM}title") == "done: Sportello"
    assert client.get("/brescia-citta-del-noi/results/commitments.atom?lang=de").status_code == 404


def test_the_feeds_links_come_from_public_url_whatever_the_host(app, client, event):
    publish(event.tables[0])
    commitment_of(event.tables[0])
    app.config["PUBLIC_URL"] = "https://noiday.example.org"
    try:
        response, feed = feed_entries(client, headers={"Host": "evil.example"})
    finally:
        app.config["PUBLIC_URL"] = "http://localhost"
    links = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    assert len(links) == 3 and all(
        href.startswith("https://noiday.example.org/brescia-citta-del-noi/results/") for href in links
    ), links
    assert "evil.example" not in response.get_data(as_text=True)
    assert feed.findtext(f"{ATOM}id").startswith("tag:noiday.example.org,")


@pytest.mark.parametrize("payload", CORPUS)
def test_hostile_text_shows_as_text_on_the_page_and_escaped_in_the_feed(client, event, payload):
    publish(event.tables[0])
    commitment_of(event.tables[0], payload, note=payload, status=CommitmentStatus.DROPPED)
    page = client.get("/brescia-citta-del-noi/results/commitments").get_data(as_text=True)
    if any(c in payload for c in "<>\"'"):
        assert payload not in page
    assert page.count(str(escape(payload))) >= 2, "text and note, shown as typed"
    if "{{" in payload:
        assert "49" not in page.replace(str(escape(payload)), "")
    response, feed = feed_entries(client)
    if "<" in payload:
        assert payload not in response.get_data(as_text=True), "escaped in the XML"
    entry = feed.find(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}content") == payload
    assert entry.findtext(f"{ATOM}title").startswith("abbandonato: ")


def test_the_public_context_groups_published_commitments_by_table(event):
    publish(event.tables[2])
    kept = commitment_of(event.tables[2], "Per tavolo")
    publish(event.tables[0], published=False)
    commitment_of(event.tables[0], "Non pubblicato")
    other_events_table = second_event().tables[0]
    publish(other_events_table)
    commitment_of(other_events_table, "Di un altro giorno")
    grouped = service.public_context(event)["commitments_by_table"]
    assert list(grouped) == [event.tables[2].id] and [c.id for c in grouped[event.tables[2].id]] == [kept.id]
    assert db.session.scalar(select(CommitmentUpdate.changed_by).limit(1)) == "admin@example.org"


def test_an_owner_is_an_organisation_of_the_event_itself(event):
    theirs = second_event().organisations[0]
    ours = event.organisations[0]
    assert service.owner_of(event, f"org:{theirs.id}") is None
    assert service.owner_of(event, "org:x") is None and service.owner_of(event, "other", "  ") is None
    assert service.owner_of(event, f"org:{ours.id}") == service.Owner(
        CommitmentOwner.ORGANISATION, ours.name, ours.id
    )


def test_the_english_page_links_the_english_feed(client, event):
    assert 'href="/brescia-citta-del-noi/results/commitments.atom"' in client.get(
        "/brescia-citta-del-noi/results/commitments"
    ).get_data(as_text=True)
    client.get("/lang/en?next=/results/commitments")
    page = client.get("/brescia-citta-del-noi/results/commitments").get_data(as_text=True)
    assert (
        "Commitments of the day" in page
        and 'href="/brescia-citta-del-noi/results/commitments.atom?lang=en"' in page
    )
