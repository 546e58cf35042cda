"""Figures and reasons: what the organisers see and the one sentence each attendee gets.

`reason_for` returns codes and numbers (translate those); `explain` and `Summary.lines`
render them in English, naming themes through an optional id -> name mapping.
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from app.worldcafe.engine.model import Person, Theme, ThemeResult

_ORDINAL = {1: "first", 2: "second", 3: "third"}


class ReasonCode(enum.Enum):
    PINNED = "pinned"  # placed by the organisers
    KEPT = "kept"  # keeps the published place
    FIRST_CHOICE = "first_choice"
    LOWER_CHOICE = "lower_choice"  # second or third choice
    OUTSIDE_CHOICES = "outside_choices"
    NO_CHOICES = "no_choices"
    NO_SEAT = "no_seat"


class PassedOver(enum.Enum):
    """Why a better choice was not given."""

    FULL = "full"
    NOT_ACCESSIBLE = "not_accessible"
    FOR_MIXING = "for_mixing"  # it had a seat, traded for organisation spread (mixing_weight)
    FOR_GROUP_TOGETHER = "for_group_together"  # traded to keep their group together (group_weight)
    FOR_GROUP_SPREAD = "for_group_spread"  # traded to spread their group's members (group_weight)


@dataclass(frozen=True)
class BetterChoice:
    theme: int
    rank: int
    why: PassedOver
    first_choices: int  # people who chose this theme first
    seats: int


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    theme: int | None  # where the person sits
    rank: int | None
    better: tuple[BetterChoice, ...] = ()  # choices ranked above what they got


def reason_for(person: Person, result: ThemeResult, themes: list[Theme]) -> Reason:
    """Why `person` sits where `result` put them, as codes and numbers."""
    table, rank = result.table_of.get(person.id), result.rank_of.get(person.id)
    accessible = {theme.id: theme.accessible for theme in themes}
    better = tuple(
        BetterChoice(
            theme=theme_id,
            rank=position + 1,
            why=_passed_over(person, theme_id, result, accessible),
            first_choices=result.demand[theme_id][0],
            seats=result.seats[theme_id],
        )
        for position, theme_id in enumerate(person.choices[: (rank - 1) if rank else None])
    )
    if person.id in result.pinned:
        code = ReasonCode.PINNED
    elif table is None:
        code = ReasonCode.NO_SEAT
    elif person.id in result.kept:
        code = ReasonCode.KEPT
    elif not person.choices:
        code = ReasonCode.NO_CHOICES
    elif rank == 1:
        code = ReasonCode.FIRST_CHOICE
    elif rank:
        code = ReasonCode.LOWER_CHOICE
    else:
        code = ReasonCode.OUTSIDE_CHOICES
    return Reason(code, table, rank, better)


def _passed_over(person: Person, theme_id: int, result: ThemeResult, accessible: dict) -> PassedOver:
    if person.needs_accessible and not accessible[theme_id]:
        return PassedOver.NOT_ACCESSIBLE
    if result.fill[theme_id] >= result.seats[theme_id]:
        return PassedOver.FULL
    # A free seat left unused: only a weighed trade-off does that (levels 2-4 are exact), and
    # only a member of a group is moved for it (moving anyone else back would cost nothing).
    groups = result.groups
    if groups is not None and groups.weight > 0 and person.group is not None:
        return PassedOver.FOR_GROUP_TOGETHER if groups.mode == "together" else PassedOver.FOR_GROUP_SPREAD
    return PassedOver.FOR_MIXING


def explain(
    person: Person, theme_result: ThemeResult, themes: list[Theme], names: Mapping[int, str] | None = None
) -> str:
    """One English sentence saying where `person` sits and why."""
    reason = reason_for(person, theme_result, themes)
    name = _namer(names)
    place = name(reason.theme) if reason.theme is not None else ""
    if reason.code is ReasonCode.PINNED:
        return f"The organisers placed you at {place}."
    if reason.code is ReasonCode.KEPT:
        return f"You keep your place at {place}, as published."
    if reason.code is ReasonCode.NO_CHOICES:
        return f"You gave no choices, so you were placed at {place}, which had free seats."
    if reason.code is ReasonCode.FIRST_CHOICE:
        return f"You got your first choice, {place}."
    causes = "; ".join(_cause(choice, name) for choice in reason.better)
    if reason.code is ReasonCode.LOWER_CHOICE:
        return f"{causes}; you got your {_ORDINAL[reason.rank]} choice, {place}."
    if reason.code is ReasonCode.OUTSIDE_CHOICES:
        return f"{causes}; you were placed at {place}, which had free seats."
    where = "an accessible table" if person.needs_accessible else "any table"
    return _capitalised(f"{causes + '; ' if causes else ''}there is no free seat left at {where}.")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cause(choice: BetterChoice, name) -> str:
    label = f"Your {_ORDINAL[choice.rank]} choice, {name(choice.theme)},"
    if choice.rank > 1:
        label = label[0].lower() + label[1:]
    if choice.why is PassedOver.NOT_ACCESSIBLE:
        return f"{label} is not accessible"
    if choice.why is PassedOver.FOR_MIXING:
        return f"{label} had a seat, given up to mix organisations across tables"
    if choice.why is PassedOver.FOR_GROUP_TOGETHER:
        return f"{label} had a seat, given up to keep your group at one table"
    if choice.why is PassedOver.FOR_GROUP_SPREAD:
        return f"{label} had a seat, given up to seat your group at different tables"
    seats = f"{choice.seats} seat{'s' if choice.seats != 1 else ''}"
    if choice.first_choices > choice.seats:
        return f"{label} had {choice.first_choices} first choices for {seats}"
    return f"{label} was full ({seats})"


def _namer(names: Mapping[int, str] | None):
    return lambda theme_id: (names or {}).get(theme_id, f"table {theme_id}")


@dataclass
class Summary:
    """The organisers' figures for one theme assignment."""

    result: ThemeResult
    themes: list[Theme]
    unlucky: list[tuple[Person, Reason]]  # outside their choices or without a seat
    names: Mapping[int, str] | None = None

    def lines(self) -> list[str]:
        result, name = self.result, _namer(self.names)
        counts, best = result.counts, result.best_possible
        placed = max(counts.total, 1)

        def pct(value: int) -> str:
            return f"{100 * value / placed:.1f}%"

        lines = [
            f"First choices: {counts.first} of {best.first_choices} possible ({pct(counts.first)}).",
            f"Second choices: {counts.second} ({pct(counts.second)}); first or second: "
            f"{counts.first + counts.second} of {best.first_or_second} possible.",
            f"Third choices: {counts.third} ({pct(counts.third)}).",
            f"Outside their choices: {counts.outside} ({pct(counts.outside)}); "
            f"fewest possible {best.outside}.",
            f"Without a seat: {counts.unseated}; fewest possible {best.unseated}.",
            f"Gave no choices: {counts.no_choices}. Placed by the organisers: {counts.pinned}.",
            "Fill: " + ", ".join(f"{name(t)} {result.fill[t]}/{result.seats[t]}" for t in result.fill) + ".",
            f"Organisation spread: {result.colleague_pairs} pairs of colleagues share a table; organisations "
            "per table: " + ", ".join(f"{name(t)} {n}" for t, n in result.organisations_at.items()) + ".",
        ]
        if result.mixing is not None:
            lines.append(
                f"Mixing (weight {result.mixing_weight:g}) kept {result.mixing.colleague_pairs_avoided} more "
                f"pairs of colleagues apart and cost {result.mixing.first_choices_given_up} first choices."
            )
        if result.groups is not None:
            lines.append(_groups_line(result.groups))
        if result.kept or result.keep_broken:
            lines.append(
                f"Published places kept: {len(result.kept)}; moved: {len(result.keep_broken)}"
                + (f" ({', '.join(map(str, result.keep_broken))})." if result.keep_broken else ".")
            )
        for person, _reason in self.unlucky:
            lines.append(f"Person {person.id}: {explain(person, result, self.themes, self.names)}")
        return lines


