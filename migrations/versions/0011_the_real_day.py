"""the real day: walk-ins without e-mail, the badge's short code, the event's short name,
cancellations taken back, capacity overridden, check-ins by typed code

Revision ID: 0011
Revises: 0010
Create Date: 2027-01-25 10:00:00

"""

import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# As in app/models/attendee.py when this revision was made.
CODE_LETTERS, CODE_DIGITS = "ACEFHKLMRX", "346789"

AUDIT_ACTIONS_BEFORE = (
    "registration_cancelled",
    "badge_reissued",
    "check_in_undone",
    "desk_created",
    "desk_revoked",
    "photo_deleted",
    "staff_invited",
    "staff_password_reset",
    "staff_password_chosen",
    "staff_role_changed",
    "staff_reactivated",
    "staff_deactivated",
)
AUDIT_ACTIONS = AUDIT_ACTIONS_BEFORE + ("registration_reinstated", "capacity_overridden")
CHECK_IN_METHODS_BEFORE = ("scan", "search", "walk_in")
CHECK_IN_METHODS = CHECK_IN_METHODS_BEFORE + ("code",)
ACTIVE_CHECK_IN = sa.text("undone_at IS NULL")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _codes_for_existing_attendees():
    connection = op.get_bind()
    taken: dict[int, set[str]] = {}
    rows = connection.execute(sa.text("SELECT id, event_id FROM attendees ORDER BY id")).all()
    for attendee_id, event_id in rows:
        used = taken.setdefault(event_id, set())
        while (code := _code()) in used:
            pass
        used.add(code)
        connection.execute(
            sa.text("UPDATE attendees SET badge_code = :code WHERE id = :id"),
            {"code": code, "id": attendee_id},
        )


def _code() -> str:
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(3)) + "".join(
        secrets.choice(CODE_DIGITS) for _ in range(3)
    )


def _rewrite_checks(actions: tuple[str, ...], methods: tuple[str, ...]) -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_audit_entries_action"), type_="check")
        batch_op.create_check_constraint("action", _in("action", actions))
    with op.batch_alter_table("check_ins", schema=None) as batch_op:
        batch_op.drop_index("uq_check_ins_active_attendee")
        batch_op.drop_constraint(op.f("ck_check_ins_method"), type_="check")
        batch_op.create_check_constraint("method", _in("method", methods))
        batch_op.create_index(
            "uq_check_ins_active_attendee",
            ["attendee_id"],
            unique=True,
            sqlite_where=ACTIVE_CHECK_IN,
            postgresql_where=ACTIVE_CHECK_IN,
        )


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("short_name", sa.JSON(), nullable=True))
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("badge_code", sa.String(length=6), nullable=True))
    _codes_for_existing_attendees()
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=True)
        batch_op.alter_column("badge_code", existing_type=sa.String(length=6), nullable=False)
        batch_op.create_unique_constraint(
            op.f("uq_attendees_event_id_badge_code"), ["event_id", "badge_code"]
        )
    _rewrite_checks(AUDIT_ACTIONS, CHECK_IN_METHODS)


def downgrade():
    # Rows that only the newer code could write cannot stay under the older rules.
    op.execute(sa.text("DELETE FROM check_ins WHERE method = 'code'"))
    op.execute(
        sa.text(
            "DELETE FROM audit_entries WHERE action IN ('registration_reinstated', 'capacity_overridden')"
        )
    )
    op.execute(sa.text("DELETE FROM attendees WHERE email IS NULL"))
    _rewrite_checks(AUDIT_ACTIONS_BEFORE, CHECK_IN_METHODS_BEFORE)
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_attendees_event_id_badge_code"), type_="unique")
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=False)
        batch_op.drop_column("badge_code")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("short_name")
