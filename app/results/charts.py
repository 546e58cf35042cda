"""The figures drawn with matplotlib: SVG for the pages, PNG for the report's PDF.

Each chart is a matplotlib.figure.Figure of its own (no pyplot: nothing shared between
requests). Colours are Okabe and Ito's, told apart by colour-blind readers too; the network is
a heat map with its counts written in. The SVG is rewritten to suit the pages: its styles as
attributes (the pages' Content-Security-Policy refuses inline styles), ids prefixed (several
charts on one page), a <title> and a <desc> for screen readers, no fixed size.
"""

import io
import re
import textwrap
import xml.etree.ElementTree as ElementTree

import matplotlib
import matplotlib.ticker
import numpy
from flask_babel import gettext as _
from markupsafe import Markup
from matplotlib.figure import Figure as Canvas

from app.results.figures import HIDDEN, LABEL_KEYS, Figure, cell_text

matplotlib.use("Agg")
# Process-wide settings, the same for every chart: text stays text in the SVG (readable,
# searchable, escaped by matplotlib), "$" in an organisation's name is a dollar, not TeX, and
# the SVG's ids depend on its content only.
matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "noiday",
        "text.parse_math": False,
        "font.family": ["DejaVu Sans", "Noto Sans", "Noto Sans CJK JP", "Noto Sans Arabic", "sans-serif"],
        "font.size": 12,
        "axes.titlesize": 13,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7"]  # Okabe-Ito
INK = "#1a1a1a"
WIDTH = 8.0  # inches: an A4 page's text width at about 100%
SVG_WIDTH = 6.0  # inches: narrower on the pages, so that the text stays readable on a phone
PNG_DPI = 170
SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ElementTree.register_namespace("", SVG)
ElementTree.register_namespace("xlink", XLINK)


def counted_columns(figure: Figure) -> list[int]:
    """The columns of counts a chart draws as bars (not labels, rounds or capacities)."""
    return [i for i, key in enumerate(figure.column_keys) if key not in LABEL_KEYS]


def draw(figure: Figure) -> Canvas:
    """The figure's chart, drawn for its kind."""
    if figure.key == "arrivals":
        return _timeline(figure)
    if figure.key == "network":
        return _heat_map(figure)
    if figure.key == "table_fill":
        return _table_fill(figure)
    return _bars(figure, [str(row[0]) for row in figure.rows], counted_columns(figure))


def png(figure: Figure, dpi: int = PNG_DPI) -> bytes:
    buffer = io.BytesIO()
    draw(figure).savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def svg(figure: Figure, prefix: str | None = None) -> Markup:
    """The chart as an <svg> element to put in a page, safe to insert as it is."""
    buffer = io.StringIO()
    canvas = draw(figure)
    canvas.set_size_inches(SVG_WIDTH, canvas.get_size_inches()[1])  # laid out again at that width
    canvas.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return Markup(_accessible(buffer.getvalue(), figure, prefix or f"chart-{figure.key}"))


# ---- Drawings ---------------------------------------------------------------------------------


def _label(text: str, width: int = 34) -> str:
    """A long name on at most two lines, shortened with an ellipsis beyond."""
    lines = textwrap.wrap(" ".join(str(text).split()), width) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), width, placeholder="…")]
    return "\n".join(lines)


def _canvas(rows: int, per_row: float = 0.42, least: float = 2.6) -> tuple[Canvas, object]:
    canvas = Canvas(figsize=(WIDTH, max(least, 1.4 + rows * per_row)), layout="constrained")
    return canvas, canvas.add_subplot()


def _bars(figure: Figure, labels: list[str], columns: list[int]) -> Canvas:
    """Horizontal bars, one group per row, one bar per counted column, each with its count."""
    canvas, axes = _canvas(len(labels) * max(1, len(columns)) * 0.6 + 0.4)
    height = 0.8 / len(columns)
    for series, column in enumerate(columns):
        values = [row[column] for row in figure.rows]
        positions = [index + (series - (len(columns) - 1) / 2) * height for index in range(len(values))]
        bars = axes.barh(
            positions, [v or 0 for v in values], height, color=PALETTE[series], label=figure.columns[column]
        )
        axes.bar_label(bars, labels=[HIDDEN if v is None else str(v) for v in values], padding=3, fontsize=11)
    _finish_bars(axes, figure, labels, legend=len(columns) > 1)
    return canvas


def _finish_bars(axes, figure: Figure, labels: list[str], legend: bool) -> None:
    axes.set_yticks(range(len(labels)), [_label(label) for label in labels])
    axes.invert_yaxis()  # the first row at the top, as in the table
    axes.set_xlabel(_("People"))
    axes.margins(x=0.12)
    axes.xaxis.get_major_locator().set_params(integer=True)
    if legend:
        axes.figure.legend(loc="outside upper left", ncols=3, frameon=False)


