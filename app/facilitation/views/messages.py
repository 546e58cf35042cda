"""What the facilitators' pages say for the services' reason codes (attendance, photos)."""

from flask_babel import lazy_gettext as _l

from app.facilitation.attendance import AttendanceOutcome, AttendanceResult
from app.facilitation.photos import PhotoResult, max_photo_bytes

Attendance = AttendanceResult
# {name} is the person's name.
ATTENDANCE_MESSAGES = {
    Attendance.PRESENT: _l("{name}: present"),
    Attendance.ABSENT: _l("{name}: not present"),
    Attendance.WALK_UP: _l("{name}: present (not on this table's list)"),
    Attendance.NOT_ON_ROSTER: _l("Not on this table's list: scan their badge to add them."),
    Attendance.NOT_CHECKED_IN: _l("{name} has not checked in at the desk: send them there first."),
    Attendance.WAITLISTED: _l("{name} is on the waiting list, with no place today: send them to the desk."),
    Attendance.CANCELLED: _l("{name} cancelled their registration: send them to the desk."),
    Attendance.UNKNOWN_ATTENDEE: _l("Unknown registration"),
    Attendance.UNKNOWN_CODE: _l("No badge of this event has this code: check it, or tick the name."),
    Attendance.NOT_A_BADGE: _l("Not a badge"),
    Attendance.FORGED: _l("Invalid badge"),
    Attendance.REVOKED: _l("Old badge, replaced by a newer one"),
    Attendance.OTHER_EVENT: _l("Badge for another event"),
}

PHOTO_REFUSALS = {
    PhotoResult.EMPTY: _l("The file is empty."),
    PhotoResult.TOO_LARGE: _l("The photo is too large: at most %(mb)d MB."),
    PhotoResult.TOO_MANY_PIXELS: _l("The picture has too many pixels."),
    PhotoResult.NOT_AN_IMAGE: _l("This file is not a photo (JPEG, PNG, WebP, GIF…)."),
}


SEATED_ELSEWHERE = _l("{name}: present here, but seated at {table} in this round: tell them where to go.")


def attendance_message(outcome: AttendanceOutcome) -> str:
    name = outcome.attendee.full_name if outcome.attendee is not None else ""
    if outcome.seated_at:
        return str(SEATED_ELSEWHERE).replace("{name}", name).replace("{table}", outcome.seated_at)
    return str(ATTENDANCE_MESSAGES[outcome.result]).replace("{name}", name)


def photo_refusal(result: PhotoResult) -> str:
    return str(PHOTO_REFUSALS[result]) % {"mb": max_photo_bytes() // 2**20}
