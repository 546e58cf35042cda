"""The database itself refuses a value outside an enum, on the schema the migrations built:
a typo in an audit action, a check-in method or a mail kind fails loudly at the insert
instead of writing a row that no page, filter or report will ever find."""

import pytest
from helpers import register_someone
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.checkin.services import check_in_attendee
from app.extensions import db
from app.models import (
    AuditAction,
    AuditEntry,
    CheckIn,
    CheckInMethod,
    MailKind,
    MessageStatus,
    OutboxMessage,
)
from app.registration.cancellation import cancel_registration

COLUMNS = [
    (AuditEntry, "action", AuditAction),
    (CheckIn, "method", CheckInMethod),
    (OutboxMessage, "kind", MailKind),
    (OutboxMessage, "status", MessageStatus),
]


@pytest.fixture
def one_row_each(event):
    """An attendee checked in (a check-in), another who cancelled (an audit entry, mail)."""
    present, leaving = register_someone(event), register_someone(event)
    check_in_attendee(event, present.id, None, "enum-test")
    cancel_registration(leaving, cancelled_by="organiser@example.org")
    db.session.commit()


@pytest.mark.parametrize(("model", "column", "values"), COLUMNS, ids=lambda c: getattr(c, "__name__", c))
def test_the_database_takes_every_value_of_the_enum_and_refuses_any_other(
    one_row_each, model, column, values
):
    table = model.__tablename__
    row_id = db.session.scalar(select(model.id).limit(1))
    update = text(f"UPDATE {table} SET {column} = :value WHERE id = :id")
    for value in values:
        db.session.execute(update, {"value": value.value, "id": row_id})
    db.session.commit()

    with pytest.raises(IntegrityError):
        db.session.execute(update, {"value": f"{list(values)[0].value}_typo", "id": row_id})
        db.session.flush()
    db.session.rollback()
    assert (
        db.session.scalar(text(f"SELECT {column} FROM {table} WHERE id = :id"), {"id": row_id})
        == list(values)[-1]
    )


def test_a_misspelt_audit_action_written_through_the_models_is_refused(app):
    """The ORM path too: nothing in Python checks the string, the CHECK does."""
    db.session.add(AuditEntry(actor="admin@example.org", action="registration_canceled", details={}))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_the_rows_the_app_writes_carry_the_enum_values(one_row_each):
    assert db.session.scalars(select(CheckIn.method)).all() == [CheckInMethod.SEARCH]
    assert AuditAction.REGISTRATION_CANCELLED in db.session.scalars(select(AuditEntry.action)).all()
    kinds = set(db.session.scalars(select(OutboxMessage.kind)))
    assert {MailKind.CONFIRMATION, MailKind.CANCELLED} <= kinds
