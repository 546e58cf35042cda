"""Staff sign-in and sign-out, and the list of one's events."""

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.core.urls import safe_redirect_target
from app.extensions import limiter
from app.models import Role
from app.staff import services as users
from app.staff import throttle
from app.staff.forms import ChoosePasswordForm, ForgotPasswordForm, LoginForm
from app.staff.roles import events_of

bp = Blueprint("auth", __name__, url_prefix="/staff")

HOME_BY_ROLE = {Role.ADMIN: "admin.attendees", Role.DESK: "desk.desk", Role.FACILITATOR: "facilitators.index"}


def staff_home(user) -> str:
    """Where someone signed in starts: their page of their one event, else their events."""
    events = events_of(user)
    if len(events) == 1 and not user.instance_admin:
        return url_for(HOME_BY_ROLE[user.role], event_slug=events[0].slug)
    return url_for("auth.events")


# Guessing is slowed without a lockout: see throttle.py for the policy (and the README).
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    throttle.PER_CLIENT_AND_ACCOUNT,
    methods=["POST"],
    key_func=throttle.client_and_account_key,
    deduct_when=throttle.failed,
)
@limiter.limit(
    throttle.PER_CLIENT, methods=["POST"], key_func=throttle.client_key, deduct_when=throttle.failed
)
@limiter.limit(
    throttle.account_limit,
    methods=["POST"],
    key_func=throttle.account_key,
    deduct_when=throttle.failed,
    exempt_when=throttle.is_known_device,
)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = users.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            home = staff_home(user)
            response = redirect(safe_redirect_target(request.args.get("next"), home))
            return throttle.remember_device(response, user.email)
        form.password.errors.append(_("Wrong e-mail or password."))
    return render_template("staff/login.html", form=form)


@bp.route("/")
@login_required
def events():
    """The events the signed-in staff member works on, each with their page of it."""
    return render_template(
        "staff/events.html",
        events=events_of(current_user),
        home_endpoint=HOME_BY_ROLE[current_user.role],
        today=date.today(),
    )


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"))


def _forgot_email() -> str:
    return "forgot:" + request.form.get("email", "").strip().lower()[:254]


# Each request may send an e-mail: a few per address and per account, so nobody can
# flood a colleague's inbox from the sign-in page.
@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
@limiter.limit("3 per hour", methods=["POST"], key_func=_forgot_email)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        users.request_password_link(form.email.data)
        # The same answer whether or not the account exists: the page reveals no addresses.
        flash(
            _(
                "If a staff account has this address, a link to choose a new password is on its"
                " way. It works once, within two hours."
            ),
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("staff/forgot_password.html", form=form)


@bp.route("/password/<token>", methods=["GET", "POST"])
def choose_password(token):
    user = users.user_for_password_token(token)
    if user is None:
        return render_template("staff/password_link_invalid.html")
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        users.choose_password(user, form.password.data)
        login_user(user)
        flash(_("Your password is saved, and you are signed in."), "success")
        return redirect(staff_home(user))
    return render_template("staff/choose_password.html", form=form, user=user)


@bp.after_request
def _not_stored(response):
    # Password pages, and the sign-in page with its typed address: never kept by a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_context_processor
def inject_user():
    return {"current_user": current_user}
