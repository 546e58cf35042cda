"""The assignment's reasons in the reader's language, from the engine's codes and numbers."""

from flask_babel import gettext as _

from app.models import localized

ORDINALS = {1: "first", 2: "second", 3: "third"}


def reason_json(reason) -> dict:
    """The engine's Reason, stored with the seat so the sentence can be written in any language."""
    return {
        "code": reason.code.value,
        "theme": reason.theme,
        "rank": reason.rank,
        "better": [
            {
                "theme": b.theme,
                "rank": b.rank,
                "why": b.why.value,
                "first_choices": b.first_choices,
                "seats": b.seats,
            }
            for b in reason.better[:1]  # the first choice missed says why in one sentence
        ],
    }


def _ordinal(rank: int) -> str:
    return {1: _("first"), 2: _("second"), 3: _("third")}[rank]


def reason_sentence(reason: dict | None, tables_by_id: dict) -> str:
    """One sentence: where the person sits and why."""
    if not reason:
        return ""
    code, place = reason["code"], _table_name(tables_by_id, reason.get("theme"))
    whole = _whole_sentence(code, place)
    if whole is not None:
        return whole
    main = (
        _("You got your %(ordinal)s choice, %(table)s", ordinal=_ordinal(reason["rank"]), table=place)
        if code == "lower_choice"
        else _("You were placed at %(table)s, which had free seats", table=place)
    )
    if not reason.get("better"):
        return main + "."
    return f"{main}: {_why_missed(reason['better'][0], tables_by_id)}."


def _table_name(tables_by_id: dict, table_id) -> str:
    table = tables_by_id.get(table_id)
    return localized(table.name) if table else "?"


def _whole_sentence(code: str, place: str) -> str | None:
    """The sentence for a code that needs no cause; None for lower and outside choices."""
    if code == "pinned":
        return _("The organisers placed you at %(table)s.", table=place)
    if code == "kept":
        return _("You keep your place at %(table)s, as published.", table=place)
    if code == "no_choices":
        return _("You gave no choices, so you were placed at %(table)s, which had free seats.", table=place)
    if code == "first_choice":
        return _("You got your first choice, %(table)s.", table=place)
    if code == "no_seat":
        return _("There is no free seat left at the world café tables: you are on its waiting list.")
    return None


def _why_missed(missed: dict, tables_by_id: dict) -> str:
    """Why the best choice missed was not given (full, not accessible, given up for mixing or a group)."""
    choice = _(
        "your %(ordinal)s choice, %(table)s,",
        ordinal=_ordinal(missed["rank"]),
        table=_table_name(tables_by_id, missed["theme"]),
    )
    if missed["why"] == "not_accessible":
        return _("%(choice)s is not accessible", choice=choice)
    if missed["why"] == "for_mixing":
        return _("%(choice)s had a seat, given up to mix organisations across tables", choice=choice)
    if missed["why"] == "for_group_together":
        return _("%(choice)s had a seat, given up to keep your group at one table", choice=choice)
    if missed["why"] == "for_group_spread":
        return _("%(choice)s had a seat, given up to seat your group at different tables", choice=choice)
    if missed["first_choices"] > missed["seats"]:
        return _(
            "%(choice)s had %(wanted)d first choices for %(seats)d seats",
            choice=choice,
            wanted=missed["first_choices"],
            seats=missed["seats"],
        )
    return _("%(choice)s was full", choice=choice)
