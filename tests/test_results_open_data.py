"""Open data: the figures, the published outcomes and their commitments as CSV and JSON under
the event file's licence, and the DCAT-AP_IT catalog, validated with SHACL (tests/dcatapit)."""

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pyshacl
import pytest
from helpers import register_someone, second_event
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, SH
from test_accessibility import axe_violations, sideways_overflow
from test_html_validity import nu_errors
from test_injection import CORPUS, assert_escaped

import app.results.open_data as open_data
from app.checkin.services import check_in_attendee
from app.extensions import db
from app.models import Commitment, TableOutcome
from app.registration.attendee_list import safe_cell
from app.results.figures import Figure
from app.results.figures_public import public_figures

SHAPES = Path(__file__).parent / "dcatapit"
DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
BASE = "/brescia-citta-del-noi/results/open-data"
FILES = [
    "figures.csv",
    "figures.json",
    "outcomes.csv",
    "outcomes.json",
    "commitments.csv",
    "commitments.json",
    "catalog.jsonld",
    "catalog.ttl",
]
FIGURES = [
    Figure(
        "participant_types",
        "Partecipanti per tipo",
        ["Tipo", "Arrivati"],
        [("Cittadini", 41), ("Altro", 7)],
        ["participant_type", "arrived"],
    ),
    Figure(
        "arrivals",
        "Arrivi ogni 10 minuti",
        ["Ora", "Arrivi", "Previsti"],
        [("09:00", 12, 20), ("09:10", 30, 25), ("09:20", 0, None)],
        ["time", "arrived", "expected"],
    ),
]


@pytest.fixture
def figures(monkeypatch):
    """Any Figure list: the export must not know which figures there are."""
    monkeypatch.setattr(open_data, "public_figures", lambda event: FIGURES)
    return FIGURES


def publish(event, table, text, when=datetime(2027, 7, 20, 10, 30)):
    outcome = TableOutcome(
        event_id=event.id,
        cafe_table_id=table.id,
        text=text,
        published_at=when,
        published_by="org@example.org",
        updated_by="org@example.org",
    )
    db.session.add(outcome)
    db.session.commit()
    return outcome


def commit_to(event, table, text, **fields):
    values = dict(
        owner_kind="organisation",
        owner_name="Auser Brescia",
        due_on=date(2027, 12, 31),
        status="in_progress",
        public_note={"it": "Primo incontro fatto", "en": "First meeting held"},
        created_by="org@example.org",
        updated_at=datetime(2027, 9, 1, 8, 0),
    )
    values.update(fields)
    commitment = Commitment(event_id=event.id, cafe_table_id=table.id, text=text, **values)
    db.session.add(commitment)
    db.session.commit()
    return commitment


@pytest.fixture
def day_with_results(event):
    """Table 1 published with two commitments, table 2 drafted (not published) with one."""
    first, second = event.tables[0], event.tables[1]
    publish(event, first, {"it": "Una rete di portierato sociale", "en": "A network of social concierges"})
    draft = publish(event, second, {"it": "Bozza riservata", "en": "Private draft"})
    draft.published_at = None
    db.session.commit()
    city = commit_to(
        event,
        first,
        {"it": "Aprire lo sportello", "en": "Open the desk"},
        owner_kind="city",
        owner_name="Comune di Brescia",
        status="open",
        public_note=None,
        due_on=None,
    )
    auser = commit_to(event, first, {"it": "Formare i volontari", "en": "Train the volunteers"})
    commit_to(event, second, {"it": "Impegno non pubblicato", "en": "Unpublished commitment"})
    return event, [city, auser]


def rows(response) -> list[dict]:
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def shapes_graph() -> Graph:
    shapes = Graph()
    for name in ("dcat-ap_2.1.1_shacl_shapes.ttl", "dcat-ap_2.1.1_shacl_range.ttl", "dcat-ap_it.shapes.ttl"):
        shapes.parse(SHAPES / name)
    return shapes


def validate(graph: Graph) -> tuple[bool, Graph]:
    data = graph + Graph().parse(SHAPES / "vocabularies.ttl")
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes_graph(), inference="none")
    return conforms, report


def failing_paths(report: Graph) -> set:
    return {report.value(result, SH.resultPath) for result in report.subjects(RDF.type, SH.ValidationResult)}


def test_open_data_pages_and_files_are_404_when_the_event_file_has_no_open_data_section(client, event):
    assert client.get(f"{BASE}/").status_code == 200
    event.open_data = None
    db.session.commit()
    for path in ["", *FILES]:
        assert client.get(f"{BASE}/{path}").status_code == 404, path
    assert client.get(f"{BASE}/attendees.csv").status_code == 404, "only the three datasets exist"


