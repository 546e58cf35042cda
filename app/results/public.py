"""The public page of the day's results: each table's published outcomes with its picked
photos and its commitments, and the day in figures; the picked photos themselves."""

from pathlib import Path

from flask import Blueprint, abort, render_template, send_file
from flask_babel import get_locale

from app.events.services import current_event_or_404
from app.facilitation.photos import photo_path
from app.results import commitments, figures_public, outcomes, outcomes_photos
from app.results.names import NameGuard

bp = Blueprint("results", __name__, url_prefix="/results")


@bp.app_template_global()
def results_published(event) -> bool:
    """For the footer's link: is anything of the event on the results page? One query."""
    return event is not None and outcomes.has_published(event)


@bp.get("/", endpoint="outcomes")
def outcomes_page():
    event = current_event_or_404()
    locale = str(get_locale() or "it")
    guard = NameGuard.of_event(event)  # once for the page: every text and caption goes through it
    tables = [
        (shown, outcomes_photos.public_photos(shown.table, locale, guard))
        for shown in outcomes.published_tables(event, locale, guard)
    ]
    return render_template(
        "results/public.html",
        event=event,
        tables=tables,
        **commitments.public_context(event),
        **figures_public.public_context(event),
    )


def _photo(published_id: int):
    photo = outcomes_photos.public_photo(current_event_or_404(), published_id)
    if photo is None:
        abort(404)
    return photo


@bp.get("/photos/<int:published_id>")
def photo_file(published_id):
    return _image_response(photo_path(_photo(published_id)))


@bp.get("/photos/<int:published_id>/thumb")
def photo_thumbnail(published_id):
    return _image_response(photo_path(_photo(published_id), thumbnail=True))


def _image_response(path: Path):
    if not path.exists():
        abort(404)
    mimetype = "image/png" if path.suffix == ".png" else "image/jpeg"
    response = send_file(path, mimetype=mimetype, max_age=0, conditional=True)
    # Asked again each time (answered 304 while unchanged): unpicked is gone at once.
    response.headers["Cache-Control"] = "no-cache"
    return response
