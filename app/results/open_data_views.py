"""Open data, public: the page that lists the datasets, their formats and licence and how to
cite them, and the files themselves (CSV, JSON, the DCAT-AP_IT catalog as JSON-LD and
Turtle). All of it is 404 when the event file has no ``open_data:`` section."""

from flask import Blueprint, Response, abort, render_template

from app.core.urls import external_url
from app.events.services import current_event_or_404
from app.results.open_data import (
    DATASETS,
    FORMATS,
    dataset_csv,
    dataset_json,
    file_name,
    open_data_settings,
)
from app.results.open_data_dcat import catalog_jsonld, catalog_turtle

bp = Blueprint("open_data", __name__, url_prefix="/results/open-data")

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "jsonld": "application/ld+json",
    "ttl": "text/turtle; charset=utf-8",
}


def _served():
    """The served event and its open data settings, or a 404 page when it publishes none."""
    event = current_event_or_404()
    settings = open_data_settings(event)
    if settings is None:
        abort(404)
    return event, settings


def _file(data: bytes, fmt: str, filename: str) -> Response:
    return Response(
        data,
        content_type=CONTENT_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/")
def index():
    event, settings = _served()
    page_url = external_url("open_data.index")  # for citing: PUBLIC_URL's, whatever the Host
    return render_template("results/open_data.html", event=event, settings=settings, datasets=DATASETS,
                           formats=FORMATS, page_url=page_url)  # fmt: skip


# One rule per format, so that each file's address ends in its own extension.
@bp.get("/<any(figures, outcomes, commitments):dataset>.csv", defaults={"fmt": "csv"})
@bp.get("/<any(figures, outcomes, commitments):dataset>.json", defaults={"fmt": "json"})
def download(dataset: str, fmt: str):
    event, settings = _served()
    data = dataset_csv(event, dataset) if fmt == "csv" else dataset_json(event, dataset, settings)
    return _file(data, fmt, file_name(event, dataset, fmt))


@bp.get("/catalog.jsonld")
def catalog_json_ld():
    event, settings = _served()
    return _file(catalog_jsonld(event, settings), "jsonld", file_name(event, "catalog", "jsonld"))


@bp.get("/catalog.ttl")
def catalog_ttl():
    event, settings = _served()
    return _file(catalog_turtle(event, settings), "ttl", file_name(event, "catalog", "ttl"))
