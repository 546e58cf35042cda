"""The open data's metadata in DCAT-AP_IT, the profile Italian public administrations use for
their catalogues (dati.gov.it harvests it): one dcatapit:Catalog, a dcatapit:Dataset per
dataset of open_data.py, a dcatapit:Distribution per format. Every address in it comes from
PUBLIC_URL (external_url), never from the request.

The values come from the EU's controlled vocabularies (file types, data themes, frequencies,
languages) and the licence from the Italian licences vocabulary, as the profile asks.
"""

from __future__ import annotations

from flask_babel import force_locale, get_locale, gettext
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from app.core.urls import external_url
from app.models import Event, localized
from app.results.open_data import DATASETS, FORMATS, OpenDataset, dataset_identifier, last_changes

DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
FILE_TYPES = {"csv": "CSV", "json": "JSON"}
THEMES = EU + "data-theme"
# After the day the figures stand still, while the commitments move as they are kept:
# irregular updates, the honest frequency for all three.
FREQUENCY = URIRef(EU + "frequency/IRREG")
LANGUAGES = {"it": "ITA", "en": "ENG", "de": "DEU", "fr": "FRA", "es": "SPA", "sl": "SLV"}
# The Italian licences vocabulary (https://w3id.org/italia/controlled-vocabulary/licences):
# each licence of event_file_results.LICENCES and the kind of licence it is.
ITALIAN_LICENCES = "https://w3id.org/italia/controlled-vocabulary/licences/"
LICENCE_CONCEPTS = {
    "CC-BY-4.0": ("A21_CCBY40", "A2_Attribution"),
    "CC-BY-SA-4.0": ("A31_CCBYSA40", "A3_ShareAlike"),
    "CC0-1.0": ("A11_CCO10", "A1_PublicDomain"),
    "IODL-2.0": ("A29_IODL20", "A2_Attribution"),
}
PREFIXES = {"dcat": DCAT, "dcatapit": DCATAPIT, "dct": DCTERMS, "foaf": FOAF, "vcard": VCARD, "xsd": XSD}


