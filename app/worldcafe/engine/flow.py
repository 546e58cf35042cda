"""Exact lexicographic min-cost flow over groups of interchangeable people (OR-tools).

The network is: group g (supply = its size) -> column j (an allowed theme, or the last
column, "no seat") -> sink, where column j takes at most `upper[j]` people. Objectives are
solved one level at a time, each with small 0/1 costs. After a level, every arc and
column fill that no optimal solution of that level can use is fixed, read off the reduced
costs of an optimal dual (complementary slackness), so the next level optimises exactly
inside the previous level's optimal face. This is exact for any number of levels, with no
big-M weights that could overflow int64 on 30,000 people.

Why groups: people with the same allowed columns and the same costs are interchangeable,
so the preference levels run on a few hundred nodes whatever the head count; only the last
level, organisation spread, splits groups by organisation.
"""

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

_INF = np.iinfo(np.int64).max // 4


@dataclass
class Network:
    """The feasible set the next level may choose from."""

    sizes: np.ndarray  # (G,) people per group
    allowed: np.ndarray  # (G, C) bool: group may use column
    upper: np.ndarray  # (C,) most people per column
    exact: np.ndarray  # (C,) -1 = anything in 0..upper, else exactly this many

    def copy(self) -> "Network":
        return Network(self.sizes.copy(), self.allowed.copy(), self.upper.copy(), self.exact.copy())


def solve_level(net: Network, cost: np.ndarray) -> np.ndarray:
    """Min-cost assignment of every group within `net`; returns flow (G, C)."""
    groups, columns = net.allowed.shape
    gi, ci = np.nonzero(net.allowed)
    flow = _solve_nodes(net, net.sizes, gi, groups + ci, cost[gi, ci], extra=None)
    out = np.zeros((groups, columns), dtype=np.int64)
    out[gi, ci] = flow
    return out


def restrict(net: Network, cost: np.ndarray, flow: np.ndarray) -> None:
    """Shrink `net` to exactly the flows that are optimal for `cost` (given optimal `flow`)."""
    columns = net.allowed.shape[1]
    sink = columns
    edges = []
    # Moving one person of a group from column a to b: a group node collapsed away.
    for a in range(columns):
        rows = flow[:, a] > 0
        if not rows.any():
            continue
        delta = cost[rows] - cost[rows, a][:, None]
        delta = np.where(net.allowed[rows], delta, _INF).min(axis=0)
        edges += [(a, b, int(delta[b])) for b in range(columns) if b != a and delta[b] < _INF]
    load = flow.sum(axis=0)
    free = [j for j in range(columns) if net.exact[j] < 0]
    for j in free:
        if load[j] < net.upper[j]:
            edges.append((j, sink, 0))
        if load[j] > 0:
            edges.append((sink, j, 0))
    potential = _shortest_distances(columns + 1, edges)
    column_potential = np.array(potential[:columns], dtype=np.int64)
    group_potential = np.where(flow > 0, column_potential[None, :] - cost, _INF).min(axis=1)
    reduced = cost + group_potential[:, None] - column_potential[None, :]
    net.allowed &= reduced <= 0
    for j in free:
        slack = potential[j] - potential[sink]
        if slack < 0:
            net.exact[j] = net.upper[j]
        elif slack > 0:
            net.exact[j] = 0


def run_levels(net: Network, levels: list[np.ndarray]) -> list[int]:
    """Optimise `levels` lexicographically, narrowing `net` in place; returns each optimum."""
    values = []
    for cost in levels:
        constant = _constant_rows(net, cost)
        if constant is not None:
            # Every allowed choice costs the same: this level cannot tell solutions apart.
            values.append(int((constant * net.sizes).sum()))
            continue
        flow = solve_level(net, cost)
        values.append(int((flow * cost).sum()))
        restrict(net, cost, flow)
    return values


def solve_spread(
    net: Network,
    group_of: np.ndarray,
    org_of: np.ndarray,
    size_of: np.ndarray,
    rank_cost: np.ndarray,
    pair_cost: int,
) -> np.ndarray:
    """Split groups by organisation and charge `pair_cost` per pair of colleagues sharing a
    column (convex: the k-th colleague at a theme costs k * pair_cost), plus `rank_cost` of
    the base group per person. Sub-group h belongs to base group `group_of[h]` and
    organisation `org_of[h]` (-1: none or alone). Returns flow (H, C) per sub-group."""
    subgroups, columns = len(group_of), net.allowed.shape[1]
    first_hub = subgroups + columns + 1  # hub (organisation, theme) nodes follow the sink
    allowed = net.allowed[group_of]
    units = _hub_units(net, allowed, org_of, size_of)
    hub_org, hub_col = np.nonzero(units > 0)
    hi, ci, heads = _subgroup_arcs(allowed, org_of, hub_org, hub_col, units.shape, first_hub)
    extra = _hub_arcs(units[hub_org, hub_col], hub_col, first_hub, subgroups, pair_cost)
    flow = _solve_nodes(net, size_of, hi, heads, rank_cost[group_of[hi], ci], extra)
    out = np.zeros((subgroups, columns), dtype=np.int64)
    out[hi, ci] = flow
    return out


