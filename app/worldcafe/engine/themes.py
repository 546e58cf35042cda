"""Theme stage: who goes to which of the parallel tables.

Objective, lexicographic (each level is optimised exactly, then frozen for the next):

0. seat everyone who has any seat they may take (pins and accessibility are hard rules);
1. honour as many entries of the keep map as possible (stability after publication);
2. fewest people outside their choices;
3. most first choices;
4. most first-or-second choices (so: most second choices);
5. fewest pairs of colleagues (same organisation) at the same theme.

With `mixing_weight` w > 0, levels 3-5 become one: fewest rank steps (first -> second
choice is one step, second -> third another) plus w (to 1/100) per pair of colleagues at
one theme, ties going to more first choices; levels 0-2 stay above it. The trade-off
against the pure-preference result is reported in `ThemeResult.mixing`.

Organisation spread uses (organisation, theme) hub nodes with convex costs (the k-th
colleague at a theme costs k - 1, so the total is the number of colleague pairs) in one
final exact solve, rather than a heuristic second pass.

Ties are broken by a seeded shuffle of the people (sorted by id first), so the result
depends only on the input and the seed, never on registration order.
"""

import numpy as np

from app.worldcafe.engine import flow
from app.worldcafe.engine.model import (
    BestPossible,
    MixingTradeOff,
    Person,
    RankCounts,
    Settings,
    Theme,
    ThemeResult,
)
from app.worldcafe.engine.problem import Problem, build_problem

_WEIGHT_UNITS = 100  # mixing_weight is honoured to 1/100 of a rank step


def assign_themes(themes: list[Theme], people: list[Person], settings: Settings | None = None) -> ThemeResult:
    """Assign every person to a theme (or to None when no seat is left for them) by the
    lexicographic objective above; raises AssignmentError on inconsistent input."""
    return solve(themes, people, settings or Settings())


def solve(
    themes: list[Theme],
    people: list[Person],
    settings: Settings,
    visited: dict[int, frozenset[int]] | None = None,
) -> ThemeResult:
    """The theme stage; `visited` (visit rotation) makes revisiting a theme the first thing
    to avoid after seating everyone."""
    problem = build_problem(themes, people, settings, visited or {})
    net = problem.network()
    levels = problem.levels()
    head = 4  # seat, revisit, keep, outside: the same in every mode
    head_values = flow.run_levels(net, levels[:head])
    preference_net = net.copy()
    tail_values = flow.run_levels(preference_net, levels[head:])
    best = _best_possible(problem, head_values[0], head_values[-1], tail_values)
    neutral = problem.spread(preference_net, rank_cost=None, pair_cost=1)
    if settings.mixing_weight > 0:
        # First choices only break ties: one unit of the weighted part outweighs them all.
        scale = problem.free_people + 1
        not_first, not_first_or_second = levels[head:]
        weighted = (not_first + not_first_or_second) * (scale * _WEIGHT_UNITS) + not_first
        pair_cost = scale * max(1, round(settings.mixing_weight * _WEIGHT_UNITS))
        chosen = problem.spread(net, rank_cost=weighted, pair_cost=pair_cost)
    else:
        chosen = neutral
    result = _result(problem, chosen, best, settings)
    if settings.mixing_weight > 0:
        reference = _result(problem, neutral, best, settings)
        result.mixing = MixingTradeOff(
            first_choices_given_up=reference.counts.first - result.counts.first,
            first_or_second_given_up=(reference.counts.first + reference.counts.second)
            - (result.counts.first + result.counts.second),
            colleague_pairs_avoided=reference.colleague_pairs - result.colleague_pairs,
        )
    return result


def _best_possible(problem: Problem, unseated: int, outside: int, tail_values: list[int]) -> BestPossible:
    not_first, not_first_or_second = tail_values
    return BestPossible(
        unseated=unseated,
        outside=outside,
        first_choices=problem.free_people - not_first,
        first_or_second=problem.free_people - not_first_or_second,
    )


def _result(problem: Problem, flows: np.ndarray, best: BestPossible, settings: Settings) -> ThemeResult:
    table_of: dict[int, int | None] = {}
    rank_of: dict[int, int | None] = {}
    tally = {1: 0, 2: 0, 3: 0, "outside": 0, "unseated": 0, "no_choices": 0}
    fill = {theme.id: 0 for theme in problem.themes}
    members: dict[tuple[str, int], int] = {}
    for block, table, rank in problem.placements(flows):
        ids = [person.id for person in block]
        table_of.update(dict.fromkeys(ids, table))
        rank_of.update(dict.fromkeys(ids, rank))
        head = block[0]
        if table is not None:
            fill[table] += len(block)
            if head.organisation is not None:
                key = (head.organisation, table)
                members[key] = members.get(key, 0) + len(block)
        if head.pinned_theme is not None:
            continue
        if table is None:
            tally["unseated"] += len(block)
        elif not head.choices:
            tally["no_choices"] += len(block)
        else:
            tally[rank or "outside"] += len(block)
    organisations_at = {theme.id: 0 for theme in problem.themes}
    for _, table in members:
        organisations_at[table] += 1
    keep = problem.keep
    return ThemeResult(
        table_of=table_of,
        rank_of=rank_of,
        counts=RankCounts(
            first=tally[1],
            second=tally[2],
            third=tally[3],
            outside=tally["outside"],
            unseated=tally["unseated"],
            no_choices=tally["no_choices"],
            pinned=len(problem.pinned),
        ),
        best_possible=best,
        seats={theme.id: theme.seats for theme in problem.themes},
        fill=fill,
        demand=problem.demand(),
        colleague_pairs=sum(n * (n - 1) // 2 for n in members.values()),
        organisations_at=organisations_at,
        pinned=frozenset(problem.pinned),
        kept=frozenset(pid for pid, table in keep.items() if table_of[pid] == table),
        keep_broken=tuple(sorted(pid for pid, table in keep.items() if table_of[pid] != table)),
        mixing_weight=settings.mixing_weight,
    )
