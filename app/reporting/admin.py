"""The report of the day for the organisers (role admin): PDF, Markdown, and the tables'
outcomes as CSV."""

from flask import Blueprint, Response

from app.events.services import current_event_or_404
from app.models import Role
from app.reporting.report import build_report, outcomes_csv, report_markdown
from app.reporting.report_pdf import report_pdf
from app.staff.roles import roles_required

report_bp = Blueprint("admin_report", __name__, url_prefix="/admin")


@report_bp.before_request
@roles_required(Role.ADMIN)
def require_admin_for_reports():
    """The reports are for admins only."""


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
