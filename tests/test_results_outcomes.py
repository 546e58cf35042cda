"""Each table's outcomes, reviewed and published: drafted from the notes in every language,
a stale save refused with nothing lost, publication refused while the text names someone
who did not agree to be named (and such a name blanked on the public page anyway), the
photos an organiser picks, every id checked against the served event, and the consent to
be named asked at registration and shown wherever the other consents are."""

import csv
import html
import io
import re

import pytest
from conftest import csrf_from
from helpers import form_fields, post_registration, register_someone, second_event
from markupsafe import escape
from sqlalchemy import func, select
from test_facilitators import facilitator_of, png_bytes, publish_seats, upload_dir  # noqa: F401
from test_injection import CORPUS, dangerous

from app.extensions import db
from app.facilitation import notes, photos
from app.models import Attendee, AuditAction, AuditEntry, PublishedPhoto, Role, TableAttendance, TableOutcome
from app.registration.privacy import personal_data
from app.registration.tokens import manage_token
from app.results import outcomes, outcomes_photos
from app.results.names import NameGuard

PUBLIC = "/brescia-citta-del-noi/results/"
STALE_MESSAGE = (
    "Someone else saved this text while you were editing it: nothing was saved. "
    "What you typed is still below; compare it with the saved text, then save again."
)
NOTHING_YET = "Nothing published yet: the organisers are reviewing what the tables produced. Come back soon."
TICK_THE_BOX = "Tick the box once you have checked that everyone in the photo agreed."


def review_url(table) -> str:
    return f"/brescia-citta-del-noi/admin/results/tables/{table.id}"


@pytest.fixture
def admin(make_staff):
    return make_staff(Role.ADMIN)[1]


def write_notes(table, round, **kinds):
    content = notes.SheetContent(**kinds)
    sheet = notes.sheet_for(table, round)
    notes.save_sheet(
        table, round, content, sheet.version if sheet else 0, f"save-{table.id}-{round}-x", "f@x.org"
    )


def page_version(page: str) -> int:
    return int(re.search(r'id="version" name="version" type="hidden" value="(\d+)"', page).group(1))


def post_texts(admin, table, italian_text, english_text="", publish=False, version=None):
    page = admin.get(review_url(table)).get_data(as_text=True)
    if version is None:  # the version the page was opened at, as a browser sends it
        version = page_version(page)
    data = {
        "csrf_token": csrf_from(page),
        "version": version,
        "text_it": italian_text,
        "text_en": english_text,
    }
    data["publish" if publish else "save"] = "x"
    return admin.post(review_url(table), data=data)


def public_page(client) -> str:
    return html.unescape(client.get(PUBLIC).get_data(as_text=True))


def person(event, first, last, named=False):
    attendee = register_someone(event, first_name=first, last_name=last)
    attendee.consent_name_public = named
    db.session.commit()
    return attendee


# ---- Drafting and saving ------------------------------------------------------------------


def test_the_draft_lays_out_the_summary_and_each_round_in_every_language_box(event, admin, italian):
    table = event.tables[0]
    write_notes(table, 1, insights="Più spazi di incontro\n- Orari serali", proposals="Una mappa dei servizi")
    write_notes(table, 0, proposals="Un tavolo permanente")

    page = html.unescape(admin.get(review_url(table)).get_data(as_text=True))

    italian_box = page.split('id="text_it"')[1].split("</textarea>")[0]
    english_box = page.split('id="text_en"')[1].split("</textarea>")[0]
    assert italian("Closing summary") in italian_box and italian("Round %(number)d", number=1) in italian_box
    assert italian_box.index(italian("Closing summary")) < italian_box.index("Giro 1"), "the summary first"
    assert "- Un tavolo permanente" in italian_box and "- Orari serali" in italian_box
    assert "Closing summary" in english_box and "Key insights:\n- Più spazi di incontro" in english_box
    assert "Round 1" in english_box, "the headings in the box's language, the notes as written"
    assert db.session.scalar(select(func.count()).select_from(TableOutcome)) == 0, "a draft is not saved"


