"""The page behind an announcement's unsubscribe link, and the mail provider's one-click POST.

RFC 8058: the provider POSTs ``List-Unsubscribe=One-Click`` to the link with no cookie and no
form of ours, so that POST cannot carry a CSRF token; the signed token in the URL is what
proves it. Anything else posted here is the page's own button, and must carry its CSRF token.
"""

from contextlib import nullcontext

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import force_locale

from app.core.forms import ConfirmForm
from app.events.services import current_event
from app.extensions import csrf
from app.mail.unsubscribe import attendee_for_unsubscribe_token, resume_announcements, stop_announcements

bp = Blueprint("unsubscribe", __name__)


@bp.get("/unsubscribe/<token>")
def stop(token):
    attendee = attendee_for_unsubscribe_token(token)
    if attendee is None:
        return _not_valid()
    return _page(attendee, form=ConfirmForm(), token=token)


@bp.post("/unsubscribe/<token>")
@csrf.exempt
def stop_post(token):
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    if not one_click:
        csrf.protect()  # our page's button: 400 without its token, as every form of the app
    attendee = attendee_for_unsubscribe_token(token)
    if attendee is None:
        return _not_valid()
    stop_announcements(attendee)
    if one_click:
        return _page(attendee, form=None, token=token)
    return redirect(url_for("unsubscribe.stop", token=token), code=303)


@bp.post("/unsubscribe/<token>/resume")
def resume(token):
    """The page's "get them again" button (CSRF-checked like every form)."""
    attendee = attendee_for_unsubscribe_token(token)
    if attendee is None:
        return _not_valid()
    if ConfirmForm().validate_on_submit():
        resume_announcements(attendee)
    return redirect(url_for("unsubscribe.stop", token=token), code=303)


def _page(attendee, form, token):
    """In the language they chose on this site, else the one they registered in."""
    chosen = session.get("lang")
    with nullcontext() if chosen else force_locale(attendee.language):
        return render_template(
            "mail/unsubscribe.html", attendee=attendee, event=attendee.event, form=form, token=token
        )


def _not_valid():
    return render_template("mail/unsubscribe.html", attendee=None, event=current_event(), form=None), 404
