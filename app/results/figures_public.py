"""The day in figures as anyone may see them: counts only, and no count of 1 to 4 anywhere
(public_figures says how each figure is merged). The exact figures are figures.py's."""

from dataclasses import replace

from flask_babel import gettext as _

from app.models import Event
from app.results.figures import (
    SMALLEST_PUBLIC_GROUP,
    TOP_ORGANISATIONS,
    Figure,
    arrived_by_organisation,
    organisations_figure,
    organiser_figures,
)


def _small(count) -> bool:
    return count is not None and 0 < count < SMALLEST_PUBLIC_GROUP


def _hide_small(value):
    return None if _small(value) else value


def _merged(figure: Figure, other_label: str) -> Figure:
    """Rows with any count of 1-4 added into one row `other_label` at the end; in it, a count
    still of 1-4 is hidden (None)."""
    kept, other = [], [0] * (len(figure.columns) - 1)
    for row in figure.rows:
        if row[0] == other_label or any(_small(v) for v in row[1:]):
            other = [a + b for a, b in zip(other, row[1:], strict=True)]
        else:
            kept.append(row)
    if any(other):
        kept.append((other_label, *map(_hide_small, other)))
    return replace(figure, rows=kept)


def _merged_runs(figure: Figure) -> Figure:
    """Arrivals: consecutive slots joined until they count 5 or more (an empty slot between
    runs stays, as 0); a short last run joins the run before it, or is left out when the
    whole day counts fewer than 5."""
    runs: list[tuple] = []
    pending = None
    for start, end, count in figure.rows:
        if pending is None and count == 0:
            runs.append((start, end, 0))
            continue
        pending = (pending[0] if pending else start, end, (pending[2] if pending else 0) + count)
        if pending[2] >= SMALLEST_PUBLIC_GROUP:
            runs.append(pending)
            pending = None
    counted = [index for index, run in enumerate(runs) if run[2]]
    if pending and counted:
        last = counted[-1]
        runs[last:] = [(runs[last][0], pending[1], runs[last][2] + pending[2])]
    return replace(figure, rows=runs if counted else [])


def _network_public(figure: Figure) -> Figure:
    """Organisations with fewer than 5 people at the tables in one row; then in each row the
    cells of 1-4 added into an "other tables" column, itself hidden when it counts 1-4."""
    other_label = _("Other organisations")
    kept, other = [], [0] * (len(figure.columns) - 1)
    for row in figure.rows:
        if row[0] == other_label or sum(row[1:]) < SMALLEST_PUBLIC_GROUP:
            other = [a + b for a, b in zip(other, row[1:], strict=True)]
        else:
            kept.append(row)
    if any(other):
        kept.append((other_label, *other))
    rows = []
    for name, *cells in kept:
        rest = sum(c for c in cells if _small(c))
        rows.append((name, *(0 if _small(c) else c for c in cells), _hide_small(rest)))
    return replace(
        figure,
        columns=[*figure.columns, _("Other tables")],
        column_keys=[*figure.column_keys, "other_tables"],
        rows=rows,
    )


def public_figures(event: Event) -> list[Figure]:
    """The figures anyone may see: counts only, no count of 1 to 4 anywhere. A group (a row)
    with such a count is added into "Other ..." (the organisations, the participant types, the
    languages); an "Other" row still that small, and day parts and tables (which cannot be
    merged), show None ("fewer than 5") instead; arrivals join consecutive slots until each
    counts 5; the network moves a row's small cells into "other tables". Zero is shown: it
    names no one."""
    exact = {figure.key: figure for figure in organiser_figures(event)}
    arrived = arrived_by_organisation(event)
    big_enough = {n: c for n, c in arrived.items() if c >= SMALLEST_PUBLIC_GROUP}
    small = sum(c for c in arrived.values() if c < SMALLEST_PUBLIC_GROUP)
    by_organisation = organisations_figure(big_enough, TOP_ORGANISATIONS)
    by_organisation = _merged(_with_other(by_organisation, small), _("Other organisations"))
    return [
        _merged_runs(exact["arrivals"]),
        _merged(exact["participant_types"], _("Other participants")),
        by_organisation,
        _hidden_cells(exact["day_parts"], 1),
        _hidden_cells(exact["table_fill"], 3),
        _merged(exact["languages"], _("Other languages")),
        _network_public(exact["network"]),
    ]


def _with_other(figure: Figure, count: int) -> Figure:
    """The organisations' figure with `count` more people in its "Other organisations" row."""
    if not count:
        return figure
    label = _("Other organisations")
    rows = [row for row in figure.rows if row[0] != label]
    other = sum(row[1] for row in figure.rows if row[0] == label) + count
    return replace(figure, rows=[*rows, (label, other)])


def _hidden_cells(figure: Figure, counted: int) -> Figure:
    """Counts of 1-4 (from column `counted` on) hidden (None)."""
    rows = [(*row[:counted], *map(_hide_small, row[counted:])) for row in figure.rows]
    return replace(figure, rows=rows)


def public_context(event: Event) -> dict:
    """Variables for templates/results/_figures.html on the public page: the figures that have
    something to show, each with its chart as SVG."""
    from app.results.charts import svg  # drawing is the charts' business; imported when needed

    return {"figures": [(figure, svg(figure)) for figure in public_figures(event) if figure.has_data]}