def test_page_lists_each_dataset_in_each_format_with_the_licence_and_how_to_cite(client, event, italian):
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert f"<h1>{italian('Open data')}</h1>" in page
    assert '<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">' in page
    assert "Creative Commons Attribution 4.0 International" in page
    assert "Comune di Brescia" in page and "c_b157" in page
    for name in FILES:
        assert f'href="{BASE}/{name}"' in page, name
    assert (
        italian("How to cite the data") in page
        and "http://localhost/brescia-citta-del-noi/results/open-data/" in page
    )


def test_outcomes_export_holds_exactly_the_published_outcomes_per_language(client, day_with_results):
    event, _ = day_with_results
    table = event.tables[0]
    expected = {
        "table": table.key,
        "table_name_it": table.name["it"],
        "table_name_en": table.name["en"],
        "text_it": "Una rete di portierato sociale",
        "text_en": "A network of social concierges",
        "published_at": "2027-07-20T10:30:00Z",
    }
    assert rows(client.get(f"{BASE}/outcomes.csv")) == [expected]
    document = client.get(f"{BASE}/outcomes.json").get_json()
    assert document["records"] == [expected]
    assert document["columns"] == list(expected)
    for name in ("outcomes.csv", "outcomes.json"):
        assert b"Bozza riservata" not in client.get(f"{BASE}/{name}").data, "an unpublished outcome leaked"


def test_commitments_export_holds_only_those_of_published_tables(client, day_with_results):
    event, (city, auser) = day_with_results
    key = event.tables[0].key
    expected = [
        {
            "id": str(city.id),
            "table": key,
            "text_it": "Aprire lo sportello",
            "text_en": "Open the desk",
            "owner_kind": "city",
            "owner_name": "Comune di Brescia",
            "due_on": "",
            "status": "open",
            "public_note_it": "",
            "public_note_en": "",
            "updated_at": "2027-09-01T08:00:00Z",
        },
        {
            "id": str(auser.id),
            "table": key,
            "text_it": "Formare i volontari",
            "text_en": "Train the volunteers",
            "owner_kind": "organisation",
            "owner_name": "Auser Brescia",
            "due_on": "2027-12-31",
            "status": "in_progress",
            "public_note_it": "Primo incontro fatto",
            "public_note_en": "First meeting held",
            "updated_at": "2027-09-01T08:00:00Z",
        },
    ]
    assert rows(client.get(f"{BASE}/commitments.csv")) == expected
    records = client.get(f"{BASE}/commitments.json").get_json()["records"]
    assert [record["id"] for record in records] == [city.id, auser.id]
    assert records[0]["due_on"] is None and records[1]["due_on"] == "2027-12-31"
    for name in ("commitments.csv", "commitments.json"):
        assert b"Impegno non pubblicato" not in client.get(f"{BASE}/{name}").data


def test_another_events_published_outcomes_are_not_in_the_served_events_files(client, event, figures):
    other = second_event()
    publish(other, other.tables[0], {"it": "Esito di un altro giorno", "en": "Another day's outcome"})
    commit_to(other, other.tables[0], {"it": "Impegno di un altro giorno", "en": "Another day's commitment"})
    for name in FILES:
        body = client.get(f"{BASE}/{name}").data
        assert b"altro giorno" not in body and b"Another day" not in body, name


def test_figures_export_is_exactly_the_public_figures_cell_by_cell(client, event, figures):
    lines = rows(client.get(f"{BASE}/figures.csv"))
    assert list(lines[0]) == ["figure", "row", "column", "value"]
    rebuilt = {}
    for line in lines:
        rebuilt.setdefault(line["figure"], {}).setdefault(int(line["row"]), {})[line["column"]] = line[
            "value"
        ]
    assert rebuilt == {
        figure.key: {
            n: {
                key: "" if value is None else str(value)
                for key, value in zip(figure.column_keys, row, strict=True)
            }
            for n, row in enumerate(figure.rows, start=1)
        }
        for figure in FIGURES
    }
    document = client.get(f"{BASE}/figures.json").get_json()
    assert document["figures"] == [
        {
            "key": figure.key,
            "title": figure.title,
            "columns": [
                {"key": k, "label": label}
                for k, label in zip(figure.column_keys, figure.columns, strict=True)
            ],
            "rows": [dict(zip(figure.column_keys, row, strict=True)) for row in figure.rows],
        }
        for figure in FIGURES
    ]


