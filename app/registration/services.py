"""The registration service, by responsibility; this module only re-exports it for the
modules that still import from here (new code imports from the module that says what):

- attendee_details: RegistrationData, what an attendee tells us, and how it is written
- signup: register, walk-ins (register_walk_in), RegistrationError
- changes: update_registration
- cancellation: cancel_registration, cancel_under_lock
- places: places left and taken, waiting-list positions
- waiting_lists: fill_vacancies, the promotions
- resending: the personal link sent again, a badge reissued
- audit: the audit log's entries about an attendee
"""

from app.registration.attendee_details import RegistrationData
from app.registration.audit import audit
from app.registration.cancellation import cancel_registration, cancel_under_lock
from app.registration.changes import update_registration
from app.registration.places import (
    confirmed_in_part,
    event_waiting_list_position,
    places_left,
    waiting_list_position,
)
from app.registration.resending import (
    find_attendee_by_email,
    reissue_badge_for,
    resend_manage_link,
    send_manage_link,
)
from app.registration.signup import (
    RegistrationError,
    WalkInOutcome,
    WalkInResult,
    register,
    register_walk_in,
)
from app.registration.waiting_lists import fill_vacancies

__all__ = [
    "RegistrationData",
    "RegistrationError",
    "WalkInOutcome",
    "WalkInResult",
    "audit",
    "cancel_registration",
    "cancel_under_lock",
    "confirmed_in_part",
    "event_waiting_list_position",
    "fill_vacancies",
    "find_attendee_by_email",
    "places_left",
    "register",
    "register_walk_in",
    "reissue_badge_for",
    "resend_manage_link",
    "send_manage_link",
    "update_registration",
    "waiting_list_position",
]
