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

Registration groups (Settings.groups "together" or "spread") are placed by groups.py
between the preference levels and the spread level: within the preferences' optimal face
(group_weight 0) or weighed against rank steps (group_weight > 0); their members' themes
are then fixed and the levels above run again for everyone else. `ThemeResult.groups`
reports the outcome against the same run ignoring groups.

Ties are broken by a seeded shuffle of the people (sorted by id first), so the result
depends only on the input and the seed, never on registration order.
"""

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from app.worldcafe.engine import flow
from app.worldcafe.engine.groups import fix_rows, place_groups
from app.worldcafe.engine.model import (
    BestPossible,
    GroupOutcome,
    MixingTradeOff,
    Person,
    RankCounts,
    Settings,
    Theme,
    ThemeResult,
)
from app.worldcafe.engine.problem import Problem, build_problem

_WEIGHT_UNITS = 100  # mixing_weight is honoured to 1/100 of a rank step
_HEAD = 4  # seat, revisit, keep, outside: the levels above preferences, the same in every mode


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
    head_values = flow.run_levels(net, levels[:_HEAD])
    preference_net = net.copy()
    tail_values = flow.run_levels(preference_net, levels[_HEAD:])
    best = _best_possible(problem, head_values[0], head_values[-1], tail_values)
    neutral = problem.spread(preference_net, rank_cost=None, pair_cost=1)
    ignoring_groups = _spread_stage(problem, net, neutral, levels, best, settings)
    if settings.groups == "ignore":
        return ignoring_groups
    if not problem.groups:
        ignoring_groups.groups = _group_outcome(problem, ignoring_groups, ignoring_groups, settings, True)
        return ignoring_groups
    # The groups' placement starts from the neutral flows: optimal for every level above it.
    start = np.zeros((len(problem.base_sizes), problem.columns), dtype=np.int64)
    np.add.at(start, np.array(problem.sub_base), neutral)
    face = preference_net if settings.group_weight == 0 else net
    columns, optimal = place_groups(
        problem, face, settings.groups, settings.group_weight, levels[_HEAD:], start
    )
    fixed = net.copy()
    fix_rows(fixed, columns)
    fixed_preference = fixed.copy()
    flow.run_levels(fixed_preference, _preferences_after_groups(problem, levels[_HEAD:], settings))
    neutral = problem.spread(fixed_preference, rank_cost=None, pair_cost=1)
    result = _spread_stage(problem, fixed, neutral, levels, best, settings)
    result.groups = _group_outcome(problem, result, ignoring_groups, settings, optimal)
    return result


def _preferences_after_groups(problem: Problem, preference_levels: list, settings: Settings) -> list:
    """The preference levels for everyone else once the groups are placed: as without
    groups, or (group_weight > 0) rank steps then first choices, as the groups were weighed."""
    if settings.group_weight == 0:
        return preference_levels
    not_first, not_first_or_second = preference_levels
    return [(not_first + not_first_or_second) * (problem.free_people + 1) + not_first]


def _spread_stage(
    problem: Problem, net, neutral: np.ndarray, levels, best, settings: Settings
) -> ThemeResult:
    """The result: `neutral` (spread flows where it costs no preference), or organisations
    weighed against preferences within `net` when mixing_weight > 0."""
    if settings.mixing_weight > 0:
        mixed = _mixed_spread(problem, net, levels[_HEAD:], settings.mixing_weight)
        result = _result(problem, mixed, best, settings)
        result.mixing = _trade_off(_result(problem, neutral, best, settings), result)
        return result
    return _result(problem, neutral, best, settings)


def _group_figures(problem: Problem, table_of: dict[int, int | None]) -> tuple[int, int, int]:
    """(groups wholly at one theme, groups with no two members at one theme, pairs of
    members sharing a theme)."""
    together = spread = pairs = 0
    for members in problem.groups.values():
        tables = [table_of[person.id] for person, _row in members]
        at = Counter(table for table in tables if table is not None)
        together += len(at) == 1 and None not in tables
        shared = sum(n * (n - 1) // 2 for n in at.values())
        spread += shared == 0
        pairs += shared
    return together, spread, pairs


def _group_outcome(
    problem: Problem, result: ThemeResult, ignoring: ThemeResult, settings: Settings, optimal: bool
) -> GroupOutcome:
    together, spread, pairs = _group_figures(problem, result.table_of)
    together_before, spread_before, pairs_before = _group_figures(problem, ignoring.table_of)
    first, before = result.counts, ignoring.counts
    return GroupOutcome(
        mode=settings.groups,
        weight=settings.group_weight,
        groups=len(problem.groups),
        together=together,
        split=len(problem.groups) - together,
        spread=spread,
        member_pairs=pairs,
        together_ignoring=together_before,
        spread_ignoring=spread_before,
        member_pairs_ignoring=pairs_before,
        first_choices_given_up=before.first - first.first,
        first_or_second_given_up=(before.first + before.second) - (first.first + first.second),
        proven_optimal=optimal,
    )


def _mixed_spread(problem: Problem, net: flow.Network, preference_levels: list, weight: float) -> np.ndarray:
    """The spread level with rank steps and colleague pairs weighed against each other."""
    # First choices only break ties: one unit of the weighted part outweighs them all.
    scale = problem.free_people + 1
    not_first, not_first_or_second = preference_levels
    weighted = (not_first + not_first_or_second) * (scale * _WEIGHT_UNITS) + not_first
    pair_cost = scale * max(1, round(weight * _WEIGHT_UNITS))
    return problem.spread(net, rank_cost=weighted, pair_cost=pair_cost)


def _trade_off(reference: ThemeResult, mixed: ThemeResult) -> MixingTradeOff:
    """What the mixed result gave up against the pure-preference `reference`."""
    first, mixed_first = reference.counts.first, mixed.counts.first
    return MixingTradeOff(
        first_choices_given_up=first - mixed_first,
        first_or_second_given_up=(first + reference.counts.second) - (mixed_first + mixed.counts.second),
        colleague_pairs_avoided=reference.colleague_pairs - mixed.colleague_pairs,
    )


def _best_possible(problem: Problem, unseated: int, outside: int, tail_values: list[int]) -> BestPossible:
    not_first, not_first_or_second = tail_values
    return BestPossible(
        unseated=unseated,
        outside=outside,
        first_choices=problem.free_people - not_first,
        first_or_second=problem.free_people - not_first_or_second,
    )


@dataclass
class _Tally:
    """Who sits where, block by block of placements, and the figures ThemeResult reports."""

    fill: dict[int, int]  # theme id -> people placed there
    table_of: dict[int, int | None] = field(default_factory=dict)
    rank_of: dict[int, int | None] = field(default_factory=dict)
    members: dict[tuple[str, int], int] = field(default_factory=dict)  # (organisation, theme) -> people
    outcomes: Counter = field(default_factory=Counter)  # 1, 2, 3, "outside", "unseated", "no_choices"

    def add(self, block: list[Person], table: int | None, rank: int | None) -> None:
        ids = [person.id for person in block]
        self.table_of.update(dict.fromkeys(ids, table))
        self.rank_of.update(dict.fromkeys(ids, rank))
        head = block[0]  # a block shares its costs, so its pin, choices and organisation
        if table is not None:
            self.fill[table] += len(block)
            if head.organisation is not None:
                key = (head.organisation, table)
                self.members[key] = self.members.get(key, 0) + len(block)
        if head.pinned_theme is not None:
            return  # placed by the organisers: counted apart
        if table is None:
            self.outcomes["unseated"] += len(block)
        elif not head.choices:
            self.outcomes["no_choices"] += len(block)
        else:
            self.outcomes[rank or "outside"] += len(block)

    def rank_counts(self, pinned: int) -> RankCounts:
        outcomes = self.outcomes
        return RankCounts(
            first=outcomes[1],
            second=outcomes[2],
            third=outcomes[3],
            outside=outcomes["outside"],
            unseated=outcomes["unseated"],
            no_choices=outcomes["no_choices"],
            pinned=pinned,
        )

    def organisations_at(self, themes: list[Theme]) -> dict[int, int]:
        """Theme id -> distinct organisations seated there."""
        organisations_at = {theme.id: 0 for theme in themes}
        for _, table in self.members:
            organisations_at[table] += 1
        return organisations_at


def _result(problem: Problem, flows: np.ndarray, best: BestPossible, settings: Settings) -> ThemeResult:
    tally = _Tally(fill={theme.id: 0 for theme in problem.themes})
    for block, table, rank in problem.placements(flows):
        tally.add(block, table, rank)
    table_of, keep = tally.table_of, problem.keep
    return ThemeResult(
        table_of=table_of,
        rank_of=tally.rank_of,
        counts=tally.rank_counts(pinned=len(problem.pinned)),
        best_possible=best,
        seats={theme.id: theme.seats for theme in problem.themes},
        fill=tally.fill,
        demand=problem.demand(),
        colleague_pairs=sum(n * (n - 1) // 2 for n in tally.members.values()),
        organisations_at=tally.organisations_at(problem.themes),
        pinned=frozenset(problem.pinned),
        kept=frozenset(pid for pid, table in keep.items() if table_of[pid] == table),
        keep_broken=tuple(sorted(pid for pid, table in keep.items() if table_of[pid] != table)),
        mixing_weight=settings.mixing_weight,
    )