def catalog_graph(event: Event, settings: dict) -> Graph:
    """The whole catalog of the event's open data as an RDF graph."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    page = URIRef(external_url("open_data.index"))
    catalog, publisher = URIRef(f"{page}#catalog"), _agent(graph, page, settings)
    licence = _licence(graph, settings)
    contact = _contact_point(graph, page, event, settings)
    changes = last_changes(event)
    graph.add((page, RDF.type, FOAF.Document))
    _typed(graph, catalog, DCATAPIT.Catalog, DCAT.Catalog)
    _texts(
        graph, catalog, DCTERMS.title, event, lambda: gettext("Open data of %(event)s", event=_name(event))
    )
    _texts(graph, catalog, DCTERMS.description, event, lambda: _catalog_description(event))
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((catalog, DCTERMS.modified, Literal(max(changes.values()), datatype=XSD.date)))
    graph.add((catalog, FOAF.homepage, page))
    graph.add((catalog, DCAT.themeTaxonomy, URIRef(THEMES)))
    _languages(graph, catalog, event)
    for dataset in DATASETS:
        node = _dataset(graph, page, event, settings, dataset)
        graph.add((node, DCTERMS.publisher, publisher))
        graph.add((node, DCTERMS.rightsHolder, publisher))
        graph.add((node, DCTERMS.modified, Literal(changes[dataset.key], datatype=XSD.date)))
        if contact is not None:
            graph.add((node, DCAT.contactPoint, contact))
        for fmt in FORMATS:
            graph.add((node, DCAT.distribution, _distribution(graph, page, event, dataset, fmt, licence)))
        graph.add((catalog, DCAT.dataset, node))
    return graph


def catalog_jsonld(event: Event, settings: dict) -> bytes:
    graph = catalog_graph(event, settings)
    context = {prefix: str(namespace) for prefix, namespace in PREFIXES.items()}
    return graph.serialize(format="json-ld", context=context, indent=2).encode("utf-8")


def catalog_turtle(event: Event, settings: dict) -> bytes:
    return catalog_graph(event, settings).serialize(format="turtle").encode("utf-8")


def _dataset(graph: Graph, page: URIRef, event: Event, settings: dict, dataset: OpenDataset) -> URIRef:
    node = URIRef(f"{page}#{dataset.key}")
    _typed(graph, node, DCATAPIT.Dataset, DCAT.Dataset)
    graph.add((node, DCTERMS.identifier, Literal(dataset_identifier(event, settings, dataset.key))))
    _texts(graph, node, DCTERMS.title, event, lambda: str(dataset.title))
    _texts(graph, node, DCTERMS.description, event, lambda: str(dataset.description))
    graph.add((node, DCAT.theme, URIRef(f"{THEMES}/{settings['theme']}")))
    graph.add((node, DCTERMS.accrualPeriodicity, FREQUENCY))
    graph.add((node, DCAT.landingPage, page))
    _languages(graph, node, event)
    return node


def _distribution(
    graph: Graph, page: URIRef, event: Event, dataset: OpenDataset, fmt: str, licence
) -> URIRef:
    node = URIRef(f"{page}#{dataset.key}-{fmt}")
    _typed(graph, node, DCATAPIT.Distribution, DCAT.Distribution)
    graph.add((node, DCTERMS.format, URIRef(f"{EU}file-type/{FILE_TYPES[fmt]}")))
    graph.add((node, DCAT.accessURL, page))
    download = external_url("open_data.download", dataset=dataset.key, fmt=fmt)
    graph.add((node, DCAT.downloadURL, URIRef(download)))
    graph.add((node, DCTERMS.license, licence))
    _texts(graph, node, DCTERMS.title, event, lambda: f"{dataset.title} ({fmt.upper()})")
    return node


def _agent(graph: Graph, page: URIRef, settings: dict) -> URIRef:
    """The administration that publishes the data and holds its rights, by its IPA code."""
    node = URIRef(f"{page}#publisher")
    _typed(graph, node, DCATAPIT.Agent, FOAF.Agent)
    graph.add((node, DCTERMS.identifier, Literal(settings["publisher"]["identifier"])))
    graph.add((node, FOAF.name, Literal(settings["publisher"]["name"])))
    return node


def _licence(graph: Graph, settings: dict) -> URIRef:
    concept, kind = LICENCE_CONCEPTS[settings["licence"]["id"]]
    node = URIRef(ITALIAN_LICENCES + concept)
    _typed(graph, node, DCATAPIT.LicenseDocument, DCTERMS.LicenseDocument)
    graph.add((node, DCTERMS.type, URIRef(ITALIAN_LICENCES + kind)))
    graph.add((node, FOAF.name, Literal(settings["licence"]["name"])))
    graph.add((node, DCATAPIT.referenceDoc, Literal(settings["licence"]["url"], datatype=XSD.anyURI)))
    return node


def _contact_point(graph: Graph, page: URIRef, event: Event, settings: dict) -> URIRef | None:
    """Where questions about the data go: the organisers' office, never a person."""
    if not settings.get("contact_email"):
        return None
    node = URIRef(f"{page}#contact-point")
    _typed(graph, node, DCATAPIT.Organization, VCARD.Organization, VCARD.Kind)
    graph.add((node, VCARD.fn, Literal(event.organiser or settings["publisher"]["name"])))
    graph.add((node, VCARD.hasEmail, URIRef(f"mailto:{settings['contact_email']}")))
    return node


def _typed(graph: Graph, node: URIRef, *classes) -> None:
    for cls in classes:
        graph.add((node, RDF.type, cls))


def _texts(graph: Graph, node: URIRef, predicate, event: Event, text) -> None:
    """One literal per language of the event, each written in that language."""
    for language in event.languages:
        with force_locale(language):
            graph.add((node, predicate, Literal(text(), lang=language)))


def _languages(graph: Graph, node: URIRef, event: Event) -> None:
    for language in event.languages:
        if language in LANGUAGES:
            graph.add((node, DCTERMS.language, URIRef(f"{EU}language/{LANGUAGES[language]}")))


def _name(event: Event) -> str:
    return localized(event.name, str(get_locale()))


def _catalog_description(event: Event) -> str:
    return gettext(
        "What the day %(event)s produced, shared: its figures, the tables' published outcomes "
        "and the commitments taken on, as CSV and JSON.",
        event=_name(event),
    )
