"""Filters and globals shared by every template."""

from flask import Flask, g, request, url_for
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import lazy_gettext as _l

from app.checkin.badge_codes import formatted_badge_code
from app.checkin.badges import PARTICIPANT_TYPE_LABELS
from app.core.offline import module_imports
from app.models import AttendeeStatus, MessageStatus, localized
from app.registration.forms import LANGUAGE_NAMES

# What staff pages show for stored values (the database keeps the English codes).
VALUE_LABELS = {
    AttendeeStatus.CONFIRMED: _l("confirmed"),
    AttendeeStatus.WAITLISTED: _l("waiting list"),
    AttendeeStatus.CANCELLED: _l("cancelled"),
    MessageStatus.QUEUED: _l("queued"),
    MessageStatus.SENDING: _l("sending"),
    MessageStatus.SENT: _l("sent"),
    MessageStatus.FAILED: _l("failed"),
    **PARTICIPANT_TYPE_LABELS,
    "online": _l("online form"),  # how someone registered (Attendee.source)
    "desk": _l("at the desk, on the day"),
    **LANGUAGE_NAMES,  # each in its own language, as on the form
}


# The staff menu's sections: each link, and the endpoints or whole blueprints whose pages
# belong to it (a page reached from the link, such as one attendee's, keeps it marked).
STAFF_SECTIONS = {
    "admin.attendees": ("admin.attendees", "admin.attendee", "admin.needs"),
    "admin_desks.desks": ("admin_desks.desks",),
    "admin_assignment.runs": ("admin_assignment",),
    "admin_announcements.announcements": ("admin_announcements",),
    "admin_staff.staff": ("admin_staff",),
    "admin_event.event_file": ("admin_event",),
    "desk.desk": ("desk",),
    "facilitators.index": ("facilitators", "admin_facilitators", "synthesis"),
    "admin_outcomes.index": ("admin_outcomes", "admin_commitments", "admin_figures", "admin_feedback"),
}


def nav_current(endpoint: str) -> str | None:
    """aria-current for a staff menu link: "page" on its own page, "true" elsewhere in its
    section (an endpoint, or a whole blueprint), None outside it."""
    here = request.endpoint or ""
    if here == endpoint:
        return "page"
    sections = STAFF_SECTIONS.get(endpoint, ())
    if here in sections or request.blueprint in sections:
        return "true"
    return None


def home_url(event=None) -> str:
    """The event's home when a page is about one, else the instance's list of events."""
    event = event or g.get("event")
    return url_for("public.home", event_slug=event.slug) if event else url_for("site.index")


def staff_event_count() -> int:
    """How many events the signed-in staff member works on (the menu's "Events" link)."""
    from flask_login import current_user

    from app.staff.roles import events_of

    if "staff_event_count" not in g:
        g.staff_event_count = len(events_of(current_user)) if current_user.is_authenticated else 0
    return g.staff_event_count


def init_app(app: Flask) -> None:
    app.add_template_global(nav_current)
    app.add_template_global(home_url)
    app.add_template_global(staff_event_count)
    app.add_template_global(module_imports)
    app.add_template_filter(localized, "l10n")
    app.add_template_filter(formatted_badge_code, "badge_code")  # "KLM479" as printed: "KLM 479"

    @app.template_filter("label")
    def label(value):
        """The translated label of a status or participant type; the value itself if none."""
        return VALUE_LABELS.get(value, value)

    @app.template_filter("hhmm")
    def hhmm(value):
        return value.strftime("%H:%M") if value else ""

    @app.template_filter("when")
    def when(value, pattern="d MMM yyyy, HH:mm"):
        """A stored moment (naive UTC) in the event's time zone: 25 nov 2026, 21:23."""
        return format_datetime(value, pattern) if value else ""

    @app.template_filter("long_date")
    def long_date(value):
        return format_date(value, format="full") if value else ""

    @app.context_processor
    def globals_():
        return {
            "current_locale": str(get_locale() or "it"),
            "languages": app.config["LANGUAGES"],
            "request_path": request.full_path.rstrip("?") if request else "/",
        }
