"""The world café assignment engine: exact theme assignment, seating over rounds, reasons.

Property tests compare the engine with a brute force over every possible assignment on
small instances, and with a bipartite matching on larger ones.
"""

import itertools
import math
import random
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_bipartite_matching

from app.worldcafe.engine import (
    AssignmentError,
    Person,
    ReasonCode,
    Settings,
    Theme,
    assign_themes,
    explain,
    reason_for,
    seat_rounds,
    summarise,
)

PROPERTY = settings(
    max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


# -- instances -------------------------------------------------------------------------
@st.composite
def instances(draw, max_people=6, max_themes=3, max_capacity=4, organisations=("A", "B")):
    """Themes, people (pins never exceeding seats) and settings with a keep map."""
    themes = [
        Theme(id=10 + t, capacity=draw(st.integers(0, max_capacity)), accessible=draw(st.booleans()))
        for t in range(draw(st.integers(1, max_themes)))
    ]
    ids = [theme.id for theme in themes]
    seats = {theme.id: theme.seats for theme in themes}
    pinned: Counter = Counter()
    people = []
    for pid in range(draw(st.integers(0, max_people))):
        order = draw(st.permutations(ids))
        choices = tuple(order[: draw(st.integers(0, min(3, len(ids))))])
        pin = draw(st.sampled_from([None] * 5 + ids))
        if pin is not None and pinned[pin] >= seats[pin]:
            pin = None
        pinned[pin] += 1
        people.append(
            Person(
                id=pid,
                choices=choices,
                organisation=draw(st.sampled_from([None, *organisations])),
                needs_accessible=draw(st.booleans()),
                pinned_theme=pin,
            )
        )
    keep = {p.id: draw(st.sampled_from(ids)) for p in people if draw(st.integers(0, 3)) == 0}
    return themes, people, Settings(seed=draw(st.integers(0, 3)), keep=keep or None)


def allowed_tables(person: Person, themes: list[Theme]) -> list[int]:
    if person.pinned_theme is not None:
        return [person.pinned_theme]
    return [t.id for t in themes if t.accessible or not person.needs_accessible]


def objective(people, table_of, keep, mixing_weight=0.0):
    """The engine's documented objective, lowest is best, as a tuple compared in order."""
    free = [p for p in people if p.pinned_theme is None]
    unseated = sum(table_of[p.id] is None for p in free)
    broken = sum(p.id in keep and table_of[p.id] != keep[p.id] for p in free)
    outside = sum(bool(p.choices) and table_of[p.id] not in (None, *p.choices) for p in free)
    not_first = sum(table_of[p.id] not in p.choices[:1] for p in free)
    not_second = sum(table_of[p.id] not in p.choices[:2] for p in free)
    together = Counter((p.organisation, table_of[p.id]) for p in people if p.organisation and table_of[p.id])
    pairs = sum(math.comb(n, 2) for n in together.values())
    if mixing_weight:
        steps = not_first + not_second
        return (unseated, broken, outside, round(100 * steps + round(100 * mixing_weight) * pairs), not_first)
    return (unseated, broken, outside, not_first, not_second, pairs)


def brute_force(themes, people, keep, mixing_weight=0.0):
    seats = {t.id: t.seats for t in themes}
    options = [
        [*allowed_tables(p, themes), None] if p.pinned_theme is None else [p.pinned_theme] for p in people
    ]
    best = None
    for combo in itertools.product(*options):
        fill = Counter(t for t in combo if t is not None)
        if any(fill[t] > seats[t] for t in fill):
            continue
        value = objective(people, dict(zip([p.id for p in people], combo, strict=True)), keep, mixing_weight)
        best = value if best is None or value < best else best
    return best


def everyone_inside_possible(themes, people) -> bool:
    """A bipartite matching of people to seats within their choices (anywhere allowed, for
    those who chose nothing) that seats everybody."""
    free_seats = {t.id: t.seats for t in themes}
    for p in people:
        if p.pinned_theme is not None:
            free_seats[p.pinned_theme] -= 1
    slots = [t for t, n in free_seats.items() for _ in range(n)]
    free = [p for p in people if p.pinned_theme is None]
    if not free:
        return True
    rows, cols = [], []
    for i, p in enumerate(free):
        wanted = set(allowed_tables(p, themes)) & (set(p.choices) if p.choices else set(free_seats))
        for j, t in enumerate(slots):
            if t in wanted:
                rows.append(i)
                cols.append(j)
    graph = csr_array((np.ones(len(rows)), (rows, cols)), shape=(len(free), max(len(slots), 1)))
    return int((maximum_bipartite_matching(graph, perm_type="column") >= 0).sum()) == len(free)


# -- theme stage: properties -----------------------------------------------------------
@PROPERTY
@given(instances(max_people=40, max_themes=6, max_capacity=12, organisations=("A", "B", "C", "D")))
def test_capacities_pins_and_accessibility_always_hold(instance):
    themes, people, config = instance
    result = assign_themes(themes, people, config)
    seats = {t.id: t.seats for t in themes}
    fill = Counter(t for t in result.table_of.values() if t is not None)
    assert all(fill[t] <= seats[t] for t in seats)
    assert result.fill == {t: fill[t] for t in seats}
    for p in people:
        table = result.table_of[p.id]
        if p.pinned_theme is not None:
            assert table == p.pinned_theme
        elif table is not None:
            assert table in allowed_tables(p, themes)
        else:  # no seat only when every table they may use is full
            assert all(fill[t] == seats[t] for t in allowed_tables(p, themes))


@PROPERTY
@given(instances(max_people=40, max_themes=6, max_capacity=12))
def test_nobody_outside_their_choices_when_a_feasible_assignment_exists(instance):
    themes, people, config = instance
    result = assign_themes(themes, people, Settings(seed=config.seed))
    if everyone_inside_possible(themes, people):
        assert result.counts.outside == result.counts.unseated == 0
        assert result.best_possible.outside == 0
    else:
        assert result.counts.outside + result.counts.unseated > 0


@PROPERTY
@given(instances())
def test_small_instances_match_the_brute_force_optimum(instance):
    themes, people, config = instance
    result = assign_themes(themes, people, config)
    keep = config.keep or {}
    best = brute_force(themes, people, keep)
    assert objective(people, result.table_of, keep) == best
    unseated, _, outside, not_first, not_second, _ = best
    free = sum(p.pinned_theme is None for p in people)
    assert result.best_possible.unseated == unseated
    assert result.best_possible.outside == outside
    assert result.best_possible.first_choices == free - not_first
    assert result.best_possible.first_or_second == free - not_second


@PROPERTY
@given(instances(max_people=5), st.sampled_from([0.3, 1.0, 5.0]))
def test_mixing_weight_optimises_its_documented_trade_off(instance, weight):
    themes, people, config = instance
    result = assign_themes(themes, people, Settings(seed=config.seed, mixing_weight=weight))
    assert objective(people, result.table_of, {}, weight) == brute_force(themes, people, {}, weight)
    assert result.mixing is not None and result.mixing.first_choices_given_up >= 0


@PROPERTY
@given(instances(max_people=30, max_themes=5, max_capacity=10))
def test_same_input_and_seed_give_the_same_result_whatever_the_order(instance):
    themes, people, config = instance
    first = assign_themes(themes, people, config)
    shuffled = list(people)
    random.Random(1).shuffle(shuffled)
    again = assign_themes(list(reversed(themes)), shuffled, config)
    assert again.table_of == first.table_of
    assert again.rank_of == first.rank_of
    seating = seat_rounds(themes, people, first, Settings(seed=config.seed, rounds=3))
    assert seat_rounds(themes, people, first, Settings(seed=config.seed, rounds=3)).seat_of == seating.seat_of


# -- theme stage: examples -------------------------------------------------------------
def crowded_day():
    """Theme 1 is everyone's favourite; theme 3 has no step-free access."""
    themes = [Theme(1, 2), Theme(2, 3), Theme(3, 3, accessible=False)]
    people = [
        Person(1, (1, 2, 3), "Comune"),
        Person(2, (1, 2, 3), "Comune"),
        Person(3, (1, 3, 2), "ASL"),
        Person(4, (1, 2), None),
        Person(5, (3, 1), None, needs_accessible=True),
        Person(6, (), None),
        Person(7, (2,), None, pinned_theme=1),
    ]
    return themes, people


def test_first_come_first_served_loses_first_choices_the_engine_keeps():
    themes = [Theme(1, 1), Theme(2, 1)]
    # Registered in this order: the first person takes table 1, the second is left with 2.
    people = [Person(1, (1, 2)), Person(2, (1,))]
    result = assign_themes(themes, people)
    assert result.table_of == {1: 2, 2: 1}
    assert result.counts.outside == 0 and result.counts.second == 1


def test_the_pinned_speaker_takes_a_seat_and_everyone_is_told_why():
    themes, people = crowded_day()
    result = assign_themes(themes, people, Settings(seed=3))
    names = {1: "Abitare", 2: "Lavoro", 3: "Cultura"}
    # The speaker takes one of Abitare's two seats; the other goes to person 5, for whom it
    # is the only chosen table with step-free access: nobody ends up outside their choices.
    assert result.table_of[7] == 1 and result.table_of[5] == 1
    assert result.counts.outside == 0 and result.counts.first == result.best_possible.first_choices == 0
    sentences = {p.id: explain(p, result, themes, names) for p in people}
    assert sentences[7] == "The organisers placed you at Abitare."
    assert (
        sentences[5] == "Your first choice, Cultura, is not accessible; you got your second choice, Abitare."
    )
    assert sentences[1] == (
        "Your first choice, Abitare, had 4 first choices for 2 seats; you got your second choice, Lavoro."
    )
    assert sentences[3].endswith("you got your second choice, Cultura.")
    assert (
        sentences[6]
        == f"You gave no choices, so you were placed at {names[result.table_of[6]]}, which had free seats."
    )


def test_first_choice_sentence():
    themes = [Theme(1, 1)]
    person = Person(1, (1,))
    assert explain(person, assign_themes(themes, [person]), themes) == "You got your first choice, table 1."


def test_someone_without_any_seat_is_told_why():
    themes = [Theme(1, 1), Theme(2, 1, accessible=False)]
    people = [Person(1, (1,)), Person(2, (1, 2), needs_accessible=True), Person(3, (2,))]
    result = assign_themes(themes, people)
    assert result.table_of == {1: None, 2: 1, 3: 2}  # table 1 is the only one person 2 may use
    assert reason_for(people[0], result, themes).code is ReasonCode.NO_SEAT
    assert explain(people[0], result, themes) == (
        "Your first choice, table 1, had 2 first choices for 1 seat; there is no free seat left at any table."
    )
    lines = summarise(themes, people, result).lines()
    assert lines[-1] == f"Person 1: {explain(people[0], result, themes)}"


def test_late_registrations_keep_everyone_where_they_were_published():
    themes = [Theme(1, 3), Theme(2, 3), Theme(3, 3)]
    people = [Person(i, (1 + i % 3, 1 + (i + 1) % 3), f"org{i % 2}") for i in range(6)]
    published = assign_themes(themes, people).table_of
    late = [*people, Person(10, (published[0], 3)), Person(11, (published[0],)), Person(12, (2, 1))]
    rerun = assign_themes(themes, late, Settings(keep=published))
    assert all(rerun.table_of[pid] == table for pid, table in published.items())
    assert rerun.kept == frozenset(published) and rerun.keep_broken == ()
    keep_reason = reason_for(people[0], rerun, themes)
    assert keep_reason.code is ReasonCode.KEPT


def test_a_keep_that_no_longer_fits_is_broken_and_reported():
    themes = [Theme(1, 2), Theme(2, 2)]
    people = [Person(i, (1,)) for i in range(3)]
    keep = {0: 1, 1: 1, 2: 1}  # theme 1 shrank to two seats after publication
    result = assign_themes(themes, people, Settings(keep=keep))
    assert len(result.kept) == 2 and len(result.keep_broken) == 1
    assert result.counts.outside == 1


def test_full_reoptimisation_may_move_people():
    themes = [Theme(1, 1), Theme(2, 1)]
    people = [Person(1, (1, 2)), Person(2, (1,))]
    assert assign_themes(themes, people, Settings(keep={1: 1})).table_of == {1: 1, 2: 2}
    assert assign_themes(themes, people, Settings(keep=None)).table_of == {1: 2, 2: 1}


def test_colleagues_are_spread_when_it_costs_no_preference():
    themes = [Theme(1, 4), Theme(2, 4)]
    people = [Person(i, (1, 2) if i % 2 else (2, 1), "big" if i < 4 else None) for i in range(8)]
    result = assign_themes(themes, people)
    assert result.counts.first == 8
    assert result.colleague_pairs == 2  # two of "big" at each theme, never three and one


def test_mixing_weight_trades_first_choices_and_reports_the_cost():
    themes = [Theme(1, 6), Theme(2, 6)]
    people = [Person(i, (1, 2), "big" if i < 4 else f"solo{i}") for i in range(6)]
    plain = assign_themes(themes, people)
    mixed = assign_themes(themes, people, Settings(mixing_weight=2.0))
    # Moving colleague number four saves three pairs, number three one pair: both worth it.
    assert (plain.counts.first, plain.colleague_pairs) == (6, 6)
    assert (mixed.counts.first, mixed.colleague_pairs) == (4, 2)
    assert mixed.mixing.first_choices_given_up == 2
    assert mixed.mixing.colleague_pairs_avoided == plain.colleague_pairs - mixed.colleague_pairs
    assert any("Mixing (weight 2)" in line for line in summarise(themes, people, mixed).lines())


def test_summary_compares_with_the_best_possible():
    themes, people = crowded_day()
    result = assign_themes(themes, people)
    lines = summarise(themes, people, result, {1: "Abitare", 2: "Lavoro", 3: "Cultura"}).lines()
    assert lines[0].startswith("First choices: 0 of 0 possible")
    assert any(line.startswith("Fill: Abitare 2/2, Lavoro") for line in lines)


@pytest.mark.parametrize(
    ("themes", "people", "reason"),
    [
        ([Theme(1, 1), Theme(1, 2)], [], AssignmentError.Reason.DUPLICATE_THEME),
        ([Theme(1, 1)], [Person(1, (1, 1))], AssignmentError.Reason.BAD_CHOICES),
        ([Theme(1, 1)], [Person(1, (2,))], AssignmentError.Reason.UNKNOWN_THEME),
        (
            [Theme(1, 1)],
            [Person(1, pinned_theme=1), Person(2, pinned_theme=1)],
            AssignmentError.Reason.PINS_EXCEED_SEATS,
        ),
    ],
)
def test_inconsistent_input_is_refused_with_a_reason(themes, people, reason):
    with pytest.raises(AssignmentError) as refused:
        assign_themes(themes, people)
    assert refused.value.reason is reason


# -- seating ---------------------------------------------------------------------------
def check_seating(themes, people, result, seating, rounds):
    by_id = {t.id: t for t in themes}
    at_table: Counter = Counter()
    meetings: Counter = Counter()
    for p in people:
        for r in range(1, rounds + 1):
            if result.table_of[p.id] is None:
                assert (p.id, r) not in seating.seat_of
                continue
            theme, table = seating.seat_of[(p.id, r)]
            at_table[(r, theme, table)] += 1
    for (_round, theme, table), n in at_table.items():
        if by_id[theme].small_tables:
            assert table < by_id[theme].small_tables and n <= by_id[theme].seats_per_small_table
    for (_round, theme), sizes in itertools.groupby(sorted(at_table.items()), key=lambda kv: kv[0][:2]):
        counts = [n for _, n in sizes]
        assert max(counts) - min(counts) <= 1 or not by_id[theme].small_tables
    groups: dict = {}
    for (pid, r), (theme, table) in seating.seat_of.items():
        if by_id[theme].small_tables:
            groups.setdefault((r, theme, table), []).append(pid)
    for members in groups.values():
        meetings.update(itertools.combinations(sorted(members), 2))
    assert seating.repeated_pairs == sum(n - 1 for n in meetings.values())


@PROPERTY
@given(st.integers(5, 60), st.integers(1, 4), st.integers(0, 3), st.sampled_from(["stay", "visit"]))
def test_seating_fills_small_tables_evenly_and_counts_repeats_honestly(size, rounds, seed, rotation):
    themes = [
        Theme(1, 30, small_tables=5),
        Theme(2, 20, small_tables=4, seats_per_small_table=5),
        Theme(3, 15),
    ]
    rng = random.Random(seed)
    people = [Person(i, tuple(rng.sample([1, 2, 3], 2)), f"org{rng.randrange(6)}") for i in range(size)]
    result = assign_themes(themes, people, Settings(seed=seed))
    seating = seat_rounds(themes, people, result, Settings(seed=seed, rounds=rounds, rotation=rotation))
    check_seating(themes, people, result, seating, rounds)


def test_forty_people_at_six_seat_tables_never_meet_twice_in_three_rounds():
    themes = [Theme(1, 42, small_tables=7)]
    people = [Person(i, (1,), f"org{i % 8}") for i in range(40)]
    result = assign_themes(themes, people)
    seating = seat_rounds(themes, people, result, Settings(rounds=3))
    check_seating(themes, people, result, seating, 3)
    assert seating.repeated_pairs == 0 and seating.colleague_pairs == 0


def test_visit_rotation_sends_people_to_a_new_theme_each_round():
    themes = [Theme(t, 12, small_tables=2) for t in (1, 2, 3)]
    people = [Person(i, (1 + i % 3, 1 + (i + 1) % 3), None) for i in range(30)]
    result = assign_themes(themes, people)
    seating = seat_rounds(themes, people, result, Settings(rounds=3, rotation="visit"))
    for p in people:
        visited = [seating.seat_of[(p.id, r)][0] for r in (1, 2, 3)]
        assert len(set(visited)) == 3
    per_round = Counter((r, theme) for (pid, r), (theme, _) in seating.seat_of.items())
    assert max(per_round.values()) <= 12


# -- registration groups ---------------------------------------------------------------
@st.composite
def grouped_instances(draw, max_people=6):
    """A small instance whose people belong to up to two registration groups."""
    themes, people, config = draw(instances(max_people=max_people))
    people = [replace(p, group=draw(st.sampled_from([None, "family", "friends"]))) for p in people]
    return themes, people, config


def group_term(people, table_of, mode):
    """Groups not wholly at one theme ("together") or pairs of members sharing one ("spread")."""
    members: dict = {}
    for p in people:
        if p.group is not None:
            members.setdefault(p.group, []).append(table_of[p.id])
    members = {key: tables for key, tables in members.items() if len(tables) > 1}
    if mode == "together":
        return sum(None in tables or len(set(tables)) > 1 for tables in members.values())
    shared = Counter((key, t) for key, tables in members.items() for t in tables if t is not None)
    return sum(math.comb(n, 2) for n in shared.values())


def grouped_objective(people, table_of, keep, mode, weight):
    """The documented objective with groups: preferences, then groups (weight 0); or rank
    steps and groups weighed together, ties to first choices (weight > 0)."""
    unseated, broken, outside, not_first, not_second, _ = objective(people, table_of, keep)
    term = group_term(people, table_of, mode)
    if weight:
        return (
            unseated,
            broken,
            outside,
            100 * (not_first + not_second) + round(100 * weight) * term,
            not_first,
        )
    return (unseated, broken, outside, not_first, not_second, term)


def grouped_brute_force(themes, people, keep, mode, weight):
    seats = {t.id: t.seats for t in themes}
    options = [
        [*allowed_tables(p, themes), None] if p.pinned_theme is None else [p.pinned_theme] for p in people
    ]
    best = None
    for combo in itertools.product(*options):
        fill = Counter(t for t in combo if t is not None)
        if any(fill[t] > seats[t] for t in fill):
            continue
        table_of = dict(zip([p.id for p in people], combo, strict=True))
        value = grouped_objective(people, table_of, keep, mode, weight)
        best = value if best is None or value < best else best
    return best


@PROPERTY
@given(instances(max_people=30, max_themes=5, max_capacity=10))
def test_ignoring_groups_gives_exactly_the_assignment_without_them(instance):
    themes, people, config = instance
    rng = random.Random(len(people))
    grouped = [replace(p, group=rng.choice([None, 1, 2, 3])) for p in people]
    without = assign_themes(themes, people, config)
    ignored = assign_themes(themes, grouped, replace(config, groups="ignore", group_weight=3.0))
    assert ignored.table_of == without.table_of and ignored.rank_of == without.rank_of
    assert ignored.groups is None


@PROPERTY
@given(grouped_instances(), st.sampled_from(["together", "spread"]), st.sampled_from([0.0, 0.5, 3.0]))
def test_groups_match_the_brute_force_optimum(instance, mode, weight):
    themes, people, config = instance
    result = assign_themes(themes, people, replace(config, groups=mode, group_weight=weight))
    keep = config.keep or {}
    assert grouped_objective(people, result.table_of, keep, mode, weight) == grouped_brute_force(
        themes, people, keep, mode, weight
    )
    # The preferences' best possible is the same as without groups; only a weight may cost.
    plain = assign_themes(themes, people, config)
    assert result.best_possible == plain.best_possible
    if weight == 0:
        assert result.counts == plain.counts and result.groups.first_choices_given_up == 0


@PROPERTY
@given(
    instances(max_people=40, max_themes=6, max_capacity=12, organisations=("A", "B", "C", "D")),
    st.sampled_from(["together", "spread"]),
)
def test_groups_never_break_capacities_pins_or_accessibility(instance, mode):
    themes, people, config = instance
    rng = random.Random(len(people) + len(themes))
    people = [replace(p, group=rng.choice([None, *range(6)])) for p in people]
    result = assign_themes(themes, people, replace(config, groups=mode, group_weight=rng.choice([0, 2.0])))
    seats = {t.id: t.seats for t in themes}
    fill = Counter(t for t in result.table_of.values() if t is not None)
    assert all(fill[t] <= seats[t] for t in seats)
    for p in people:
        table = result.table_of[p.id]
        if p.pinned_theme is not None:
            assert table == p.pinned_theme
        elif table is not None:
            assert table in allowed_tables(p, themes)
    assert result.counts.unseated == result.best_possible.unseated
    assert result.counts.outside == result.best_possible.outside


def family_tables(themes, people, config, members) -> set:
    """The themes of people 0 .. members - 1."""
    table_of = assign_themes(themes, people, config).table_of
    return {table_of[i] for i in range(members)}


def families_and_singles():
    """Two themes of four seats; a family of four and four others all want theme 1 first."""
    themes = [Theme(1, 4), Theme(2, 4)]
    people = [Person(i, (1, 2), group="Rossi" if i < 4 else None) for i in range(8)]
    return themes, people


def test_a_family_sits_together_when_it_costs_no_first_choice():
    themes, people = families_and_singles()
    split = [
        seed
        for seed in range(10)
        if len({assign_themes(themes, people, Settings(seed=seed)).table_of[i] for i in range(4)}) > 1
    ]
    assert split, "ignoring groups, some seeds split the family"
    result = assign_themes(themes, people, Settings(seed=split[0], groups="together"))
    assert len({result.table_of[i] for i in range(4)}) == 1
    assert result.counts.first == result.best_possible.first_choices == 4
    outcome = result.groups
    assert (outcome.groups, outcome.together, outcome.split, outcome.together_ignoring) == (1, 1, 0, 0)
    assert outcome.first_choices_given_up == 0
    line = summarise(themes, people, result).lines()[-1]
    assert line == (
        "Groups together (weight 0): 1 of 1 groups kept at one table, 0 split (ignoring groups: 0 kept); "
        "cost 0 first choices (0 first or second)."
    )


def test_keeping_a_group_together_against_first_choices_needs_a_weight_and_shows_its_cost():
    themes = [Theme(1, 2), Theme(2, 3)]
    # Three friends want theme 1, which has room for two of them.
    people = [Person(i, (1, 2), group="friends") for i in range(3)]
    free = assign_themes(themes, people, Settings(groups="together"))
    assert sorted(free.table_of.values()) == [1, 1, 2], "without a weight, no first choice is given up"
    assert free.groups.split == 1 and free.groups.first_choices_given_up == 0
    weighed = assign_themes(themes, people, Settings(groups="together", group_weight=3))
    assert set(weighed.table_of.values()) == {2} and weighed.fill == {1: 0, 2: 3}
    assert weighed.groups.together == 1 and weighed.groups.first_choices_given_up == 2
    assert weighed.counts.first == 0 and weighed.best_possible.first_choices == 2
    assert explain(people[0], weighed, themes) == (
        "Your first choice, table 1, had a seat, given up to keep your group at one table; "
        "you got your second choice, table 2."
    )
    assert "cost 2 first choices" in summarise(themes, people, weighed).lines()[-1]
    # Two rank steps (two people from first to second choice) for one group: at weight 2 a
    # tie, which goes to first choices.
    cheap = assign_themes(themes, people, Settings(groups="together", group_weight=2))
    assert cheap.groups.split == 1 and cheap.counts.first == 2


def test_a_group_is_spread_over_the_tables_where_it_costs_no_preference():
    themes = [Theme(1, 2), Theme(2, 2), Theme(3, 2)]
    people = [Person(i, (1, 2, 3), group="class 3B" if i < 3 else None) for i in range(6)]
    together = [
        s
        for s in range(10)
        if len({assign_themes(themes, people, Settings(seed=s)).table_of[i] for i in range(3)}) < 3
    ]
    assert together, "ignoring groups, some seeds seat two of the class at one table"
    result = assign_themes(themes, people, Settings(seed=together[0], groups="spread"))
    assert len({result.table_of[i] for i in range(3)}) == 3
    assert (result.groups.spread, result.groups.member_pairs) == (1, 0)
    assert result.groups.member_pairs_ignoring >= 1 and result.groups.first_choices_given_up == 0
    assert (result.counts.first, result.counts.second, result.counts.third) == (2, 2, 2)


def test_visit_rotation_keeps_a_group_together_in_every_round():
    themes = [Theme(t, 4) for t in (1, 2, 3)]
    people = [Person(i, (1, 2)) for i in range(3)]  # the Bianchi, who chose the same
    people = [replace(p, group="Bianchi") for p in people]
    people += [Person(i, (1 + i % 3, 1 + (i + 1) % 3)) for i in range(3, 12)]
    config = Settings(rounds=3, rotation="visit", groups="together")
    result = assign_themes(themes, people, config)
    seating = seat_rounds(themes, people, result, config)
    for round_ in (1, 2, 3):
        assert len({seating.seat_of[(i, round_)][0] for i in range(3)}) == 1


def test_an_unknown_group_setting_is_refused():
    with pytest.raises(AssignmentError) as refused:
        assign_themes([Theme(1, 1)], [Person(1, (1,))], Settings(groups="close"))
    assert refused.value.reason is AssignmentError.Reason.BAD_SETTINGS


def test_when_the_time_for_groups_runs_out_the_run_still_holds_and_says_so(monkeypatch):
    from app.worldcafe.engine import groups

    rng = random.Random(5)
    themes = [Theme(t, 50) for t in range(1, 7)]
    people = [
        Person(i, tuple(rng.sample(range(1, 7), 3)), group=i // 3 if i < 150 else None) for i in range(280)
    ]
    monkeypatch.setattr(groups, "_TIME_LIMIT_MS", 1)
    result = assign_themes(themes, people, Settings(groups="together"))
    plain = assign_themes(themes, people)
    assert result.groups.proven_optimal is False
    assert result.counts == plain.counts, "the preferences stay optimal"
    assert result.groups.together >= result.groups.together_ignoring
    assert (
        summarise(themes, people, result)
        .lines()[-1]
        .endswith("Best found in the time allowed, not proven optimal.")
    )
