"""The day in figures: each figure a small table of counts (stub: helper C).

Every figure is a Figure: its columns and rows are what its chart draws, what the open
data exports (app/results/open_data.py) and what the tests check against the database.
"""

from dataclasses import dataclass, field


@dataclass
class Figure:
    key: str  # "arrivals", "participant_types", "day_parts", "table_fill", "languages", "network"
    title: str  # in the current locale
    columns: list[str]  # the column names, in the current locale
    rows: list[tuple] = field(default_factory=list)
    column_keys: list[str] = field(default_factory=list)  # stable names for CSV/JSON


def public_figures(event) -> list[Figure]:
    """The figures anyone may see: counts only, groups smaller than 5 merged."""
    return []


def public_context(event) -> dict:
    """Variables for templates/results/_figures.html on the public page."""
    return {}
