"""Who facilitates which table (the admin assigns them), and so who may work at a table."""

from sqlalchemy import bindparam, select

from app.extensions import db
from app.models import CafeTable, Event, EventMembership, Role, TableFacilitator, User


def may_facilitate(user, table: CafeTable) -> bool:
    """Admins work at every table; a facilitator only at the tables assigned to them."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.FACILITATOR:
        return False
    return (
        db.session.scalar(select(TableFacilitator.id).filter_by(cafe_table_id=table.id, user_id=user.id))
        is not None
    )


def table_to_facilitate(user, table_id: int) -> tuple[CafeTable | None, bool]:
    """The table with this id (None when there is none) and whether the user may work at it,
    as may_facilitate() says, in one statement: every facilitator's request asks it."""
    if user.role != Role.FACILITATOR:
        return db.session.get(CafeTable, table_id), user.role == Role.ADMIN
    row = db.session.execute(_TABLE_AND_ASSIGNMENT, {"table_id": table_id, "user_id": user.id}).first()
    return (row[0], row[1]) if row else (None, False)


# Built once: building the statement would cost more than running it.
_TABLE_AND_ASSIGNMENT = select(
    CafeTable,
    select(TableFacilitator.id)
    .where(TableFacilitator.cafe_table_id == CafeTable.id, TableFacilitator.user_id == bindparam("user_id"))
    .exists(),
).where(CafeTable.id == bindparam("table_id"))


def tables_for(user, event: Event) -> list[CafeTable]:
    """The tables the user may open: all of them for an admin, their own for a facilitator."""
    if user.role == Role.ADMIN:
        return list(event.tables)
    query = (
        select(CafeTable)
        .join(TableFacilitator, TableFacilitator.cafe_table_id == CafeTable.id)
        .where(TableFacilitator.user_id == user.id, CafeTable.event_id == event.id)
        .order_by(CafeTable.position)
    )
    return db.session.scalars(query).all()


def facilitators_by_table(event: Event) -> dict[int, list[User]]:
    query = (
        select(TableFacilitator)
        .join(CafeTable, CafeTable.id == TableFacilitator.cafe_table_id)
        .join(User, User.id == TableFacilitator.user_id)
        .where(CafeTable.event_id == event.id)
        .order_by(User.name)
    )
    found: dict[int, list[User]] = {table.id: [] for table in event.tables}
    for link in db.session.scalars(query):
        found.setdefault(link.cafe_table_id, []).append(link.user)
    return found


def facilitator_candidates(event: Event) -> list[User]:
    """The active facilitators given the event."""
    query = (
        select(User)
        .join(EventMembership, EventMembership.user_id == User.id)
        .filter(EventMembership.event_id == event.id, User.role == Role.FACILITATOR, User.active.is_(True))
    )
    return db.session.scalars(query.order_by(User.name)).all()


def assign_facilitator(table: CafeTable, user: User) -> bool:
    """Put a facilitator in charge of a table; False if they already were (or not a facilitator)."""
    if user.role != Role.FACILITATOR or may_facilitate(user, table):
        return False
    db.session.add(TableFacilitator(cafe_table_id=table.id, user_id=user.id))
    db.session.commit()
    return True


def remove_facilitator(table: CafeTable, user: User) -> bool:
    link = db.session.scalars(
        select(TableFacilitator).filter_by(cafe_table_id=table.id, user_id=user.id)
    ).first()
    if link is None:
        return False
    db.session.delete(link)
    db.session.commit()
    return True
