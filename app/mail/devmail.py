"""Development only (MAIL_CATCH=1): read the outbox in the browser instead of sending it."""

from flask import Blueprint, Response, abort, render_template, url_for

from app.checkin.badge_codes import with_badge_code
from app.extensions import db
from app.mail.outbox import QR_CID, bodies
from app.mail.sender import build_email
from app.models import OutboxMessage

bp = Blueprint("devmail", __name__, url_prefix="/dev/mail")


@bp.route("/")
def inbox():
    messages = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)).all()
    return render_template("mail/devmail/inbox.html", messages=messages)


# The HTML part is a document of its own, styled inline as e-mail must be: the viewer shows
# it in a sandboxed frame whose policy allows those styles and nothing active.
HTML_PART_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)


@bp.route("/<int:message_id>")
def message(message_id):
    message = db.get_or_404(OutboxMessage, message_id)
    names = [name for name, _ in _attachments(message)]
    body_text = with_badge_code(bodies(message)[0], message.attendee)  # as sent
    return render_template(
        "mail/devmail/message.html", message=message, attachments=names, body_text=body_text
    )


@bp.route("/<int:message_id>/html")
def html_part(message_id):
    """The HTML part as the recipient's mail program shows it, the inline QR included."""
    message = db.get_or_404(OutboxMessage, message_id)
    html = with_badge_code(bodies(message)[1], message.attendee).replace(
        f"cid:{QR_CID}", url_for("devmail.attachment", message_id=message.id, filename="qr.png")
    )
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = HTML_PART_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.route("/<int:message_id>/<filename>")
def attachment(message_id, filename):
    message = db.get_or_404(OutboxMessage, message_id)
    for name, part in _attachments(message):
        if name == filename:
            return Response(part.get_content(), mimetype=part.get_content_type())
    abort(404)


def _attachments(message):
    """(file name, MIME part) for each image and attachment of the message as it would be sent."""
    try:
        email = build_email(message)
    except Exception:  # noqa: BLE001  the sender fails it with its reason; the viewer shows the text
        return []
    found = []
    for part in email.walk():
        body = part.get_content_type() in ("text/plain", "text/html") and not part.get_filename()
        if not part.is_multipart() and not body:
            found.append((part.get_filename() or "qr.png", part))
    return found
