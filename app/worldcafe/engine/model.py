"""The engine's inputs and results: plain dataclasses, ids are ints, no database."""

import enum
from collections.abc import Hashable
from dataclasses import dataclass

GROUP_MODES = ("ignore", "together", "spread")


class AssignmentError(ValueError):
    """The input cannot be assigned as given (e.g. more pins than seats at a table)."""

    class Reason(enum.Enum):
        DUPLICATE_THEME = "duplicate_theme"
        DUPLICATE_PERSON = "duplicate_person"
        UNKNOWN_THEME = "unknown_theme"
        BAD_CHOICES = "bad_choices"
        PINS_EXCEED_SEATS = "pins_exceed_seats"
        BAD_SETTINGS = "bad_settings"

    def __init__(self, reason: "AssignmentError.Reason", detail: str):
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason.value}: {detail}")


@dataclass(frozen=True)
class Theme:
    """One of the parallel tables (a workstream). `seats_per_small_table` counts attendees;
    the host who stays at a small table is not an attendee and needs no seat."""

    id: int
    capacity: int
    accessible: bool = True
    small_tables: int = 0
    seats_per_small_table: int = 6

    @property
    def seats(self) -> int:
        """Seats the engine may fill: the capacity, or fewer if the small tables hold fewer."""
        if self.small_tables > 0:
            return max(0, min(self.capacity, self.small_tables * self.seats_per_small_table))
        return max(0, self.capacity)


@dataclass(frozen=True)
class Person:
    """An attendee: up to three ranked theme ids, first is best. `group`: people registered
    together share a key (None: registered alone)."""

    id: int
    choices: tuple[int, ...] = ()
    organisation: str | None = None
    needs_accessible: bool = False
    pinned_theme: int | None = None
    group: Hashable | None = None


@dataclass(frozen=True)
class Settings:
    """How to assign. `mixing_weight` is how many rank steps (one person from first to
    second choice, or second to third) the organisers would give up to keep one more pair
    of colleagues apart (0.1: one step for ten pairs); 0 mixes only where it costs no
    preference. `keep` maps attendee -> theme from
    the published assignment; None re-optimises from scratch.
    `groups`: "ignore" people's groups, keep each "together" at one theme, or "spread" its
    members over different themes; `group_weight` is how many rank steps the organisers
    would give up for one more group kept together (or one fewer pair of a group's members
    at one theme); 0 only where it costs no preference."""

    seed: int = 0
    mixing_weight: float = 0.0
    groups: str = "ignore"
    group_weight: float = 0.0
    rounds: int = 1
    rotation: str = "stay"  # "stay": rotate among the theme's small tables; "visit": new theme
    keep: dict[int, int] | None = None


@dataclass(frozen=True)
class RankCounts:
    """How the people placed by the engine (pinned people excluded) fared."""

    first: int = 0
    second: int = 0
    third: int = 0
    outside: int = 0  # seated at a theme they did not choose
    unseated: int = 0  # no seat anywhere they may go
    no_choices: int = 0  # seated, having chosen nothing
    pinned: int = 0  # placed by the organisers, not counted above

    @property
    def total(self) -> int:
        return self.first + self.second + self.third + self.outside + self.unseated + self.no_choices


@dataclass(frozen=True)
class BestPossible:
    """The optimum of each objective level, under the same seats, pins, accessibility and
    keep map: fewest unseated, then fewest seated outside their choices, then most first
    choices, then most first-or-second choices (pinned people excluded)."""

    unseated: int
    outside: int
    first_choices: int
    first_or_second: int


@dataclass(frozen=True)
class MixingTradeOff:
    """What `mixing_weight > 0` cost against the pure-preference assignment."""

    first_choices_given_up: int
    first_or_second_given_up: int
    colleague_pairs_avoided: int


@dataclass(frozen=True)
class GroupOutcome:
    """How the groups (two or more people registered together) fared, and what keeping
    them together or spreading them cost against the same run ignoring groups."""

    mode: str  # "together" or "spread"
    weight: float
    groups: int  # groups of two or more people in this assignment
    together: int  # groups with every member at one theme
    split: int  # groups whose members sit at two themes or more (or some without a seat)
    spread: int  # groups with no two members at one theme
    member_pairs: int  # pairs of members of one group at the same theme
    together_ignoring: int  # the same figures, groups ignored
    spread_ignoring: int
    member_pairs_ignoring: int
    first_choices_given_up: int
    first_or_second_given_up: int
    proven_optimal: bool = True  # False: the solver's time ran out; the best found is used


@dataclass
class ThemeResult:
    """Who sits at which theme, with the figures the report needs."""

    table_of: dict[int, int | None]
    rank_of: dict[int, int | None]
    counts: RankCounts
    best_possible: BestPossible
    seats: dict[int, int]  # theme id -> seats the engine could fill
    fill: dict[int, int]  # theme id -> people placed there
    demand: dict[int, tuple[int, int, int]]  # theme id -> (first, second, third) choices
    colleague_pairs: int  # pairs of people of one organisation at the same theme
    organisations_at: dict[int, int]  # theme id -> distinct organisations there
    pinned: frozenset[int] = frozenset()
    kept: frozenset[int] = frozenset()  # keep-map entries honoured
    keep_broken: tuple[int, ...] = ()  # keep-map entries that could not be honoured
    mixing: MixingTradeOff | None = None
    mixing_weight: float = 0.0
    groups: GroupOutcome | None = None  # None when groups are ignored


@dataclass
class SeatingResult:
    """Small-table seats per round. Rounds are numbered from 1; theme ids per round differ
    only when rotation is "visit". Themes without small tables seat everyone at index 0 and
    are not counted in the pair figures."""

    seat_of: dict[tuple[int, int], tuple[int, int]]
    repeated_pairs: int  # extra meetings: a pair at one small table in k rounds adds k - 1
    colleague_pairs: int  # (pair, round) of one organisation at the same small table
    rounds: int = 1