def test_figures_export_follows_the_days_real_public_figures(app, client, event):
    people = [register_someone(event, participant_type="citizen") for _ in range(7)]
    for n, person in enumerate(people[:6]):
        check_in_attendee(event, person.id, None, f"figures-{n}", desk_name="Desk 1")
    with app.test_request_context():
        expected = public_figures(event)
    assert any(figure.rows for figure in expected), "the day has figures to export"
    document = client.get(f"{BASE}/figures.json").get_json()
    assert [(f["key"], [c["key"] for c in f["columns"]]) for f in document["figures"]] == [
        (figure.key, list(figure.column_keys)) for figure in expected
    ]
    assert [[list(row.values()) for row in f["rows"]] for f in document["figures"]] == [
        [list(row) for row in figure.rows] for figure in expected
    ]
    lines = rows(client.get(f"{BASE}/figures.csv"))
    assert len(lines) == sum(len(figure.rows) * len(figure.column_keys) for figure in expected)


def test_catalog_dates_say_when_each_dataset_last_changed(client, day_with_results):
    graph = Graph().parse(data=client.get(f"{BASE}/catalog.ttl").data, format="turtle")
    page = "http://localhost/brescia-citta-del-noi/results/open-data/"

    def modified(node):
        return graph.value(URIRef(page + node), DCTERMS.modified).toPython()

    assert modified("#outcomes") == date(2027, 7, 20), "the day the outcomes were published"
    assert modified("#commitments") == date(2027, 9, 1), "the last update of a public commitment"
    assert modified("#figures") == min(date.today(), date(2027, 7, 13)), "never a day still to come"
    assert modified("#catalog") == date(2027, 9, 1)


def test_every_json_file_names_its_licence_publisher_source_and_time(client, event, figures):
    for dataset in ("figures", "outcomes", "commitments"):
        response = client.get(f"{BASE}/{dataset}.json")
        assert response.content_type == "application/json"
        assert (
            response.headers["Content-Disposition"] == f'attachment; filename="{event.slug}-{dataset}.json"'
        )
        document = response.get_json()
        assert document["licence"] == {
            "id": "CC-BY-4.0",
            "name": "Creative Commons Attribution 4.0 International",
            "url": "https://creativecommons.org/licenses/by/4.0/",
        }
        assert document["publisher"] == {"name": "Comune di Brescia", "identifier": "c_b157"}
        assert document["identifier"] == f"c_b157:{event.slug}-{dataset}"
        assert document["source"]["slug"] == event.slug and document["source"]["date"] == "2027-07-13"
        assert datetime.fromisoformat(document["generated_at"].rstrip("Z")).year >= 2026


def test_no_attendees_name_or_email_in_any_file(client, event, day_with_results):
    people = [
        register_someone(event, first_name="Zebedeo", last_name="Quaglierini", email="zebedeo.q@example.org"),
        register_someone(
            event, first_name="Ermenegilda", last_name="Strozzapreti", email="erme.s@example.net"
        ),
    ]
    check_in_attendee(event, people[0].id, None, "open-data-1", desk_name="Desk 1")
    for name in FILES:
        body = client.get(f"{BASE}/{name}").data.lower()
        for person in people:
            for value in (person.first_name, person.last_name, person.email):
                assert value.lower().encode() not in body, f"{value} in {name}"