def _table_fill(figure: Figure) -> Canvas:
    """One panel per round, side by side: per table, seated (light) and present (dark) as
    bars, its seats as a black tick."""
    rounds = sorted({row[1] for row in figure.rows})
    tables = list(dict.fromkeys(row[0] for row in figure.rows))
    canvas = Canvas(figsize=(WIDTH, 1.6 + 0.5 * len(tables)), layout="constrained")
    panels = canvas.subplots(1, len(rounds), sharey=True, squeeze=False)[0]
    for panel, round in zip(panels, rounds, strict=True):
        rows = [row for row in figure.rows if row[1] == round]
        for series, (column, height) in enumerate(((3, 0.8), (4, 0.45))):
            values = [row[column] for row in rows]
            bars = panel.barh(
                range(len(rows)), [v or 0 for v in values], height, color=PALETTE[4 if series == 0 else 0],
                label=figure.columns[column],
            )  # fmt: skip
            if series == 1:
                panel.bar_label(bars, labels=[_present_label(row) for row in rows], padding=3, fontsize=10)
        panel.scatter(
            [row[2] for row in rows], range(len(rows)), marker="|", s=300, color=INK, label=figure.columns[2]
        )
        panel.set_title(f"{_('Round')} {round}" if len(rounds) > 1 else "", fontsize=11)
        panel.set_xlabel(_("People"))
    panels[0].set_yticks(range(len(tables)), [_label(name, 26) for name in tables])
    panels[0].invert_yaxis()
    panels[-1].legend(loc="lower right", frameon=False, fontsize=9)
    return canvas


def _present_label(row: tuple) -> str:
    """ "present / seated" beside the bars, or nothing for an empty table."""
    seated, present = row[3], row[4]
    if not seated and not present:
        return ""
    return f"{cell_text(present)}/{cell_text(seated)}"


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _timeline(figure: Figure) -> Canvas:
    """Arrivals per slot as columns; the programme's items as numbered dashed lines where they
    start, the numbers explained under the chart (names over the columns would hide them)."""
    canvas = Canvas(figsize=(WIDTH, 4.6), layout="constrained")
    axes = canvas.add_subplot()
    values = [row[2] or 0 for row in figure.rows]
    bars = axes.bar(range(len(values)), values, 0.85, color=PALETTE[0], label=figure.columns[2])
    if len(values) <= 30:
        axes.bar_label(bars, labels=[str(v) if v else "" for v in values], padding=2, fontsize=11)
    ticks = _time_ticks(figure.rows)
    axes.set_xticks(ticks, [_slot_name(figure.rows[i]) for i in ticks])
    axes.tick_params(axis="x", labelrotation=45)
    axes.set_ylim(0, max(values, default=0) * 1.2 + 1)  # room for the items' numbers
    key = []
    for number, (when, title) in enumerate(_marks_in_range(figure), start=1):
        position = _position(figure.rows, _minutes(when))
        axes.axvline(position, color=PALETTE[3], linestyle="--", linewidth=1.2)
        axes.annotate(
            str(number), (position, 1), xycoords=("data", "axes fraction"), ha="center", va="top",
            fontsize=9, color="white", fontweight="bold",
            bbox={"boxstyle": "circle,pad=0.25", "facecolor": PALETTE[3], "edgecolor": "none"},
        )  # fmt: skip
        key.append(f"{number}  {when}  {textwrap.shorten(title, 80, placeholder='…')}")
    axes.set_xlabel("\n".join(key), loc="left", fontsize=9, color=INK, linespacing=1.5)
    axes.set_ylabel(_("People"))
    axes.yaxis.get_major_locator().set_params(integer=True)
    return canvas


def _slot_name(row: tuple) -> str:
    """A slot by its start; a longer one (joined on the public page) by its start and end."""
    start, end = row[0], row[1]
    return start if (_minutes(end) - _minutes(start)) % (24 * 60) <= 10 else f"{start}–{end}"


def _time_ticks(rows: list[tuple]) -> list[int]:
    """The slots to name: all of a short day, else those on the hour or half hour."""
    if len(rows) <= 12:
        return list(range(len(rows)))
    minutes = ("00",) if len(rows) > 36 else ("00", "30")
    return [i for i, row in enumerate(rows) if row[0].endswith(minutes)] or [0]


def _marks_in_range(figure: Figure) -> list[tuple[str, str]]:
    """The programme's items that start within the slots drawn, those at one time as one."""
    merged: dict[str, list[str]] = {}
    for when, title in figure.marks:
        if _position(figure.rows, _minutes(when)) is not None:
            merged.setdefault(when, []).append(" ".join(str(title).split()))
    return [(when, " / ".join(titles)) for when, titles in merged.items()]


def _position(rows: list[tuple], minute: int) -> float | None:
    """Where a time of day falls among the slots' columns (column i spans i-0.5 to i+0.5)."""
    for index, (start, end, _count) in enumerate(rows):
        begin, finish = _minutes(start), _minutes(end)
        finish += 24 * 60 if finish <= begin else 0
        if begin <= minute < finish:
            return index - 0.5 + (minute - begin) / (finish - begin)
    return None


