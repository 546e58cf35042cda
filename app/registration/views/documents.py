"""An attendee's documents, behind their personal link: the badge (PDF and QR code), the
calendar file and the certificate of attendance; and the public page where anyone shown a
certificate checks it."""

from flask import Response, abort, make_response, render_template
from flask_babel import get_locale

from app.checkin.badge_content import badge_for
from app.checkin.badge_pdf import badge_pdf
from app.checkin.badges import badge_token, qr_png
from app.checkin.services import local_time
from app.core.urls import external_url
from app.events.services import current_event_or_404
from app.extensions import limiter
from app.registration.calendar import event_ics
from app.registration.views.blueprint import attendee_or_404, badge_holder_or_404, bp
from app.reporting.certificates import CertificateCheck, certificate_for, certificate_pdf, check_certificate


@bp.route("/r/<token>/badge.pdf")
def badge_pdf_download(token):
    attendee = badge_holder_or_404(token)
    pdf = badge_pdf(badge_for(attendee))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": 'inline; filename="badge.pdf"', "Cache-Control": "no-store"},
    )


@bp.route("/r/<token>/badge.png")
def badge_qr(token):
    attendee = badge_holder_or_404(token)
    return Response(
        qr_png(badge_token(attendee)), mimetype="image/png", headers={"Cache-Control": "no-store"}
    )


@bp.route("/r/<token>/event.ics")
def calendar_file(token):
    """The day for the attendee's calendar app, as the confirmation e-mail attaches it."""
    attendee = badge_holder_or_404(token)
    manage_url = external_url("registration.manage", token=token)
    return Response(
        event_ics(attendee, manage_url, str(get_locale())),
        mimetype="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="event.ics"', "Cache-Control": "no-store"},
    )


@bp.route("/r/<token>/certificate.pdf")
def certificate(token):
    """The certificate of attendance, once the attendee was checked in at a desk."""
    attendee = attendee_or_404(token)
    found = certificate_for(attendee, str(get_locale()), check_url=_certificate_check_url)
    if found is None:
        abort(404)
    return Response(
        certificate_pdf(found),
        mimetype="application/pdf",
        headers={"Content-Disposition": 'inline; filename="certificate.pdf"', "Cache-Control": "no-store"},
    )


def _certificate_check_url(code: str) -> str:
    return external_url("registration.check_certificate_page", code=code)


@bp.route("/certificates/<code>")
@limiter.limit("30 per minute")
def check_certificate_page(code):
    """Anyone shown a certificate can check it here: whether it stands, and whose it is."""
    event = current_event_or_404()
    checked = check_certificate(code[:200])
    if checked is not None and checked.attendee.event_id != event.id:
        checked = None  # another event's certificate: checked at that event's address
    response = make_response(
        render_template(
            "registration/certificate_check.html",
            event=event,
            checked=checked,
            checks=CertificateCheck,
            checked_in_at=local_time(event, checked.check_in.checked_in_at) if checked else None,
        ),
        200 if checked else 404,
    )
    # It names a person: for whoever holds the link, not for search engines or caches.
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Cache-Control"] = "no-store"
    return response
