"""Groups registered by one contact: places by the event's policy, the waiting list moving
a group together, each member's own messages, the contact's page."""

import pytest
from conftest import csrf_from
from helpers import part_ids, register_someone, registration_data
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attendee, DayPartKind, OutboxMessage
from app.registration.cancellation import cancel_registration
from app.registration.groups import Contact, GroupError, add_members, cancel_member, register_group
from app.registration.tokens import group_token, manage_token

BASE = "/brescia-citta-del-noi"


def contact():
    return Contact(name="Anna Rossi", email="anna@auser.example.org", language="it")


def use_policy(event, policy, max_size=10):
    event.group_registration = {"policy": policy, "max_size": max_size}
    db.session.commit()


def statuses(group):
    db.session.expire_all()
    return [member.status for member in group.members]


def messages_to(address):
    return db.session.scalars(
        select(OutboxMessage).filter_by(recipient=address).order_by(OutboxMessage.id)
    ).all()


def test_all_or_nothing_group_that_does_not_fit_waits_whole_and_is_promoted_together(event):
    use_policy(event, "all_or_nothing")
    event.capacity = 3
    db.session.commit()
    first = register_someone(event)
    group = register_group(event, contact(), [registration_data(event) for _ in range(3)])
    assert statuses(group) == ["waitlisted"] * 3, "two places free, three people: all wait"
    assert [m.kind for m in messages_to(group.members[0].email)] == ["waitlisted"]

    cancel_registration(first)
    assert statuses(group) == ["confirmed"] * 3, "three places free: promoted together"
    assert all("promoted" in [m.kind for m in messages_to(member.email)] for member in group.members)


def test_a_waiting_group_that_does_not_fit_does_not_block_a_single_behind_it(event):
    use_policy(event, "all_or_nothing")
    event.capacity = 2
    db.session.commit()
    taking = [register_someone(event), register_someone(event)]
    group = register_group(event, contact(), [registration_data(event) for _ in range(2)])
    single = register_someone(event)
    assert statuses(group) == ["waitlisted"] * 2 and single.status == "waitlisted"

    cancel_registration(taking[0])  # one place: too few for the group, enough for the single
    db.session.refresh(single)
    assert statuses(group) == ["waitlisted"] * 2
    assert single.status == "confirmed"
    cancel_registration(taking[1])
    cancel_registration(single)  # two places now: the group, first in line, takes them
    assert statuses(group) == ["confirmed"] * 2


def test_as_many_as_fit_seats_members_in_the_form_order_while_places_last(event):
    use_policy(event, "as_many_as_fit")
    event.capacity = 2
    db.session.commit()
    group = register_group(event, contact(), [registration_data(event) for _ in range(3)])
    assert statuses(group) == ["confirmed", "confirmed", "waitlisted"]


def test_all_or_nothing_applies_to_a_day_part_too(event):
    use_policy(event, "all_or_nothing")
    lunch = event.day_part(DayPartKind.LUNCH)
    lunch.capacity = 1
    db.session.commit()
    group = register_group(event, contact(), [registration_data(event) for _ in range(2)])
    db.session.expire_all()
    assert statuses(group) == ["confirmed", "confirmed"], "the day has room"
    assert [m.part(lunch.id).status for m in group.members] == ["waitlisted", "waitlisted"]


def test_a_member_without_an_address_has_their_badge_sent_to_the_contact(event):
    use_policy(event, "all_or_nothing")
    group = register_group(
        event, contact(), [registration_data(event), registration_data(event, email=None, first_name="Piero")]
    )
    to_contact = messages_to("anna@auser.example.org")
    assert [m.kind for m in to_contact] == ["confirmation", "group_registered"]
    badge = to_contact[0]
    assert badge.attendee_id == group.members[1].id and "badge_pdf" in badge.attachments
    assert "Piero" in badge.subject and "Piero" in badge.body_text
    assert group_token(group) in to_contact[1].body_text
    assert [m.kind for m in messages_to(group.members[0].email)] == ["confirmation"]


def test_an_address_already_registered_refuses_the_group_and_writes_nothing(event):
    use_policy(event, "all_or_nothing")
    someone = register_someone(event)
    with pytest.raises(GroupError) as refused:
        register_group(
            event, contact(), [registration_data(event), registration_data(event, email=someone.email)]
        )
    assert refused.value.emails == [someone.email]
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == 1


def test_a_group_larger_than_the_event_allows_is_refused(event):
    use_policy(event, "as_many_as_fit", max_size=2)
    with pytest.raises(GroupError) as refused:
        register_group(event, contact(), [registration_data(event) for _ in range(3)])
    assert refused.value.reason is GroupError.Reason.TOO_MANY


def test_groups_off_refuses_and_hides_the_form(event, client):
    event.group_registration = None
    db.session.commit()
    with pytest.raises(GroupError):
        register_group(event, contact(), [registration_data(event)])
    assert client.get(f"{BASE}/register/group").status_code == 404


def test_added_members_and_a_cancelled_one(event):
    use_policy(event, "all_or_nothing")
    group = register_group(event, contact(), [registration_data(event)])
    add_members(group, [registration_data(event)])
    cancel_member(group, group.members[0])
    assert statuses(group) == ["cancelled", "confirmed"]