def _hub_units(net: Network, allowed: np.ndarray, org_of: np.ndarray, size_of: np.ndarray) -> np.ndarray:
    """Unit arcs needed per (organisation, theme) hub: no more than the colleagues who may
    go there, or the seats. The last column, "no seat", has no table to share."""
    real = net.allowed.shape[1] - 1
    colleagues = org_of >= 0
    orgs = int(org_of.max()) + 1 if colleagues.any() else 0
    reach = np.zeros((orgs, real), dtype=np.int64)
    np.add.at(reach, org_of[colleagues], allowed[colleagues, :real] * size_of[colleagues, None])
    bound = np.where(net.exact[:real] >= 0, net.exact[:real], net.upper[:real])
    return np.minimum(reach, bound[None, :])


def _subgroup_arcs(allowed, org_of, hub_org, hub_col, hubs_shape, first_hub):
    """Arcs from each sub-group to its allowed columns, colleagues reaching a theme
    through their organisation's hub there: (sub-group, column, head node) per arc."""
    subgroups, columns = allowed.shape
    hub_of = np.full(hubs_shape, -1, dtype=np.int64)
    hub_of[hub_org, hub_col] = np.arange(len(hub_org))
    hi, ci = np.nonzero(allowed)
    heads = subgroups + ci
    via_hub = (org_of >= 0)[hi] & (ci < columns - 1)
    hub = hub_of[org_of[hi[via_hub]], ci[via_hub]]
    heads[via_hub] = first_hub + hub
    usable = np.ones(len(hi), dtype=bool)
    usable[np.nonzero(via_hub)[0][hub < 0]] = False  # a full-blocked column: no seats there
    return hi[usable], ci[usable], heads[usable]


def _hub_arcs(units, hub_col, first_hub, subgroups, pair_cost):
    """`units[h]` unit arcs from hub h to its column, the k-th costing (k - 1) * pair_cost,
    as _solve_nodes' `extra`: (tails, heads, costs, hub count)."""
    offsets = np.arange(int(units.sum())) - np.repeat(np.cumsum(units) - units, units)
    return (
        first_hub + np.repeat(np.arange(len(units)), units),
        subgroups + np.repeat(hub_col, units),
        pair_cost * offsets,
        len(units),
    )


def _solve_nodes(net: Network, supplies, tails, heads, costs, extra) -> np.ndarray:
    """Solve with sources 0..S-1 (supplies), columns S..S+C-1, sink S+C, then any hub nodes
    from `extra` = (tails, heads, costs, hub count). Returns the flow on the source arcs."""
    total = int(np.sum(supplies))
    arcs = [
        _arcs(tails, heads, np.full(len(tails), total + 1), costs),
        _column_arcs(net, sources=len(supplies)),
    ]
    hubs = 0
    if extra is not None:
        hub_tails, hub_heads, hub_costs, hubs = extra
        arcs.append(_arcs(hub_tails, hub_heads, np.ones(len(hub_tails)), hub_costs))
    smcf = min_cost_flow.SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(*(np.concatenate(part) for part in zip(*arcs, strict=True)))
    supply = _node_supplies(net, supplies, total, hubs)
    smcf.set_nodes_supplies(np.arange(len(supply), dtype=np.int32), supply)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed: {status}")
    return smcf.flows(np.arange(len(tails), dtype=np.int32)).astype(np.int64)


def _arcs(tails, heads, capacities, costs) -> tuple[np.ndarray, ...]:
    """Arcs in the types OR-tools takes: (tails, heads, capacities, unit costs)."""
    return (
        np.asarray(tails, dtype=np.int32),
        np.asarray(heads, dtype=np.int32),
        np.asarray(capacities, dtype=np.int64),
        np.asarray(costs, dtype=np.int64),
    )


def _column_arcs(net: Network, sources: int) -> tuple[np.ndarray, ...]:
    """Column -> sink, up to the column's seats, for every column whose fill is not fixed."""
    free = np.nonzero(net.exact < 0)[0]
    sink = sources + len(net.upper)
    return _arcs(sources + free, np.full(len(free), sink), net.upper[free], np.zeros(len(free)))


def _node_supplies(net: Network, supplies, total: int, hubs: int) -> np.ndarray:
    """Sources supply their people; a column of fixed fill takes exactly that many, the
    sink the rest; hub nodes pass flow on."""
    sources = len(supplies)
    sink = sources + len(net.upper)
    fixed = np.nonzero(net.exact >= 0)[0]
    supply = np.zeros(sink + 1 + hubs, dtype=np.int64)
    supply[:sources] = supplies
    supply[sources + fixed] = -net.exact[fixed]
    supply[sink] = -(total - int(net.exact[fixed].sum()))
    return supply


def _constant_rows(net: Network, cost: np.ndarray) -> np.ndarray | None:
    low = np.where(net.allowed, cost, _INF).min(axis=1)
    high = np.where(net.allowed, cost, -_INF).max(axis=1)
    return low if np.array_equal(low, high) else None


def _shortest_distances(nodes: int, edges: list[tuple[int, int, int]]) -> list[int]:
    """Bellman-Ford from a virtual root joined to every node at cost 0."""
    distance = [0] * nodes
    for _ in range(nodes + 1):
        changed = False
        for a, b, length in edges:
            if distance[a] + length < distance[b]:
                distance[b] = distance[a] + length
                changed = True
        if not changed:
            return distance
    raise RuntimeError("negative cycle: the flow handed to restrict() was not optimal")