def test_a_save_on_an_older_version_is_refused_and_the_page_keeps_what_was_typed(event, admin, italian):
    table = event.tables[0]
    assert post_texts(admin, table, "Prima versione").status_code == 302
    assert post_texts(admin, table, "Seconda versione, di un collega").status_code == 302

    stale = post_texts(admin, table, "Il mio testo, scritto a lungo", version=1)

    page = html.unescape(stale.get_data(as_text=True))
    assert stale.status_code == 409
    assert italian(STALE_MESSAGE) in page
    assert "Il mio testo, scritto a lungo</textarea>" in page, "nothing lost"
    saved_meanwhile = page.split('id="saved-meanwhile"')[1].split("</section>")[0]
    assert "Seconda versione, di un collega" in saved_meanwhile, "what to compare it with"
    db.session.rollback()
    saved = outcomes.outcome_of(table)
    assert (saved.text["it"], saved.version) == ("Seconda versione, di un collega", 2)
    assert page_version(page) == 2, "the next save goes on top of the text shown"
    merged = post_texts(admin, table, "Il mio testo, con quello del collega", version=page_version(page))
    assert merged.status_code == 302, "saved once the organiser has seen the other text"


# ---- The names check ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "mention",
    ["Ne ha parlato Mario Rossi.", "ne ha parlato mario rossi", "ROSSI Mario", "Rossi, Mario ha detto",
     "Mário Rossì", "Mario  Rossi-"],
)  # fmt: skip
def test_publishing_is_refused_naming_whoever_did_not_agree_to_be_named(event, admin, italian, mention):
    person(event, "Mario", "Rossi")
    table = event.tables[0]

    refused = post_texts(admin, table, f"Proposte del tavolo. {mention}", publish=True)

    page = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 422
    assert "Mario Rossi" in page.split('role="status"')[1].split("</div>")[0], "the name is listed"
    assert mention in page, "what was typed stays in the box"
    db.session.rollback()
    assert outcomes.outcome_of(table) is None and public_page(admin).count("Proposte del tavolo") == 0


@pytest.mark.parametrize(
    "text", ["Rossini Mario ha suonato", "Mariolina Rossi", "Mario, Luca e la signora Rossi"]
)
def test_a_similar_word_is_not_taken_for_a_name(event, admin, text):
    person(event, "Mario", "Rossi")
    assert post_texts(admin, event.tables[0], text, publish=True).status_code == 302
    assert text in public_page(admin)


def test_someone_who_agreed_may_be_named_and_someone_who_withdraws_is_blanked_at_once(event, admin, client):
    lucia = person(event, "Lùcia", "Bianchi", named=True)
    table = event.tables[1]

    assert (
        post_texts(admin, table, "Coordina Lùcia Bianchi, con il quartiere.", publish=True).status_code == 302
    )
    assert "Coordina Lùcia Bianchi, con il quartiere." in public_page(client)

    lucia.consent_name_public = False  # she changes her mind; no organiser does anything
    db.session.commit()
    shown = public_page(client)
    assert "Bianchi" not in shown and "Coordina […], con il quartiere." in shown
    [(_, texts, _)] = outcomes.public_texts(event)
    assert texts["it"] == "Coordina […], con il quartiere.", "the exports get the blanked text too"


def test_names_of_several_words_written_any_way_are_found_and_blanked_whole():
    guard = NameGuard([("Maria Grazia", "De Luca"), ("José", "Núñez")])
    text = "Con maria grazia de luca e NUÑEZ, Jose\u0301; non Joséphine Núñez."
    assert guard.names_in(text) == ["José Núñez", "Maria Grazia De Luca"]
    assert guard.blanked(text) == "Con […] e […]; non Joséphine Núñez."
    assert NameGuard([("Mario", "Rossi")]).blanked("Rossi Mario Rossi ha parlato") == "[…] ha parlato"


def test_a_published_text_cannot_be_saved_with_a_name_added(event, admin):
    person(event, "Mario", "Rossi")
    table = event.tables[0]
    assert post_texts(admin, table, "Un buon lavoro.", publish=True).status_code == 302
    assert post_texts(admin, table, "Un buon lavoro di Mario Rossi.").status_code == 422
    db.session.rollback()
    assert outcomes.outcome_of(table).text["it"] == "Un buon lavoro."


# ---- Publishing and unpublishing ----------------------------------------------------------


