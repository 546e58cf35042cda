"""Development only (MAIL_CATCH=1): read the outbox in the browser instead of sending it."""

from flask import Blueprint, render_template

from ..extensions import db
from ..models import OutboxMessage

bp = Blueprint("devmail", __name__, url_prefix="/dev/mail")


@bp.route("/")
def inbox():
    messages = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)).all()
    return render_template("devmail/inbox.html", messages=messages)


@bp.route("/<int:message_id>")
def message(message_id):
    return render_template("devmail/message.html", message=db.get_or_404(OutboxMessage, message_id))
