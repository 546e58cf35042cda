"""Small tables and rounds: who sits at which small table of their theme in each round.

Goal, in order: nobody sits with the same person twice across rounds, then colleagues
from one organisation sit apart, as far as possible (tables.py does the seating). Each
theme's people use as many of its small tables as keep at least four at a table, with
sizes differing by at most one. Deterministic for the same input and seed.

With rotation "stay" (the default) people keep their theme and change small table each
round. With "visit", each round after the first re-runs the theme stage with "a theme
already visited" as the first thing to avoid after seating everyone, then the remaining
choices in rank order; pinned people (speakers, staff) stay at their theme.
"""

import math
import random
from dataclasses import replace

from app.worldcafe.engine.model import Person, SeatingResult, Settings, Theme, ThemeResult
from app.worldcafe.engine.problem import seeded_order
from app.worldcafe.engine.tables import Plan
from app.worldcafe.engine.themes import solve

MIN_TABLE = 4


def seat_rounds(
    themes: list[Theme], people: list[Person], theme_result: ThemeResult, settings: Settings | None = None
) -> SeatingResult:
    """Seat everyone who has a theme at a small table in each of `settings.rounds` rounds.
    Themes without small tables seat everyone at index 0 (not counted in the pairs)."""
    settings = settings or Settings()
    by_id = {theme.id: theme for theme in themes}
    order = seeded_order([p for p in people if theme_result.table_of.get(p.id) is not None], settings.seed)
    plan = Plan({person.id: person.organisation for person in order}, random.Random(settings.seed))
    seat_of: dict[tuple[int, int], tuple[int, int]] = {}
    for round_number, theme_of in enumerate(
        _themes_per_round(themes, order, theme_result, settings), start=1
    ):
        members: dict[int, list[int]] = {theme_id: [] for theme_id in sorted(by_id)}
        for person in order:
            if theme_of.get(person.id) is not None:
                members[theme_of[person.id]].append(person.id)
        for theme_id, group in members.items():
            theme = by_id[theme_id]
            if theme.small_tables <= 0:
                seat_of.update({(pid, round_number): (theme_id, 0) for pid in group})
            elif group:
                plan.seat_group((round_number, theme_id), group, _table_count(theme, len(group)))
    plan.polish()
    for (round_number, theme_id), tables in plan.tables.items():
        for index, table in enumerate(tables):
            seat_of.update({(pid, round_number): (theme_id, index) for pid in table})
    repeats, colleagues = plan.total()
    return SeatingResult(
        seat_of=seat_of, repeated_pairs=repeats, colleague_pairs=colleagues, rounds=settings.rounds
    )


def _themes_per_round(
    themes: list[Theme], order: list[Person], theme_result: ThemeResult, settings: Settings
) -> list[dict[int, int]]:
    first = {person.id: theme_result.table_of[person.id] for person in order}
    if settings.rotation != "visit":
        return [first] * settings.rounds
    rounds = [first]
    visited = {pid: {theme} for pid, theme in first.items()}
    for round_number in range(2, settings.rounds + 1):
        remaining = [
            replace(person, choices=tuple(t for t in person.choices if t not in visited[person.id]))
            for person in order
        ]
        seen = {pid: frozenset(themes_seen) for pid, themes_seen in visited.items()}
        round_settings = replace(settings, seed=settings.seed + round_number, keep=None, rounds=1)
        table_of = solve(themes, remaining, round_settings, visited=seen).table_of
        rounds.append(table_of)
        for pid, theme in table_of.items():
            visited[pid].add(theme)
    return rounds


def _table_count(theme: Theme, people: int) -> int:
    """As many tables as keep at least MIN_TABLE people each, within what the theme has."""
    needed = math.ceil(people / theme.seats_per_small_table)
    return max(1, min(theme.small_tables, max(needed, people // MIN_TABLE)))