def test_publish_shows_the_text_as_paragraphs_unpublish_hides_it_both_audited(event, admin, client, italian):
    table = event.tables[2]
    assert italian(NOTHING_YET) in public_page(client)
    assert "/brescia-citta-del-noi/results/" not in client.get("/brescia-citta-del-noi/").get_data(
        as_text=True
    ), "no footer link yet"

    post_texts(
        admin, table, "Primo paragrafo.\n\nProposte:\n- Una casa di quartiere\n- Orari serali", publish=True
    )
    page = client.get(PUBLIC).get_data(as_text=True)
    assert f'<h2 id="table-{table.id}-title">{escape(table.display_name)}</h2>' in page
    assert "<p>Primo paragrafo.</p>" in page and "<li>Una casa di quartiere</li>" in page
    assert 'href="/brescia-citta-del-noi/results/"' in client.get("/brescia-citta-del-noi/privacy").get_data(
        as_text=True
    ), "the footer links the page"

    page = admin.get(review_url(table)).get_data(as_text=True)
    assert (
        admin.post(f"{review_url(table)}/unpublish", data={"csrf_token": csrf_from(page)}).status_code == 302
    )
    assert "Primo paragrafo" not in public_page(client)
    db.session.rollback()
    assert outcomes.outcome_of(table).text["it"].startswith("Primo paragrafo"), "the text is kept"
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == [AuditAction.OUTCOMES_PUBLISHED, AuditAction.OUTCOMES_UNPUBLISHED]


def test_the_english_page_shows_the_english_text_or_else_the_italian_marked_as_such(event, admin, client):
    first, second = event.tables[0], event.tables[1]
    post_texts(admin, first, "Testo italiano.", "English text.", publish=True)
    post_texts(admin, second, "Solo in italiano.", publish=True)
    client.get("/lang/en")
    page = client.get(PUBLIC).get_data(as_text=True)
    assert "English text." in page and "Testo italiano." not in page
    assert '<div class="results-text" lang="it">' in page and "Solo in italiano." in page


def test_publish_without_its_csrf_token_is_refused_and_publishes_nothing(event, admin):
    table = event.tables[0]
    response = admin.post(review_url(table), data={"version": 0, "text_it": "Testo", "publish": "x"})
    assert response.status_code == 400
    assert outcomes.outcome_of(table) is None


@pytest.mark.parametrize("payload", CORPUS)
def test_hostile_text_in_an_outcome_reaches_the_public_page_as_text(event, admin, client, payload):
    table = event.tables[0]
    assert post_texts(admin, table, f"{payload}\n\n- {payload}", publish=True).status_code == 302
    page = client.get(PUBLIC).get_data(as_text=True)
    if dangerous(payload):
        assert payload not in page
    assert page.count(str(escape(payload))) >= 2, "shown, as text, in the paragraph and the list"


# ---- Who may, and which event ---------------------------------------------------------------


def other_events_ids(admin_client):
    """A table, a photo and a picked photo of another event, published."""
    other = second_event()
    table = other.tables[0]
    outcomes.save_texts(table, {"it": "Altro evento"}, 0, "a@x.org", publish=True)
    photo = photos.save_photo(table, 1, io.BytesIO(png_bytes()), "altro", "a@x.org").photo
    outcomes_photos.pick(table, photo, True, {"it": "altro"}, "a@x.org")
    pick = db.session.scalars(select(PublishedPhoto)).one()
    return table.id, photo.id, pick.id


@pytest.mark.usefixtures("upload_dir")
def test_every_route_refuses_another_events_table_photo_or_pick_with_404(app, event, admin):
    table_id, photo_id, pick_id = other_events_ids(admin)
    page = admin.get("/brescia-citta-del-noi/admin/results/").get_data(as_text=True)
    token = csrf_from(page)
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("admin_outcomes.", "results.")) or rule.arguments <= {"event_slug"}:
            continue
        path = rule.build(
            {"event_slug": event.slug, "table_id": table_id, "photo_id": photo_id, "published_id": pick_id}
        )[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token, "version": 0, "text_it": "x", "everyone_agreed": "y"}
            response = admin.get(path) if method == "GET" else admin.post(path, data=data)
            assert response.status_code == 404, f"{method} {path}"
            checked += 1
    assert checked >= 8, "routes went missing"
    assert "Altro evento" not in public_page(admin)


