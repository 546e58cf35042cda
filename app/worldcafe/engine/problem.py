"""Turn themes, people and settings into the flow network and its objective levels.

Columns are the themes sorted by id, plus a last column meaning "no seat". People who may
go to the same columns with the same costs form one group (a few hundred groups for
thousands of people); groups split by organisation only for the final spread level.
When registration groups count (Settings.groups), each member of one is a group of their
own, so that groups.py can decide their columns one by one and fix them in the network.
"""

from dataclasses import dataclass, field

import numpy as np

from app.worldcafe.engine.flow import Network, solve_spread
from app.worldcafe.engine.model import GROUP_MODES, AssignmentError, Person, Settings, Theme

MAX_CHOICES = 3


@dataclass
class Problem:
    themes: list[Theme]  # sorted by id: column j is themes[j]
    people: list[Person]  # in tie-break order
    keep: dict[int, int]  # person id -> theme id, for people present
    pinned: set[int]
    base_sizes: list[int] = field(default_factory=list)
    base_allowed: list[tuple[bool, ...]] = field(default_factory=list)
    base_choices: list[tuple[int, ...]] = field(default_factory=list)  # ranked columns
    base_keep: list[int] = field(default_factory=list)  # column or -1
    base_visited: list[frozenset[int]] = field(default_factory=list)
    base_pinned: list[bool] = field(default_factory=list)
    sub_base: list[int] = field(default_factory=list)
    sub_org: list[int] = field(default_factory=list)  # -1: no colleagues to keep apart
    sub_members: list[list[Person]] = field(default_factory=list)
    # Registration groups of two or more, when they count: key -> (member, base group) pairs.
    groups: dict = field(default_factory=dict)

    @property
    def columns(self) -> int:
        return len(self.themes) + 1

    @property
    def free_people(self) -> int:
        return len(self.people) - len(self.pinned)

    def network(self) -> Network:
        upper = [theme.seats for theme in self.themes] + [len(self.people)]
        return Network(
            sizes=np.array(self.base_sizes, dtype=np.int64),
            allowed=np.array(self.base_allowed, dtype=bool).reshape(-1, self.columns),
            upper=np.array(upper, dtype=np.int64),
            exact=np.full(self.columns, -1, dtype=np.int64),
        )

    def levels(self) -> list[np.ndarray]:
        """Costs per level, (groups, columns): seat, revisit, keep, outside, first, second."""
        groups, real = len(self.base_sizes), len(self.themes)
        seat, revisit, keep, outside, first, second = (
            np.zeros((groups, self.columns), dtype=np.int64) for _ in range(6)
        )
        for g in range(groups):
            if self.base_pinned[g]:
                continue  # fixed by the organisers: no objective may count them
            choices = self.base_choices[g]
            seat[g, real] = 1
            revisit[g, list(self.base_visited[g])] = 1
            if self.base_keep[g] >= 0:
                keep[g, :] = 1
                keep[g, self.base_keep[g]] = 0
            if choices:  # people with no choices are never "outside" them
                outside[g, :real] = 1
                outside[g, list(choices)] = 0
            # Counting "not first" over everyone, the unseated included, keeps the value
            # equal to (people - first choices) whoever ends up without a seat.
            first[g, :] = 1
            first[g, list(choices[:1])] = 0
            second[g, :] = 1
            second[g, list(choices[:2])] = 0
        return [seat, revisit, keep, outside, first, second]

    def spread(self, net: Network, rank_cost: np.ndarray | None, pair_cost: int) -> np.ndarray:
        """Final level: split colleagues within `net`; returns people per (sub-group, column)."""
        if rank_cost is None:
            rank_cost = np.zeros((len(self.base_sizes), self.columns), dtype=np.int64)
        sizes = np.array([len(members) for members in self.sub_members], dtype=np.int64)
        return solve_spread(
            net,
            np.array(self.sub_base, dtype=np.int64),
            np.array(self.sub_org, dtype=np.int64),
            sizes,
            rank_cost,
            pair_cost,
        )

    def placements(self, flows: np.ndarray):
        """Yield (people, theme id or None, rank or None) blocks for a spread() result; the
        members of a sub-group are in tie-break order, so the seed decides who sits where."""
        columns = [theme.id for theme in self.themes] + [None]
        for sub, row in enumerate(flows.tolist()):
            members = self.sub_members[sub]
            choices = self.base_choices[self.sub_base[sub]]
            position = 0
            for column, count in enumerate(row):
                if count:
                    rank = choices.index(column) + 1 if column in choices else None
                    yield members[position : position + count], columns[column], rank
                    position += count

    def demand(self) -> dict[int, tuple[int, int, int]]:
        """Theme id -> how many people (pins aside) chose it first, second, third."""
        tally = {theme.id: [0, 0, 0] for theme in self.themes}
        for group, choices in enumerate(self.base_choices):
            if not self.base_pinned[group]:
                for rank, column in enumerate(choices):
                    tally[self.themes[column].id][rank] += self.base_sizes[group]
        return {theme_id: tuple(counts) for theme_id, counts in tally.items()}


def build_problem(
    themes: list[Theme], people: list[Person], settings: Settings, visited: dict[int, frozenset[int]]
) -> Problem:
    """Validate the input and group the people; raises AssignmentError."""
    _validate(themes, people, settings)
    present = {person.id for person in people}
    problem = Problem(
        themes=sorted(themes, key=lambda theme: theme.id),
        people=seeded_order(people, settings.seed),
        keep={pid: tid for pid, tid in (settings.keep or {}).items() if pid in present},
        pinned={p.id for p in people if p.pinned_theme is not None},
    )
    _check_pins(problem)
    grouped = _registration_groups(people) if settings.groups != "ignore" else {}
    _group_people(problem, visited, grouped)
    return problem


