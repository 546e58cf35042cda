"""Seat people at small tables over rounds: greedy per round, then tabu search.

Cost of a seating: 100 for every extra meeting (a pair at one small table in k rounds
adds k - 1) plus 1 for every pair of colleagues at one small table in one round. Each
theme-and-round group is seated greedily (hardest people first, each at the cheapest table
with room) and improved at once by a tabu search over swaps, given the other rounds. Then
a few sweeps re-optimise each group given all the others, so an early round can still
change to make a later one work. Searches keep the best seating they saw.
"""

import math
import random

REPEAT_COST = 100
COLLEAGUE_COST = 1
_SWEEPS = 2  # re-optimisation passes over all groups after the first seating
_STEPS_PER_PERSON = 20  # tabu-search budget per group; it stops early at the floor
_MAX_STEPS = 2000
_SAMPLED_PEOPLE = 8  # people in conflict examined per step
_SAMPLED_TABLES = 24  # tables examined per person in very large themes

Key = tuple[int, int]  # (round, theme id)


class Plan:
    """Every theme-and-round group's small tables, and who has met whom so far."""

    def __init__(self, organisation: dict[int, str | None], rng: random.Random):
        self.organisation = organisation
        self.rng = rng
        self.tables: dict[Key, list[list[int]]] = {}
        self.meets: dict[int, dict[int, int]] = {pid: {} for pid in organisation}
        self.floor: dict[Key, int] = {}  # colleague pairs no seating of the group can avoid

    def total(self) -> tuple[int, int]:
        """(extra meetings, colleague pairs at one table in one round)."""
        repeats = sum(max(0, k - 1) for meets in self.meets.values() for k in meets.values()) // 2
        colleagues = 0
        for tables in self.tables.values():
            for table in tables:
                counts = _org_counts(table, self.organisation)
                colleagues += sum(math.comb(n, 2) for org, n in counts.items() if org is not None)
        return repeats, colleagues

    def seat_group(self, key: Key, group: list[int], count: int) -> None:
        """Seat one theme in one round at `count` tables, sizes differing by at most one."""
        org_count = _org_counts(group, self.organisation)
        self.floor[key] = COLLEAGUE_COST * sum(
            _even_split_pairs(n, count) for org, n in org_count.items() if org is not None
        )
        base, extra = divmod(len(group), count)
        sizes = [base + (index < extra) for index in range(count)]
        tables = self._seat_greedily(self._hardest_first(group, org_count), sizes)
        self.tables[key] = tables
        self._record(tables, +1)
        self.search(key)

    def _hardest_first(self, group: list[int], org_count: dict[str | None, int]) -> list[int]:
        """People who already met most of the group first, then those of the largest
        organisations: they have the fewest good tables left."""
        in_group = set(group)

        def difficulty(pid: int) -> tuple[int, int]:
            known = sum(1 for other in self.meets[pid] if other in in_group)
            org = self.organisation[pid]
            return (-known, -(org_count[org] if org is not None else 0))

        return sorted(group, key=difficulty)

    def _seat_greedily(self, order: list[int], sizes: list[int]) -> list[list[int]]:
        """Each person in turn at the cheapest table with room, table i holding sizes[i]."""
        tables: list[list[int]] = [[] for _ in sizes]
        open_tables = list(range(len(sizes)))
        table_orgs: list[dict[str | None, int]] = [{} for _ in sizes]
        at: dict[int, int] = {}
        pointer = 0
        for pid in order:
            org = self.organisation[pid]
            known: dict[int, int] = {}  # table -> people there whom pid already met
            for other in self.meets[pid]:
                if other in at:
                    known[at[other]] = known.get(at[other], 0) + 1
            index = _cheapest_open_table(open_tables, pointer, known, table_orgs, org)
            table = open_tables[index]
            tables[table].append(pid)
            at[pid] = table
            table_orgs[table][org] = table_orgs[table].get(org, 0) + 1
            if len(tables[table]) >= sizes[table]:
                open_tables.pop(index)
                pointer = index
            else:
                pointer = index + 1
            pointer = pointer % len(open_tables) if open_tables else 0
        return tables

    def polish(self) -> None:
        """Re-optimise every group given all the others, a few times over."""
        for _ in range(_SWEEPS):
            for key in sorted(self.tables):
                self.search(key)

    def search(self, key: Key) -> None:
        """Tabu search over swaps within one group, the other rounds fixed."""
        tables = self.tables[key]
        if len(tables) < 2:
            return
        self._record(tables, -1)  # this group's own meetings are being re-decided
        best_at = _GroupSearch(tables, self.meets, self.organisation, self.rng).run(self.floor[key])
        for table in tables:
            table.clear()
        for pid, index in best_at.items():
            tables[index].append(pid)
        self._record(tables, +1)

    def _record(self, tables: list[list[int]], change: int) -> None:
        for table in tables:
            for i, a in enumerate(table):
                for b in table[i + 1 :]:
                    count = self.meets[a].get(b, 0) + change
                    if count:
                        self.meets[a][b] = self.meets[b][a] = count
                    else:
                        del self.meets[a][b], self.meets[b][a]