def test_desk_and_facilitator_get_403_and_visitors_are_sent_to_sign_in(event, make_staff, client):
    table = event.tables[0]
    _, desk = make_staff(Role.DESK)
    _, facilitator = facilitator_of(make_staff, table)
    for path in ("/brescia-citta-del-noi/admin/results/", review_url(table), f"{review_url(table)}/photos"):
        assert desk.get(path).status_code == 403, path
        assert facilitator.get(path).status_code == 403, path
        response = client.get(path)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"], path
    token = csrf_from(facilitator.get("/brescia-citta-del-noi/privacy").get_data(as_text=True))
    posted = facilitator.post(
        review_url(table), data={"csrf_token": token, "version": 0, "text_it": "x", "publish": "x"}
    )
    assert posted.status_code == 403 and outcomes.outcome_of(table) is None


# ---- Photos ---------------------------------------------------------------------------------


def uploaded_photo(table, caption="Il cartellone"):
    return photos.save_photo(table, 1, io.BytesIO(png_bytes()), caption, "f@x.org").photo


def pick_url(table, photo) -> str:
    return f"{review_url(table)}/photos/{photo.id}"


@pytest.mark.usefixtures("upload_dir")
def test_a_photo_is_picked_only_with_the_consent_box_ticked_and_shown_only_while_published(
    event, admin, client, italian
):
    table = event.tables[0]
    photo = uploaded_photo(table)
    token = csrf_from(admin.get(pick_url(table, photo)).get_data(as_text=True))

    unticked = admin.post(pick_url(table, photo), data={"csrf_token": token, "caption_it": "Il cartellone"})
    assert (
        unticked.status_code == 422
        and db.session.scalar(select(func.count()).select_from(PublishedPhoto)) == 0
    )
    assert italian(TICK_THE_BOX) in html.unescape(unticked.get_data(as_text=True))

    ticked = admin.post(
        pick_url(table, photo),
        data={"csrf_token": token, "caption_it": "Il cartellone", "everyone_agreed": "y"},
    )
    assert ticked.status_code == 302
    pick = db.session.scalars(select(PublishedPhoto)).one()
    thumb = f"/brescia-citta-del-noi/results/photos/{pick.id}/thumb"
    assert client.get(thumb).status_code == 404, "the table's outcomes are not published yet"

    post_texts(admin, table, "Esiti.", publish=True)
    assert (
        client.get(thumb).status_code == 200
        and client.get(f"/brescia-citta-del-noi/results/photos/{pick.id}").status_code == 200
    )
    page = client.get(PUBLIC).get_data(as_text=True)
    assert f'src="{thumb}" alt="Il cartellone"' in page and "<figcaption>Il cartellone</figcaption>" in page

    outcomes.unpublish(table, "a@x.org")
    assert client.get(thumb).status_code == 404, "the table's outcomes were unpublished"
    post_texts(admin, table, "Esiti.", publish=True)
    assert client.get(thumb).status_code == 200
    unpick = admin.post(f"{pick_url(table, photo)}/unpick", data={"csrf_token": token})
    assert unpick.status_code == 302
    assert client.get(thumb).status_code == 404 and thumb not in client.get(PUBLIC).get_data(as_text=True)


@pytest.mark.usefixtures("upload_dir")
def test_the_pick_page_lists_who_was_at_the_table_without_consent_to_photos(event, admin):
    table = event.tables[0]
    shy = register_someone(event, first_name="Teresa", last_name="Schiva")
    seated = register_someone(event, first_name="Carlo", last_name="Seduto")
    willing = register_someone(event, first_name="Franca", last_name="Sorridente", consent_photos=True)
    elsewhere = register_someone(event, first_name="Piero", last_name="Altrove")
    publish_seats(
        event, [(seated, table, 1, None), (willing, table, 1, None), (elsewhere, event.tables[1], 1, None)]
    )
    db.session.add(TableAttendance(cafe_table_id=table.id, attendee_id=shy.id, round=1, marked_by="f@x.org"))
    db.session.commit()

    page = admin.get(pick_url(table, uploaded_photo(table))).get_data(as_text=True)

    listed = page.split('id="without-photo-consent"')[1].split("</ul>")[0]
    assert "Teresa Schiva" in listed and "Carlo Seduto" in listed
    assert "Sorridente" not in listed and "Altrove" not in listed