def _groups_line(groups) -> str:
    cost = (
        f"cost {groups.first_choices_given_up} first choices "
        f"({groups.first_or_second_given_up} first or second)"
    )
    if groups.mode == "together":
        figures = (
            f"{groups.together} of {groups.groups} groups kept at one table, {groups.split} split "
            f"(ignoring groups: {groups.together_ignoring} kept)"
        )
    else:
        figures = (
            f"{groups.spread} of {groups.groups} groups with every member at a different table; "
            f"{groups.member_pairs} pairs of members share a table "
            f"(ignoring groups: {groups.member_pairs_ignoring})"
        )
    unproven = "" if groups.proven_optimal else " Best found in the time allowed, not proven optimal."
    return f"Groups {groups.mode} (weight {groups.weight:g}): {figures}; {cost}.{unproven}"


def summarise(
    themes: list[Theme], people: list[Person], result: ThemeResult, names: Mapping[int, str] | None = None
) -> Summary:
    """Figures plus everyone who got none of their choices, with the reason."""
    unlucky = []
    for person in sorted(people, key=lambda p: p.id):
        reason = reason_for(person, result, themes)
        if reason.code in (ReasonCode.OUTSIDE_CHOICES, ReasonCode.NO_SEAT):
            unlucky.append((person, reason))
    return Summary(result, themes, unlucky, names)