def _cheapest_open_table(
    open_tables: list[int], pointer: int, known: dict[int, int], table_orgs: list[dict], org: str | None
) -> int:
    """Index into `open_tables` of the cheapest table for someone who already met `known`
    people at each table. Scans from a rotating start and stops at the first costing nothing."""
    best_index, best_cost = 0, math.inf
    for step in range(len(open_tables)):
        index = (pointer + step) % len(open_tables)
        table = open_tables[index]
        cost = REPEAT_COST * known.get(table, 0)
        if org is not None:
            cost += COLLEAGUE_COST * table_orgs[table].get(org, 0)
        if cost < best_cost:
            best_index, best_cost = index, cost
            if cost == 0:
                break
    return best_index


class _GroupSearch:
    """Tabu search over swaps within one group, whose tables it changes in place: where
    each person sits, what that costs them, and which moves are tabu."""

    def __init__(self, tables: list[list[int]], meets: dict, organisation: dict, rng: random.Random):
        self.tables, self.meets, self.org, self.rng = tables, meets, organisation, rng
        self.at = {pid: index for index, table in enumerate(tables) for pid in table}
        self.repeat = _repeat_costs(self.at, meets)
        self.org_at = [_org_counts(table, organisation) for table in tables]
        self.conflict, self.delta = _cost_functions(self.at, self.repeat, self.org_at, organisation, meets)
        self.tabu: dict[tuple[int, int], int] = {}  # (person, table they left) -> step it expires

    def run(self, floor: int) -> dict[int, int]:
        """Swap until the cost is down to `floor` or the budget is spent; returns the best
        seating seen, person -> table."""
        at = self.at
        cost = sum(self.conflict(pid) for pid in at) // 2
        best, best_at = cost, dict(at)
        for step in range(min(_MAX_STEPS, _STEPS_PER_PERSON * len(at))):
            if cost <= floor:
                break
            conflicted = self._sample_conflicted()
            move = self._best_swap(conflicted, step, cost, best)
            if move is None:
                break
            i, j, change = move
            tenure = self.rng.randrange(4) + len(conflicted) // 2
            self.tabu[(i, at[i])] = self.tabu[(j, at[j])] = step + 1 + tenure
            self._swap(i, j)
            cost += change
            if cost < best:
                best, best_at = cost, dict(at)
        return best_at

    def _sample_conflicted(self) -> list[int]:
        conflict = self.conflict
        conflicted = [pid for pid in self.at if conflict(pid) > 0]
        if len(conflicted) > _SAMPLED_PEOPLE:
            conflicted = self.rng.sample(conflicted, _SAMPLED_PEOPLE)
        return conflicted

    def _best_swap(
        self, conflicted: list[int], step: int, cost: int, best: int
    ) -> tuple[int, int, int] | None:
        """(i, j, cost change) of the cheapest swap of a conflicted person i with someone j at
        another table; a tabu swap only if it beats the best seating seen."""
        at, tables, tabu, delta = self.at, self.tables, self.tabu, self.delta
        move = None
        for i in conflicted:
            targets = [t for t in range(len(tables)) if t != at[i]]
            if len(targets) > _SAMPLED_TABLES:
                targets = self.rng.sample(targets, _SAMPLED_TABLES)
            for b in targets:
                for j in tables[b]:
                    change = delta(i, j)
                    allowed = tabu.get((i, b), -1) < step and tabu.get((j, at[i]), -1) < step
                    if (allowed or cost + change < best) and (move is None or change < move[2]):
                        move = (i, j, change)
        return move

    def _swap(self, i: int, j: int) -> None:
        """Swap i and j, keeping the repeat and organisation counts current."""
        at, tables, org, repeat, org_at = self.at, self.tables, self.org, self.repeat, self.org_at
        a, b = at[i], at[j]
        for pid, old, new in ((i, a, b), (j, b, a)):
            for other in self.meets[pid]:
                if other in at:
                    repeat[other][old] -= REPEAT_COST
                    repeat[other][new] = repeat[other].get(new, 0) + REPEAT_COST
            if org[pid] is not None:
                org_at[old][org[pid]] -= 1
                org_at[new][org[pid]] = org_at[new].get(org[pid], 0) + 1
            tables[old][tables[old].index(pid)] = None
            tables[new].append(pid)
            at[pid] = new
        for index in (a, b):
            tables[index] = [pid for pid in tables[index] if pid is not None]


