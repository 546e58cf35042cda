"""World café assignment engine: themes, then small tables and rounds. Pure: no database,
no web; ids are ints and everything is a plain dataclass.

Interface
---------
Theme(id, capacity, accessible=True, small_tables=0, seats_per_small_table=6)
    `Theme.seats` = capacity, or fewer if the small tables hold fewer.
Person(id, choices=(), organisation=None, needs_accessible=False, pinned_theme=None, group=None)
    `choices`: up to three distinct theme ids, first is best; `group`: any hashable key
    shared by the people registered together (None: alone).
Settings(seed=0, mixing_weight=0.0, rounds=1, rotation="stay" | "visit", keep=None,
         groups="ignore" | "together" | "spread", group_weight=0.0)
    `keep`: person id -> theme id from the published assignment; None = re-optimise fully.

assign_themes(themes, people, settings=None) -> ThemeResult
    .table_of[person_id] -> theme id, or None only when no seat they may take is left
    .rank_of[person_id] -> 1, 2, 3, or None (outside their choices, or no seat)
    .counts (RankCounts), .best_possible (BestPossible, exact), .fill, .seats, .demand,
    .colleague_pairs, .organisations_at, .pinned, .kept, .keep_broken, .mixing,
    .groups (GroupOutcome: kept together / split / spread, and what it cost; None if ignored)
    Raises AssignmentError (a ValueError with a `.reason` code) on inconsistent input,
    e.g. more people pinned to a theme than it has seats.
seat_rounds(themes, people, theme_result, settings=None) -> SeatingResult
    .seat_of[(person_id, round)] -> (theme id, small table index), rounds from 1
    .repeated_pairs, .colleague_pairs
explain(person, theme_result, themes, names=None) -> str
    One English sentence; `names` maps theme id -> display name.
reason_for(person, theme_result, themes) -> Reason   (codes and numbers, to translate)
summarise(themes, people, theme_result, names=None) -> Summary   (.lines() for organisers)

Objective of the theme stage (lexicographic, each level solved exactly and then frozen;
see themes.py): (0) seat everyone who may sit anywhere; (1) honour the keep map as far as
possible; (2) fewest people outside their choices; (3) most first choices; (4) most second
choices; (5) fewest pairs of colleagues at one theme, which costs no preference. Pins and
accessibility (people who need it only at accessible themes) are hard rules. With
`mixing_weight` w > 0, levels 3-5 become one: each rank step costs 1 and each colleague
pair costs w; `ThemeResult.mixing` reports the first choices given up.

Registration groups (groups.py): with `groups` "together" (each group wholly at one
theme) or "spread" (fewest pairs of one group's members at one theme), the members'
themes are chosen after the preference levels, where it costs no preference; with
`group_weight` g > 0, each group split (or pair of members sharing a theme) costs g rank
steps against the preferences. Hard rules and levels 0-2 always hold. "ignore" (the
default) gives exactly the result without groups.

Seating (seating.py): no pair meets twice across rounds, then colleagues apart, as far as
possible. Same input and seed, same result.
"""

from app.worldcafe.engine.model import (
    AssignmentError,
    BestPossible,
    GroupOutcome,
    MixingTradeOff,
    Person,
    RankCounts,
    SeatingResult,
    Settings,
    Theme,
    ThemeResult,
)
from app.worldcafe.engine.report import (
    BetterChoice,
    PassedOver,
    Reason,
    ReasonCode,
    Summary,
    explain,
    reason_for,
    summarise,
)
from app.worldcafe.engine.seating import seat_rounds
from app.worldcafe.engine.themes import assign_themes

__all__ = [
    "AssignmentError",
    "BestPossible",
    "BetterChoice",
    "GroupOutcome",
    "MixingTradeOff",
    "PassedOver",
    "Person",
    "RankCounts",
    "Reason",
    "ReasonCode",
    "SeatingResult",
    "Settings",
    "Summary",
    "Theme",
    "ThemeResult",
    "assign_themes",
    "explain",
    "reason_for",
    "seat_rounds",
    "summarise",
]
