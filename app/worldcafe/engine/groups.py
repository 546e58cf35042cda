"""Registration groups: keep each at one theme ("together") or spread its members
("spread"), then fix their columns for the rest of the theme stage.

Why not in the flow: "all members in one column" is an unsplittable flow (a bin packing)
and "as few members per column as possible" mixes two partitions (groups and
organisations) that one min-cost flow cannot weigh together. So the members' columns come
from a small integer programme (SCIP through OR-tools, single-threaded and so
deterministic: same input, same result) over the network the preference levels left:

- weight 0: within the preference levels' optimal face (restrict() left only optimal arcs
  and column fills), most groups wholly at one theme, or fewest pairs of a group's
  members at one theme. Capacities, pins, accessibility, the keep map, choices: unchanged.
- weight w > 0: within the face of seat, revisit, keep and outside levels, fewest rank
  steps plus w per group split (or per pair of members sharing a theme), then (a second
  solve, the first one's optimum held) most first choices; the trade mixing_weight makes.

Members of a group are one-person base groups (problem.py), so their columns are fixed by
narrowing their rows of the network; everyone else is then optimised as without groups.
The solver starts from the assignment that ignores groups (a hint, optimal for every level
above), so when its time runs out it returns at least that, reported as not proven.
CP-SAT was tried first: on 3,000 attendees it had not proven its answer in 60 s, where
SCIP proves the optimum in about a second (bench/assignment.py).
"""

import time

import numpy as np
from ortools.linear_solver import pywraplp

from app.worldcafe.engine.flow import Network
from app.worldcafe.engine.problem import Problem

_WEIGHT_UNITS = 100  # group_weight is honoured to 1/100 of a rank step, as mixing_weight
# For all solves of a run together; beyond it the best assignment found is used, reported
# as such: the run is one web request.
_TIME_LIMIT_MS = 10_000


class _Programme:
    """The integer programme: people of base group g at column j, over the allowed arcs."""

    def __init__(self, net: Network):
        self.solver = pywraplp.Solver.CreateSolver("SCIP")
        self.deadline = time.monotonic() + _TIME_LIMIT_MS / 1000
        self.params = pywraplp.MPSolverParameters()
        self.params.SetDoubleParam(pywraplp.MPSolverParameters.RELATIVE_MIP_GAP, 0.0)
        self.net = net
        self.x = _assignment_variables(self.solver, net)
        self.proven = True

    def hint(self, flows: np.ndarray) -> None:
        """Start from `flows` (people per base group and column), a feasible assignment."""
        pairs = list(self.x.items())
        self.solver.SetHint([var for _, var in pairs], [float(flows[g, j]) for (g, j), _ in pairs])

    def minimise(self, objective) -> float | None:
        """The optimum found, or None when the time ran out before any assignment was found."""
        self.solver.Minimize(objective)
        self.solver.SetTimeLimit(max(1, round(1000 * (self.deadline - time.monotonic()))))
        status = self.solver.Solve(self.params)
        self.proven &= status == pywraplp.Solver.OPTIMAL
        if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
            return None
        return self.solver.Objective().Value()

    def column_of(self, row: int) -> int:
        allowed = np.nonzero(self.net.allowed[row])[0].tolist()
        return max(allowed, key=lambda j: self.x[row, j].solution_value())


def place_groups(
    problem: Problem,
    net: Network,
    mode: str,
    weight: float,
    preference_levels: list[np.ndarray],
    start: np.ndarray,
) -> tuple[dict[int, int], bool]:
    """Column of each group member's base row, and whether it is proven optimal. `net` is
    the face to choose in: after the preference levels (weight 0) or before them; `start`
    (people per base group and column) an optimal assignment ignoring groups, inside it."""
    programme = _Programme(net)
    solver, x = programme.solver, programme.x
    programme.hint(start)
    term = _together_term if mode == "together" else _spread_term
    group_term = term(solver, problem, net, x)
    if weight > 0:
        not_first, not_first_or_second = preference_levels
        steps = _cost(x, not_first + not_first_or_second)
        primary = _WEIGHT_UNITS * steps + max(1, round(weight * _WEIGHT_UNITS)) * group_term
        best = programme.minimise(primary)
        if best is not None:
            solver.Add(primary <= best + 0.5)  # integer coefficients: held exactly
            best = programme.minimise(_cost(x, not_first))
    else:
        best = programme.minimise(group_term)
    members = [row for group in problem.groups.values() for _, row in group]
    if best is None:  # nothing found in the time allowed: the groups stay as if ignored
        return {row: int(np.argmax(start[row])) for row in members}, False
    return {row: programme.column_of(row) for row in members}, programme.proven


def _cost(x: dict, cost: np.ndarray):
    return pywraplp.SumArray([int(cost[g, j]) * var for (g, j), var in x.items() if cost[g, j]])


def fix_rows(net: Network, columns: dict[int, int]) -> None:
    """Narrow `net` so that base row r may only use column columns[r]."""
    for row, column in columns.items():
        net.allowed[row, :] = False
        net.allowed[row, column] = True


def _assignment_variables(solver: pywraplp.Solver, net: Network) -> dict:
    """People of base group g at column j, over the allowed arcs; sizes and fills held."""
    x, of_row, at = {}, {}, {}
    for g, j in zip(*np.nonzero(net.allowed), strict=True):
        var = x[int(g), int(j)] = solver.IntVar(0, int(net.sizes[g]), "")
        of_row.setdefault(int(g), []).append(var)
        at.setdefault(int(j), []).append(var)
    for g, vars_ in of_row.items():
        solver.Add(pywraplp.SumArray(vars_) == int(net.sizes[g]))
    for j, vars_ in at.items():
        if net.exact[j] >= 0:
            solver.Add(pywraplp.SumArray(vars_) == int(net.exact[j]))
        else:
            solver.Add(pywraplp.SumArray(vars_) <= int(net.upper[j]))
    return x


def _real_columns(net: Network) -> range:
    return range(net.allowed.shape[1] - 1)  # the last column, "no seat", is no table to share


def _together_term(solver: pywraplp.Solver, problem: Problem, net: Network, x: dict):
    """Groups not wholly at one theme (to minimise)."""
    kept = []
    for members in problem.groups.values():
        for j in _real_columns(net):
            if all((row, j) in x for _, row in members):
                whole = solver.BoolVar("")
                for _, row in members:
                    solver.Add(x[row, j] >= whole)
                kept.append(whole)
    return len(problem.groups) - pywraplp.SumArray(kept)


def _spread_term(solver: pywraplp.Solver, problem: Problem, net: Network, x: dict):
    """Pairs of one group's members at the same theme (to minimise): n members at a theme
    make n(n-1)/2 pairs, held from below by its chords, which meet it at whole numbers."""
    pairs = []
    for members in problem.groups.values():
        for j in _real_columns(net):
            there = [x[row, j] for _, row in members if (row, j) in x]
            if len(there) < 2:
                continue
            shared = solver.NumVar(0, len(there) * (len(there) - 1) // 2, "")
            together = pywraplp.SumArray(there)
            for k in range(1, len(there)):
                solver.Add(shared >= k * together - k * (k + 1) // 2)
            pairs.append(shared)
    return pywraplp.SumArray(pairs)