def test_registration_closed_stops_the_contact_but_not_staff(event):
    from datetime import datetime

    use_policy(event, "all_or_nothing")
    group = register_group(event, contact(), [registration_data(event), registration_data(event)])
    event.registration_closes_at = datetime(2000, 1, 1)
    db.session.commit()
    with pytest.raises(GroupError) as refused:
        cancel_member(group, group.members[0])
    assert refused.value.reason is GroupError.Reason.CLOSED
    cancel_member(group, group.members[0], staff_user="organiser@example.org")
    assert statuses(group)[0] == "cancelled"


def test_one_groups_page_cannot_cancel_another_groups_member(event, client):
    use_policy(event, "all_or_nothing")
    ours = register_group(event, contact(), [registration_data(event)])
    theirs = register_group(event, contact(), [registration_data(event)])
    page = client.get(f"{BASE}/g/{group_token(ours)}").get_data(as_text=True)
    answer = client.post(
        f"{BASE}/g/{group_token(ours)}/members/{theirs.members[0].id}/cancel",
        data={"csrf_token": csrf_from(page)},
    )
    assert answer.status_code == 404
    assert statuses(theirs) == ["confirmed"]


def test_a_forged_or_revoked_group_link_is_not_found(event, client):
    use_policy(event, "all_or_nothing")
    group = register_group(event, contact(), [registration_data(event)])
    token = group_token(group)
    assert client.get(f"{BASE}/g/{token}").status_code == 200
    assert client.get(f"{BASE}/g/{token}x").status_code == 404
    assert client.get(f"{BASE}/g/{manage_token(group.members[0])}").status_code == 404, (
        "a person's link is no group's"
    )
    group.manage_token_version += 1
    db.session.commit()
    assert client.get(f"{BASE}/g/{token}").status_code == 404


def group_form(event, page, rows, **extra):
    fields = {
        "csrf_token": csrf_from(page),
        "contact_name": "Anna Rossi",
        "contact_email": "Anna@Auser.example.org",
        "organisation": "auser brescia",
        "language": "it",
        "consent_privacy": "y",
    }
    for n, row in enumerate(rows):
        fields.update({f"members-{n}-{key}": value for key, value in row.items()})
    fields.update(extra)
    return fields


def member_row(event, n, **overrides):
    row = {
        "first_name": "Lucia",
        "last_name": f"Verdi {n}",
        "email": f"lucia.{n}@example.org",
        "participant_type": "network_member",
        "day_parts": [str(i) for i in part_ids(event)],
        "choice_1": str(event.tables[0].id),
    }
    row.update(overrides)
    return {k: v for k, v in row.items() if v is not None}


def test_the_form_registers_the_rows_and_skips_blank_ones(event, client):
    use_policy(event, "all_or_nothing")
    page = client.get(f"{BASE}/register/group").get_data(as_text=True)
    rows = [member_row(event, 1), member_row(event, 2, email=""), {"first_name": "", "last_name": ""}]
    answer = client.post(f"{BASE}/register/group", data=group_form(event, page, rows))
    assert answer.status_code == 302 and "/g/" in answer.location
    names = db.session.scalars(select(Attendee.last_name).order_by(Attendee.id)).all()
    assert names == ["Verdi 1", "Verdi 2"]
    group_page = client.get(answer.location).get_data(as_text=True)
    assert "Verdi 1" in group_page and "Verdi 2" in group_page


def test_bad_rows_keep_everything_typed_with_a_message_on_the_row(event, client, italian):
    use_policy(event, "all_or_nothing")
    page = client.get(f"{BASE}/register/group").get_data(as_text=True)
    rows = [member_row(event, 1), member_row(event, 2, last_name="", email="not-an-address")]
    answer = client.post(f"{BASE}/register/group", data=group_form(event, page, rows))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert italian("Enter their last name.") in html
    assert 'value="not-an-address"' in html and 'value="Verdi 1"' in html
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == 0


def test_add_a_row_keeps_what_was_typed(event, client):
    use_policy(event, "all_or_nothing")
    page = client.get(f"{BASE}/register/group").get_data(as_text=True)
    rows = [member_row(event, n) for n in range(3)]
    answer = client.post(f"{BASE}/register/group", data=group_form(event, page, rows, add_row="1"))
    html = answer.get_data(as_text=True)
    assert 'id="members-3-first_name"' in html and 'value="Verdi 2"' in html
    assert db.session.scalar(select(func.count()).select_from(Attendee)) == 0


def test_the_attendee_list_shows_each_group_and_filters_by_it(event, make_staff, italian):
    from app.models import Role

    use_policy(event, "all_or_nothing")
    group = register_group(event, contact(), [registration_data(event, last_name="Gruppo")])
    register_someone(event, last_name="Solo")
    staff = make_staff(Role.ADMIN)[1]
    listed = staff.get(f"{BASE}/admin/").get_data(as_text=True)
    assert italian("Group of %(name)s", name="Anna Rossi") in listed
    filtered = staff.get(f"{BASE}/admin/?group={group.id}").get_data(as_text=True)
    assert "Gruppo" in filtered and "Solo" not in filtered