def test_every_address_comes_from_public_url_whatever_the_host(app, client, day_with_results, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://noiday.example.org")
    for name in ["", *FILES]:
        body = client.get(f"{BASE}/{name}", base_url="http://evil.example").get_data(as_text=True)
        assert "evil.example" not in body, name
    page = client.get(f"{BASE}/", base_url="http://evil.example").get_data(as_text=True)
    assert "https://noiday.example.org/brescia-citta-del-noi/results/open-data/" in page
    source = client.get(f"{BASE}/outcomes.json", base_url="http://evil.example").get_json()["source"]
    assert source["url"] == "https://noiday.example.org/brescia-citta-del-noi/results/open-data/"
    graph = Graph().parse(
        data=client.get(f"{BASE}/catalog.ttl", base_url="http://evil.example").data, format="turtle"
    )
    downloads = set(graph.objects(None, URIRef("http://www.w3.org/ns/dcat#downloadURL")))
    assert downloads == {
        URIRef(f"https://noiday.example.org/brescia-citta-del-noi/results/open-data/{d}.{f}")
        for d in ("figures", "outcomes", "commitments")
        for f in ("csv", "json")
    }


def test_dcat_ap_it_catalog_as_served_passes_the_shacl_shapes(client, day_with_results):
    jsonld = client.get(f"{BASE}/catalog.jsonld")
    assert jsonld.content_type == "application/ld+json"
    turtle = client.get(f"{BASE}/catalog.ttl")
    assert turtle.content_type == "text/turtle; charset=utf-8"
    graph = Graph().parse(data=jsonld.data, format="json-ld")
    assert isomorphic(graph, Graph().parse(data=turtle.data, format="turtle")), (
        "the two serialisations differ"
    )
    assert len(set(graph.subjects(RDF.type, DCATAPIT.Dataset))) == 3
    assert len(set(graph.subjects(RDF.type, DCATAPIT.Distribution))) == 6
    conforms, report = validate(graph)
    assert conforms, report.serialize(format="turtle")


@pytest.mark.parametrize(
    ("licence", "concept"),
    [
        ("CC-BY-4.0", "A21_CCBY40"),
        ("CC-BY-SA-4.0", "A31_CCBYSA40"),
        ("CC0-1.0", "A11_CCO10"),
        ("IODL-2.0", "A29_IODL20"),
    ],
)
def test_each_licence_an_event_file_may_name_is_the_italian_vocabularys_and_conforms(
    client, event, licence, concept
):
    event.open_data = {**event.open_data, "licence": licence, "theme": "GOVE", "contact_email": None}
    db.session.commit()
    graph = Graph().parse(data=client.get(f"{BASE}/catalog.ttl").data, format="turtle")
    licence_documents = set(graph.objects(None, DCTERMS.license))
    assert licence_documents == {URIRef(f"https://w3id.org/italia/controlled-vocabulary/licences/{concept}")}
    emails = set(graph.objects(None, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")))
    assert emails == {URIRef(f"mailto:{event.contact_email}")}, (
        "the event's address, when the section names none"
    )
    conforms, report = validate(graph)
    assert conforms, report.serialize(format="turtle")


def test_the_contact_point_is_the_open_data_sections_address_when_it_names_one(client, event):
    event.open_data = {**event.open_data, "contact_email": "opendata@comune.brescia.it"}
    db.session.commit()
    graph = Graph().parse(data=client.get(f"{BASE}/catalog.ttl").data, format="turtle")
    emails = set(graph.objects(None, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")))
    assert emails == {URIRef("mailto:opendata@comune.brescia.it")}
    assert "opendata@comune.brescia.it" in client.get(f"{BASE}/").get_data(as_text=True)


@pytest.mark.parametrize("removed", [DCTERMS.license, DCTERMS.publisher, DCTERMS.rightsHolder])
def test_the_shapes_refuse_a_catalog_without_its_licence_or_publisher(client, day_with_results, removed):
    graph = Graph().parse(data=client.get(f"{BASE}/catalog.ttl").data, format="turtle")
    graph.remove((None, removed, None))
    conforms, report = validate(graph)
    assert not conforms
    assert removed in failing_paths(report)


def test_the_shapes_refuse_a_licence_that_is_not_a_licence_document(client, day_with_results):
    graph = Graph().parse(data=client.get(f"{BASE}/catalog.ttl").data, format="turtle")
    graph.remove((None, RDF.type, DCATAPIT.LicenseDocument))
    conforms, report = validate(graph)
    assert not conforms and DCTERMS.license in failing_paths(report)


@pytest.mark.parametrize("payload", CORPUS)
def test_hostile_text_is_data_in_every_file_and_escaped_on_the_page(client, event, figures, payload):
    event.open_data = {**event.open_data, "publisher": {"name": payload, "identifier": "c_b157"}}
    db.session.commit()
    publish(event, event.tables[0], {"it": payload, "en": "fine"})
    commit_to(event, event.tables[0], {"it": payload, "en": "fine"}, owner_name=payload)
    assert_escaped(client.get(f"{BASE}/").get_data(as_text=True), payload, "the open data page")
    assert client.get(f"{BASE}/outcomes.json").get_json()["records"][0]["text_it"] == payload
    commitment = client.get(f"{BASE}/commitments.json").get_json()["records"][0]
    assert commitment["text_it"] == commitment["owner_name"] == payload
    outcome_cell = rows(client.get(f"{BASE}/outcomes.csv"))[0]["text_it"]
    assert outcome_cell == safe_cell(payload)
    assert outcome_cell[0] not in "=+-@", "a spreadsheet would run it as a formula"
    graph = Graph().parse(data=client.get(f"{BASE}/catalog.jsonld").data, format="json-ld")
    assert {str(name) for name in graph.objects(None, URIRef("http://xmlns.com/foaf/0.1/name"))} >= {payload}


def test_open_data_page_is_valid_html(client, event, tmp_path):
    (tmp_path / "open_data.html").write_bytes(client.get(f"{BASE}/").data)
    assert nu_errors(tmp_path) == {}


def test_on_a_phone_the_page_is_accessible_and_its_links_download_the_files(
    live_server, page, day_with_results
):
    event, _ = day_with_results
    page.goto(f"{live_server.url}{BASE}/")
    assert axe_violations(page) == []
    assert sideways_overflow(page) == []
    outcomes = page.get_by_role("region", name="Gli esiti pubblicati dei tavoli")
    with page.expect_download() as download:
        outcomes.get_by_role("link", name="Gli esiti pubblicati dei tavoli: CSV").click()
    assert download.value.suggested_filename == f"{event.slug}-outcomes.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("table,table_name_it,") and "Una rete di portierato sociale" in text
