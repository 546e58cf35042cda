"""Organisers' pages for the world café (role admin): who facilitates which table, and the
report of the day (PDF, Markdown, and the tables' outcomes as CSV)."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from app.events.services import current_event_or_404, of_served_event_or_404
from app.extensions import db
from app.facilitation import attendance as facilitation
from app.facilitation.forms import AssignFacilitatorForm
from app.models import CafeTable, Role, User
from app.registration.forms import ConfirmForm
from app.reporting.report import build_report, outcomes_csv, report_markdown
from app.reporting.report_pdf import report_pdf
from app.staff.roles import roles_required

bp = Blueprint("admin_facilitators", __name__, url_prefix="/admin/facilitators")
report_bp = Blueprint("admin_report", __name__, url_prefix="/admin")


@bp.before_request
@roles_required(Role.ADMIN)
def require_admin():
    """Every page here is for admins only."""


@report_bp.before_request
@roles_required(Role.ADMIN)
def require_admin_for_reports():
    """The reports are for admins only."""


@bp.after_request
@report_bp.after_request
def _not_stored(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/", methods=["GET", "POST"])
def facilitators():
    event = current_event_or_404()
    form = AssignFacilitatorForm(facilitation.facilitator_candidates(), event.tables)
    if form.validate_on_submit():
        table, user = db.session.get(CafeTable, form.table_id.data), db.session.get(User, form.user_id.data)
        if table is None or user is None or table.event_id != event.id:
            abort(404)
        if facilitation.assign_facilitator(table, user):
            flash(
                _("%(name)s now facilitates %(table)s.", name=user.name, table=table.display_name), "success"
            )
        else:
            flash(
                _("%(name)s already facilitates %(table)s.", name=user.name, table=table.display_name), "info"
            )
        return redirect(url_for(".facilitators"))
    return render_template(
        "admin/facilitators.html",
        event=event,
        form=form,
        assigned=facilitation.facilitators_by_table(event),
        remove_form=ConfirmForm(),
    )


@bp.post("/tables/<int:table_id>/users/<int:user_id>/remove")
def remove(table_id, user_id):
    table, user = of_served_event_or_404(CafeTable, table_id), db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit() and facilitation.remove_facilitator(table, user):
        flash(
            _("%(name)s no longer facilitates %(table)s.", name=user.name, table=table.display_name),
            "success",
        )
    return redirect(url_for(".facilitators"))


def _download(data: bytes, content_type: str, filename: str) -> Response:
    return Response(
        data, content_type=content_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@report_bp.get("/report.pdf")
def report_pdf_download():
    event = current_event_or_404()
    return _download(report_pdf(build_report(event)), "application/pdf", f"{event.slug}-report.pdf")


@report_bp.get("/report.md")
def report_markdown_download():
    event = current_event_or_404()
    text = report_markdown(build_report(event))
    return _download(text.encode("utf-8"), "text/markdown; charset=utf-8", f"{event.slug}-report.md")


@report_bp.get("/outcomes.csv")
def outcomes_csv_download():
    event = current_event_or_404()
    return _download(outcomes_csv(event), "text/csv; charset=utf-8", f"{event.slug}-outcomes.csv")
