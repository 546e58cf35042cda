"""Registration groups: keep each at one theme ("together") or spread its members
("spread"), then fix their columns for the rest of the theme stage.

Why not in the flow: "all members in one column" is an unsplittable flow (a bin packing)
and "as few members per column as possible" mixes two partitions (groups and
organisations) that one min-cost flow cannot weigh together. So the members' columns come
from a small integer programme (OR-tools CP-SAT, one worker, fixed seed: same input, same
result) over the network the preference levels left:

- weight 0: within the preference levels' optimal face (restrict() left only optimal arcs
  and column fills), most groups wholly at one theme, or fewest pairs of a group's
  members at one theme. Capacities, pins, accessibility, the keep map, choices: unchanged.
- weight w > 0: within the face of seat, revisit, keep and outside levels, fewest rank
  steps plus w per group split (or per pair of members sharing a theme), ties going to
  more first choices; the same trade as mixing_weight makes for organisations.

Members of a group are one-person base groups (problem.py), so their columns are fixed by
narrowing their rows of the network; everyone else is then optimised as without groups.
"""

import numpy as np
from ortools.sat.python import cp_model

from app.worldcafe.engine.flow import Network
from app.worldcafe.engine.problem import Problem

_WEIGHT_UNITS = 100  # group_weight is honoured to 1/100 of a rank step, as mixing_weight
_TIME_LIMIT_S = 60.0  # beyond it, the best assignment found is used and reported as such


def place_groups(
    problem: Problem, net: Network, mode: str, weight: float, preference_levels: list[np.ndarray]
) -> tuple[dict[int, int], bool]:
    """Column of each group member's base row, and whether it is proven optimal. `net` is
    the face to choose in: after the preference levels (weight 0) or before them."""
    model = cp_model.CpModel()
    x = _assignment_variables(model, net)
    group_term = _together_term(model, problem, net, x) if mode == "together" else None
    if mode == "spread":
        group_term = _spread_term(model, problem, net, x)
    if weight > 0:
        scale = problem.free_people + 1  # first choices break ties: all of them outweigh less than one unit
        not_first, not_first_or_second = preference_levels
        rank = (not_first + not_first_or_second) * (scale * _WEIGHT_UNITS) + not_first
        rank_term = sum(int(rank[g, j]) * var for (g, j), var in x.items() if rank[g, j])
        model.minimize(rank_term + scale * max(1, round(weight * _WEIGHT_UNITS)) * group_term)
    else:
        model.minimize(group_term)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # one worker is deterministic
    solver.parameters.random_seed = 0
    solver.parameters.max_time_in_seconds = _TIME_LIMIT_S
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"group placement failed: {solver.status_name(status)}")
    columns = {}
    for members in problem.groups.values():
        for _person, row in members:
            allowed = np.nonzero(net.allowed[row])[0].tolist()
            columns[row] = next(j for j in allowed if solver.value(x[row, j]))
    return columns, status == cp_model.OPTIMAL


def fix_rows(net: Network, columns: dict[int, int]) -> None:
    """Narrow `net` so that base row r may only use column columns[r]."""
    for row, column in columns.items():
        net.allowed[row, :] = False
        net.allowed[row, column] = True


def _assignment_variables(model: cp_model.CpModel, net: Network) -> dict[tuple[int, int], cp_model.IntVar]:
    """People of base group g at column j, over the allowed arcs; sizes and fills held."""
    x, of_row, at = {}, {}, {}
    for g, j in zip(*np.nonzero(net.allowed), strict=True):
        var = x[int(g), int(j)] = model.new_int_var(0, int(net.sizes[g]), f"x{g}_{j}")
        of_row.setdefault(int(g), []).append(var)
        at.setdefault(int(j), []).append(var)
    for g, vars_ in of_row.items():
        model.add(sum(vars_) == int(net.sizes[g]))
    for j, vars_ in at.items():
        if net.exact[j] >= 0:
            model.add(sum(vars_) == int(net.exact[j]))
        else:
            model.add(sum(vars_) <= int(net.upper[j]))
    return x


def _real_columns(net: Network) -> range:
    return range(net.allowed.shape[1] - 1)  # the last column, "no seat", is no table to share


def _together_term(model, problem: Problem, net: Network, x) -> cp_model.LinearExpr:
    """Groups not wholly at one theme (to minimise)."""
    kept = []
    for index, members in enumerate(problem.groups.values()):
        for j in _real_columns(net):
            if all((row, j) in x for _, row in members):
                whole = model.new_bool_var(f"whole{index}_{j}")
                for _, row in members:
                    model.add(x[row, j] == 1).only_enforce_if(whole)
                kept.append(whole)
    return len(problem.groups) - cp_model.LinearExpr.sum(kept)


def _spread_term(model, problem: Problem, net: Network, x) -> cp_model.LinearExpr:
    """Pairs of one group's members at the same theme (to minimise): n members at a theme
    make n(n-1)/2 pairs, held from below by its chords, which meet it at whole numbers."""
    pairs = []
    for index, members in enumerate(problem.groups.values()):
        for j in _real_columns(net):
            there = [x[row, j] for _, row in members if (row, j) in x]
            if len(there) < 2:
                continue
            shared = model.new_int_var(0, len(there) * (len(there) - 1) // 2, f"pairs{index}_{j}")
            for k in range(1, len(there)):
                model.add(shared >= k * sum(there) - k * (k + 1) // 2)
            pairs.append(shared)
    return cp_model.LinearExpr.sum(pairs)