@pytest.mark.usefixtures("upload_dir")
def test_a_caption_naming_someone_without_consent_is_refused_and_blanked_if_it_got_there(
    event, admin, client
):
    table = event.tables[0]
    photo = uploaded_photo(table)
    mario = person(event, "Mario", "Rossi", named=True)
    assert (
        outcomes_photos.pick(table, photo, True, {"it": "Mario Rossi al cartellone"}, "a@x.org").result.value
        == "picked"
    )
    post_texts(admin, table, "Esiti.", publish=True)
    mario.consent_name_public = False
    db.session.commit()
    assert "[…] al cartellone" in public_page(client) and "Rossi" not in public_page(client)
    refused = outcomes_photos.pick(table, photo, True, {"it": "Mario Rossi al cartellone"}, "a@x.org")
    assert refused.names == ["Mario Rossi"]


# ---- The consent to be named, asked and shown ----------------------------------------------


def test_the_consent_to_be_named_is_asked_unticked_saved_and_shown_everywhere(event, client, admin, italian):
    form = client.get("/brescia-citta-del-noi/register").get_data(as_text=True)
    box = (
        form.split('name="consent_name_public"')[0].rsplit("<input", 1)[1]
        + form.split('name="consent_name_public"')[1].split(">")[0]
    )
    assert "checked" not in box and "required" not in box, "optional, unticked"

    post_registration(client, event, email="nominata@example.org", consent_name_public="y")
    post_registration(client, event, email="anonima@example.org")
    named = db.session.scalars(select(Attendee).filter_by(email="nominata@example.org")).one()
    unnamed = db.session.scalars(select(Attendee).filter_by(email="anonima@example.org")).one()
    assert named.consent_name_public and not unnamed.consent_name_public

    manage = html.unescape(
        client.get(f"/brescia-citta-del-noi/r/{manage_token(named)}").get_data(as_text=True)
    )
    assert italian("Your name may appear in the results of the day published online.") in manage
    assert personal_data(named)["consent"]["name_in_published_results"] is True
    attendee_page = html.unescape(
        admin.get(f"/brescia-citta-del-noi/admin/attendees/{named.id}").get_data(as_text=True)
    )
    assert italian("Name in the published results") in attendee_page
    exported = admin.get("/brescia-citta-del-noi/admin/attendees.csv").data.decode("utf-8-sig")
    rows = {row["email"]: row for row in csv.DictReader(io.StringIO(exported), delimiter=";")}
    assert rows["nominata@example.org"]["consent_name_public"] == "yes"
    assert rows["anonima@example.org"]["consent_name_public"] == "no"


def test_the_attendee_can_change_the_consent_to_be_named_on_the_edit_form(event, client):
    attendee = register_someone(event)
    token = manage_token(attendee)
    page = client.get(f"/brescia-citta-del-noi/r/{token}/edit").get_data(as_text=True)
    assert 'name="consent_name_public"' in page
    fields = form_fields(event, email=attendee.email, consent_name_public="y")
    fields.pop("consent_privacy")
    response = client.post(
        f"/brescia-citta-del-noi/r/{token}/edit", data={"csrf_token": csrf_from(page), **fields}
    )
    assert response.status_code == 302
    db.session.rollback()
    assert db.session.get(Attendee, attendee.id).consent_name_public is True


def test_the_walk_in_form_asks_the_consent_to_be_named(event, make_staff):
    _, desk = make_staff(Role.DESK)
    page = desk.get("/brescia-citta-del-noi/desk/walk-in").get_data(as_text=True)
    assert 'name="consent_name_public"' in page


def test_the_hub_tells_each_table_apart_no_draft_draft_or_published(event, admin, italian):
    drafted, published = event.tables[0], event.tables[1]
    post_texts(admin, drafted, "Bozza.")
    post_texts(admin, published, "Pubblicato.", publish=True)

    rows = html.unescape(admin.get("/brescia-citta-del-noi/admin/results/").get_data(as_text=True)).split(
        "<tr>"
    )[2:]

    by_table = {
        table.display_name: row for table in event.tables for row in rows if table.display_name in row
    }
    assert italian("No draft yet") in by_table[event.tables[2].display_name]
    assert "Bozza, salvata il" in by_table[drafted.display_name]
    assert "Pubblicati il" in by_table[published.display_name]