def _registration_groups(people: list[Person]) -> dict:
    """Group key -> number of members present, for groups of two or more."""
    size: dict = {}
    for person in people:
        if person.group is not None:
            size[person.group] = size.get(person.group, 0) + 1
    return {key: n for key, n in size.items() if n > 1}


def _group_people(problem: Problem, visited: dict[int, frozenset[int]], grouped: dict) -> None:
    """Put each person, in tie-break order, in a base group (same allowed columns and
    costs; alone if a member of a registration group in `grouped`) and a sub-group (same
    base group and organisation)."""
    column_of = {theme.id: column for column, theme in enumerate(problem.themes)}
    org_code = _organisation_codes(problem.people)
    base_index: dict[tuple, int] = {}
    sub_index: dict[tuple, int] = {}
    keep = problem.keep
    for person in problem.people:
        pin = person.pinned_theme
        kept = column_of.get(keep[person.id], -1) if person.id in keep else -1
        seen = visited.get(person.id, frozenset())
        # Raw attributes as the key: cheap to hash, and equal keys mean equal costs.
        key = (pin, person.needs_accessible and pin is None, person.choices, kept, seen)
        in_group = person.group in grouped
        base = None if in_group else base_index.get(key)
        if base is None:
            base = _add_base_group(problem, person, kept, seen, column_of)
            if in_group:
                problem.groups.setdefault(person.group, []).append((person, base))
            else:
                base_index[key] = base
        problem.base_sizes[base] += 1
        sub_key = (base, person.organisation)
        sub = sub_index.get(sub_key)
        if sub is None:
            sub = sub_index[sub_key] = _add_sub_group(problem, base, org_code.get(person.organisation, -1))
        problem.sub_members[sub].append(person)


def _organisation_codes(people: list[Person]) -> dict[str, int]:
    """A code for each organisation with two people or more: only they have colleagues."""
    org_size: dict[str, int] = {}
    for person in people:
        if person.organisation is not None:
            org_size[person.organisation] = org_size.get(person.organisation, 0) + 1
    return {org: code for code, org in enumerate(sorted(o for o, n in org_size.items() if n > 1))}


def _add_base_group(
    problem: Problem, person: Person, kept: int, seen: frozenset[int], column_of: dict[int, int]
) -> int:
    """A new, empty base group for people like `person`; returns its index."""
    pin = person.pinned_theme
    if pin is not None:
        allowed = tuple(column == column_of[pin] for column in range(len(problem.themes))) + (False,)
    else:
        allowed = tuple(theme.accessible or not person.needs_accessible for theme in problem.themes) + (True,)
    problem.base_sizes.append(0)
    problem.base_allowed.append(allowed)
    problem.base_choices.append(tuple(column_of[theme_id] for theme_id in person.choices))
    problem.base_keep.append(kept)
    problem.base_visited.append(frozenset(column_of[t] for t in seen if t in column_of))
    problem.base_pinned.append(pin is not None)
    return len(problem.base_sizes) - 1


def _add_sub_group(problem: Problem, base: int, org_code: int) -> int:
    """A new, empty sub-group of base group `base`; returns its index."""
    problem.sub_base.append(base)
    problem.sub_org.append(org_code)
    problem.sub_members.append([])
    return len(problem.sub_members) - 1


def seeded_order(people: list[Person], seed: int) -> list[Person]:
    """People sorted by id, then shuffled by `seed`: the tie-break order everywhere."""
    order = sorted(people, key=lambda person: person.id)
    # NumPy's PCG64 stream is stable across platforms and releases, so a seed means the same.
    permutation = np.random.default_rng(seed).permutation(len(order)).tolist()
    return [order[i] for i in permutation]


def _validate(themes: list[Theme], people: list[Person], settings: Settings) -> None:
    bad = AssignmentError.Reason
    theme_ids = {theme.id for theme in themes}
    if len(theme_ids) != len(themes):
        raise AssignmentError(bad.DUPLICATE_THEME, "two themes share an id")
    if len({person.id for person in people}) != len(people):
        raise AssignmentError(bad.DUPLICATE_PERSON, "two people share an id")
    checked: set[tuple[int, ...]] = set()
    for person in people:
        if person.pinned_theme is not None and person.pinned_theme not in theme_ids:
            raise AssignmentError(bad.UNKNOWN_THEME, f"person {person.id}: theme {person.pinned_theme}")
        if person.choices in checked:
            continue
        if len(person.choices) > MAX_CHOICES or len(set(person.choices)) != len(person.choices):
            raise AssignmentError(bad.BAD_CHOICES, f"person {person.id}: {person.choices}")
        unknown = [t for t in person.choices if t not in theme_ids]
        if unknown:
            raise AssignmentError(bad.UNKNOWN_THEME, f"person {person.id}: theme {unknown[0]}")
        checked.add(person.choices)
    if (
        settings.rotation not in ("stay", "visit")
        or settings.rounds < 1
        or settings.mixing_weight < 0
        or settings.groups not in GROUP_MODES
        or settings.group_weight < 0
    ):
        raise AssignmentError(bad.BAD_SETTINGS, repr(settings))


def _check_pins(problem: Problem) -> None:
    pins: dict[int, int] = {}
    for person in problem.people:
        if person.pinned_theme is not None:
            pins[person.pinned_theme] = pins.get(person.pinned_theme, 0) + 1
    for theme in problem.themes:
        if pins.get(theme.id, 0) > theme.seats:
            detail = f"{pins[theme.id]} people pinned to theme {theme.id}, which has {theme.seats} seats"
            raise AssignmentError(AssignmentError.Reason.PINS_EXCEED_SEATS, detail)
