"""The organisers' page of the day in figures: every figure exact, with its chart and its
numbers, and the feedback's answers counted; the page re-fetches its figures every minute
(static/js/figures_refresh.js), so it can stay open on a screen through the day."""

from flask import Blueprint, render_template, request

from app.checkin.services import local_time
from app.events.services import current_event_or_404
from app.models import Role, utcnow
from app.reporting.report import average_text
from app.results import feedback
from app.results.charts import svg
from app.results.figures import organiser_figures
from app.staff.roles import roles_required

bp = Blueprint("admin_figures", __name__, url_prefix="/admin/results/figures")
REFRESH_EVERY_MS = 60_000


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page here is for admins only."""


@bp.get("/")
def figures():
    """The whole page, or with ?fragment=1 only the figures, for the page to refresh them."""
    event = current_event_or_404()
    context = {
        "event": event,
        "figures": [
            (figure, svg(figure) if figure.has_data else None) for figure in organiser_figures(event)
        ],
        "feedback": feedback.summary(event),
        "updated_at": local_time(event, utcnow()),
        "average": average_text,
        "refresh_every_ms": REFRESH_EVERY_MS,
    }
    if request.args.get("fragment"):
        return render_template("results/figures_fragment.html", **context)
    return render_template("results/figures.html", **context)