def _heat_map(figure: Figure) -> Canvas:
    """Organisations down, tables across, each cell its count (darker: more people; empty: white)."""
    names = [row[0] for row in figure.rows]
    counts = [[cell or 0 for cell in row[1:]] for row in figure.rows]
    canvas = Canvas(figsize=(WIDTH, max(3.5, 2.6 + 0.5 * len(names))), layout="constrained")
    axes = canvas.add_subplot()
    colours = matplotlib.colormaps["cividis_r"].with_extremes(bad="white")
    top = max((max(row, default=0) for row in counts), default=0) or 1
    image = axes.imshow(numpy.ma.masked_equal(counts, 0), cmap=colours, aspect="auto", vmin=0, vmax=top)
    axes.set_xticks([x - 0.5 for x in range(1, len(figure.columns) - 1)], minor=True)
    axes.set_yticks([y - 0.5 for y in range(1, len(names))], minor=True)
    axes.grid(which="minor", color="#d0d0d0", linewidth=0.8)
    axes.tick_params(which="minor", length=0)
    for y, row in enumerate(figure.rows):
        for x, cell in enumerate(row[1:]):
            text = HIDDEN if cell is None else str(cell) if cell else ""
            axes.text(
                x,
                y,
                text,
                ha="center",
                va="center",
                fontsize=10,
                color=_ink_on(colours(image.norm(cell or 0))),
            )
    axes.set_xticks(range(len(figure.columns) - 1), [_label(c, 18) for c in figure.columns[1:]], fontsize=9)
    axes.tick_params(axis="x", labelrotation=35)
    axes.set_yticks(range(len(names)), [_label(n, 30) for n in names], fontsize=10)
    for side in ("left", "bottom"):
        axes.spines[side].set_visible(False)
    bar = canvas.colorbar(image, ax=axes, label=_("People"), shrink=0.8)
    bar.locator = matplotlib.ticker.MaxNLocator(integer=True)
    bar.update_ticks()
    return canvas


def _ink_on(rgba) -> str:
    """Black or white text, whichever reads better on a cell of this colour."""
    red, green, blue = rgba[:3]
    return INK if 0.299 * red + 0.587 * green + 0.114 * blue > 0.55 else "white"


# ---- The SVG made fit for a page ---------------------------------------------------------------

PRESENTATION = {
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linejoin", "stroke-linecap",
    "stroke-opacity", "stroke-dasharray", "stroke-dashoffset", "stroke-miterlimit", "opacity",
    "font-size", "font-family", "font-weight", "font-style", "text-anchor", "clip-path", "display",
}  # fmt: skip


def _accessible(text: str, figure: Figure, prefix: str) -> str:
    root = ElementTree.fromstring(text)
    for element in list(root):
        if element.tag in (f"{{{SVG}}}metadata",):
            root.remove(element)
    ids = {element.get("id") for element in root.iter() if element.get("id")}
    for element in root.iter():
        _styles_to_attributes(element)
        _prefix_ids(element, ids, prefix)
        for style in [child for child in element if child.tag == f"{{{SVG}}}style"]:
            element.remove(style)
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    root.set("stroke-linejoin", "round")  # what the removed <style> said, inherited instead
    root.set("class", "chart")
    root.set("role", "img")
    root.set("aria-labelledby", f"{prefix}-title {prefix}-desc")
    title = ElementTree.Element(f"{{{SVG}}}title", id=f"{prefix}-title")
    title.text = figure.title
    desc = ElementTree.Element(f"{{{SVG}}}desc", id=f"{prefix}-desc")
    desc.text = describe(figure)
    root.insert(0, desc)
    root.insert(0, title)
    return _quotes_escaped(ElementTree.tostring(root, encoding="unicode"))


_TEXT_NODE = re.compile(r">([^<]+)<")


def _quotes_escaped(svg: str) -> str:
    """Quotes in text as entities too, as the pages' templates write them: ElementTree leaves
    them bare in text (harmless there, but the page is checked for any typed text left raw).
    Text lies between tags, where ElementTree has already escaped every < and >."""
    return _TEXT_NODE.sub(lambda m: ">" + m.group(1).replace('"', "&#34;").replace("'", "&#39;") + "<", svg)


def _styles_to_attributes(element) -> None:
    style = element.attrib.pop("style", None)
    for declaration in (style or "").split(";"):
        name, _colon, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if name == "font":  # "12px 'DejaVu Sans'"
            size, _space, family = value.partition(" ")
            element.set("font-size", size)
            element.set("font-family", family)
        elif name in PRESENTATION:
            element.set(name, value)


def _prefix_ids(element, ids: set[str], prefix: str) -> None:
    if element.get("id"):
        element.set("id", f"{prefix}-{element.get('id')}")
    for name, value in list(element.attrib.items()):
        if "url(#" in value:
            element.set(name, re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", value))
        elif name == f"{{{XLINK}}}href" and value.startswith("#") and value[1:] in ids:
            element.set(name, f"#{prefix}-{value[1:]}")


def describe(figure: Figure, most: int = 12) -> str:
    """The figure's first rows in words, for screen readers (the whole table is under it)."""
    rows = [
        ", ".join(f"{column}: {cell_text(cell)}" for column, cell in zip(figure.columns, row, strict=False))
        for row in figure.rows[:most]
    ]
    more = len(figure.rows) - most
    return "; ".join(rows) + (f"; … (+{more})" if more > 0 else "")