def _repeat_costs(at: dict[int, int], meets: dict[int, dict[int, int]]) -> dict[int, dict[int, int]]:
    """repeat[p][t]: cost of p at table t from the people p met in other rounds."""
    repeat: dict[int, dict[int, int]] = {pid: {} for pid in at}
    for pid in at:
        for other in meets[pid]:
            if other in at:
                repeat[pid][at[other]] = repeat[pid].get(at[other], 0) + REPEAT_COST
    return repeat


def _cost_functions(at: dict, repeat: dict, org_at: list[dict], org: dict, meets: dict):
    """conflict(p): what p pays where they sit; delta(i, j): the cost change of swapping i
    and j. Closures over the search's state, which _swap keeps current: they run in its
    innermost loops, where attribute lookups would show."""

    def colleagues_at(pid: int, table: int, leaving: bool) -> int:
        if org[pid] is None:
            return 0
        return COLLEAGUE_COST * (org_at[table].get(org[pid], 0) - leaving)

    def conflict(pid: int) -> int:
        return repeat[pid].get(at[pid], 0) + colleagues_at(pid, at[pid], True)

    def delta(i: int, j: int) -> int:
        a, b = at[i], at[j]
        met = REPEAT_COST if j in meets[i] else 0
        change = repeat[i].get(b, 0) - repeat[i].get(a, 0) + repeat[j].get(a, 0) - repeat[j].get(b, 0)
        change -= 2 * met
        if org[i] != org[j]:
            change += colleagues_at(i, b, False) - colleagues_at(i, a, True)
            change += colleagues_at(j, a, False) - colleagues_at(j, b, True)
        return change

    return conflict, delta


def _org_counts(people: list[int], organisation: dict[int, str | None]) -> dict[str | None, int]:
    counts: dict[str | None, int] = {}
    for pid in people:
        counts[organisation[pid]] = counts.get(organisation[pid], 0) + 1
    return counts


def _even_split_pairs(size: int, tables: int) -> int:
    per_table, extra = divmod(size, tables)
    return extra * math.comb(per_table + 1, 2) + (tables - extra) * math.comb(per_table, 2)
