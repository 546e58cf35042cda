"""What goes on an attendee's badge today: their details and, once published, their table."""

from app.checkin.badges import BadgeData, badge_data_for
from app.models import Attendee, localized
from app.worldcafe.services import published_seats


def table_name(attendee: Attendee) -> str | None:
    seats = published_seats(attendee)
    table = seats[0].cafe_table if seats and seats[0].cafe_table_id else None
    return localized(table.name, attendee.language) if table else None


def badge_for(attendee: Attendee) -> BadgeData:
    return badge_data_for(attendee, attendee.language, table_name=table_name(attendee))
