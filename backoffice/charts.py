"""Charts drawn on the server as SVG: no JavaScript, no script nor style element, nothing fetched.

Each chart is an accessible image (``role="img"`` named by its ``<title>`` and ``<desc>``) and
carries the same figures as a data table (``Chart.table``), which the templates show under
« Voir les données ». Every piece of text goes through ``format_html``, so names typed by people
(téléservices, agents) are escaped; numbers are formatted here.

Colours are DSFR's « bleu France » and « orange terre battue », both above 3:1 against white (the
contrast asked of graphical objects), and a bar never relies on its colour alone: the legend, the
value written at its end and the table say the same."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

COLOURS = ("#000091", "#b34000")
TEXT, GRID, MARKER = "#161616", "#dddddd", "#161616"
WIDTH = 640
FONT = 13
LINE_CHARS = 24
CHAR_W, LEGEND_GAP = 7.5, 40  # the legend's layout: an average character's width at FONT


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]  # None: no figure (no bar, « — » in the table)


@dataclass(frozen=True)
class Marker:
    """A vertical tick across one row of a horizontal chart (a target, a limit)."""

    label: str
    values: Sequence[float | None]


@dataclass(frozen=True)
class DataTable:
    caption: str
    headers: Sequence[str]  # the first one heads the column of row labels
    rows: Sequence[tuple[str, Sequence[str]]]


@dataclass(frozen=True)
class Chart:
    key: str  # unique on the page: the ids of the title and description derive from it
    title: str
    description: str
    svg: SafeString
    table: DataTable

    @property
    def empty(self) -> bool:
        return not self.table.rows


# Columns of the data table that the chart does not draw: (header, one cell per category).
ExtraColumns = Sequence[tuple[str, Sequence[str]]]


def _table(
    title: str,
    category_header: str,
    categories: Sequence[str],
    series: Sequence[Series],
    marker: Marker | None = None,
    extra_columns: ExtraColumns = (),
) -> DataTable:
    columns: list[Series | Marker] = [*series, *([marker] if marker else [])]
    return DataTable(
        caption=title,
        headers=[category_header, *(c.label for c in columns), *(header for header, _cells in extra_columns)],
        rows=[
            (category, [*(fmt(c.values[i], 1) for c in columns), *(cells[i] for _header, cells in extra_columns)])
            for i, category in enumerate(categories)
        ],
    )


def fmt(value: float | None, decimals: int = 0) -> str:
    """A figure as French readers write it (« 12,5 »); « — » when there is none."""
    if value is None:
        return "—"
    return number_format(round(value, decimals), decimals if decimals and value != int(value) else 0)


def nice_step(raw: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10ⁿ at or above ``raw`` (> 0): a readable gap between ticks."""
    power = 10 ** math.floor(math.log10(raw))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if raw <= step * power * (1 + 1e-9))


def axis(peak: float, *, integer: bool = True, count: int = 4) -> list[float]:
    """Ticks from 0 to at least ``peak``, at most about ``count`` round steps; whole numbers only
    when counting dossiers."""
    step = nice_step(max(peak, 1 if integer else 0.1) / count)
    if integer:
        step = max(1, step * 2 if step % 1 else step)  # 2.5 → 5: counts step by whole numbers
    top = math.ceil(peak / step) * step if peak > 0 else step
    return [step * i for i in range(round(top / step) + 1)]


def _lines(label: str) -> list[str]:
    """A row label on one or two lines of LINE_CHARS, the rest cut with « … ». Never broken
    inside French quotes' spaces (« À traiter »)."""
    if len(label) <= LINE_CHARS:
        return [label]
    breaks, quoted = [], False
    for i, c in enumerate(label[: LINE_CHARS + 1]):
        quoted = (quoted or c == "«") and c != "»"
        if c == " " and not quoted:
            breaks.append(i)
    cut = breaks[-1] if breaks else LINE_CHARS
    first, rest = label[:cut].rstrip(), label[cut:].strip()
    if len(rest) > LINE_CHARS:
        rest = rest[: LINE_CHARS - 1].rstrip() + "…"
    return [first, rest]


def _n(value: float) -> str:
    """A coordinate: two decimals at most, no locale (SVG wants a dot)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _svg(key: str, title: str, description: str, height: float, body: SafeString) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" viewBox="0 0 {w} {h}" '
        'role="img" aria-labelledby="{k}-title {k}-desc" font-family="system-ui, Arial, sans-serif" '
        'font-size="{f}" fill="{t}">'
        '<title id="{k}-title">{title}</title><desc id="{k}-desc">{desc}</desc>{body}</svg>',
        w=WIDTH,
        h=_n(height),
        k=key,
        f=FONT,
        t=TEXT,
        title=title,
        desc=description,
        body=body,
    )


def _legend(labels: Sequence[str], y: float, x: float = 0) -> SafeString:
    parts = []
    for index, label in enumerate(labels):
        parts.append(
            format_html(
                '<rect x="{x}" y="{y}" width="12" height="12" fill="{c}"/><text x="{tx}" y="{ty}">{label}</text>',
                x=_n(x),
                y=_n(y),
                c=COLOURS[index % len(COLOURS)],
                tx=_n(x + 16),
                ty=_n(y + 10),
                label=label,
            )
        )
        x += LEGEND_GAP + CHAR_W * len(label)
    return mark_safe("".join(parts))  # noqa: S308 - joined format_html output


def column_chart(
    key: str,
    title: str,
    description: str,
    *,
    category_header: str,
    categories: Sequence[str],
    series: Sequence[Series],
    row_labels: Sequence[str] | None = None,
) -> Chart:
    """Vertical bars grouped by category (e.g. one group a week), one bar per series.
    ``row_labels`` name the rows of the data table when the axis labels are abridged."""
    left, right, top, plot_h = 40, 8, 32, 220
    height = top + plot_h + 40
    plot_w = WIDTH - left - right
    ticks = axis(max([v for s in series for v in s.values if v is not None] or [0]))
    scale_top = ticks[-1]
    group_w = plot_w / max(len(categories), 1)
    bar_w = group_w * 0.8 / max(len(series), 1)
    base = top + plot_h
    parts: list[SafeString] = [_legend([s.label for s in series], 4, left)]
    for tick in ticks:
        y = base - plot_h * tick / scale_top
        parts.append(
            format_html(
                '<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" stroke="{g}"/>'
                '<text x="{tx}" y="{ty}" text-anchor="end">{v}</text>',
                x1=left,
                x2=WIDTH - right,
                y=_n(y),
                g=GRID,
                tx=left - 4,
                ty=_n(y + 4),
                v=fmt(tick, 1),
            )
        )
    for i, category in enumerate(categories):
        x0 = left + i * group_w + group_w * 0.1
        for j, s in enumerate(series):
            value = s.values[i]
            if not value:
                continue
            h = plot_h * value / scale_top
            x = x0 + j * bar_w
            parts.append(
                format_html(
                    '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}"/>'
                    '<text x="{tx}" y="{ty}" text-anchor="middle" font-size="11">{v}</text>',
                    x=_n(x),
                    y=_n(base - h),
                    w=_n(bar_w - 1),
                    h=_n(h),
                    c=COLOURS[j % len(COLOURS)],
                    tx=_n(x + bar_w / 2),
                    ty=_n(base - h - 3),
                    v=fmt(value, 1),
                )
            )
        parts.append(
            format_html(
                '<text x="{x}" y="{y}" text-anchor="middle" font-size="11">{label}</text>',
                x=_n(left + i * group_w + group_w / 2),
                y=base + 16,
                label=category,
            )
        )
    parts.append(
        format_html('<line x1="{l}" x2="{r}" y1="{b}" y2="{b}" stroke="{t}"/>', l=left, r=WIDTH - right, b=base, t=TEXT)
    )
    svg = _svg(key, title, description, height, mark_safe("".join(parts)))  # noqa: S308 - format_html parts
    return Chart(key, title, description, svg, _table(title, category_header, row_labels or categories, series))


def bar_chart(
    key: str,
    title: str,
    description: str,
    *,
    category_header: str,
    categories: Sequence[str],
    series: Sequence[Series],
    marker: Marker | None = None,
    extra_columns: ExtraColumns = (),
    unit: str = "",
    integer: bool = True,
) -> Chart:
    """Horizontal bars, one row per category and one bar per series, with an optional marker
    per row (a target to compare with). ``integer``: the values are counts (whole-number axis)."""
    left, right, top = 180, 64, 32
    bar_h, gap = 18, 14
    row_h = bar_h * len(series) + gap
    plot_w = WIDTH - left - right
    values = [v for s in series for v in s.values if v is not None]
    if marker is not None:
        values += [v for v in marker.values if v is not None]
    ticks = axis(max(values or [0]), integer=integer)
    scale_top = ticks[-1]
    height = top + row_h * len(categories) + 24
    parts: list[SafeString] = [_legend([s.label for s in series], 4, left)]
    if marker is not None:
        x = left + sum(LEGEND_GAP + CHAR_W * len(s.label) for s in series)
        parts.append(
            format_html(
                '<line x1="{x}" x2="{x}" y1="2" y2="18" stroke="{m}" stroke-width="3" stroke-dasharray="4 2"/>'
                '<text x="{tx}" y="14">{label}</text>',
                x=_n(x),
                m=MARKER,
                tx=_n(x + 6),
                label=marker.label,
            )
        )
    bottom = top + row_h * len(categories)
    for tick in ticks:
        x = left + plot_w * tick / scale_top
        parts.append(
            format_html(
                '<line x1="{x}" x2="{x}" y1="{t}" y2="{b}" stroke="{g}"/>'
                '<text x="{x}" y="{ty}" text-anchor="middle" font-size="11">{v}</text>',
                x=_n(x),
                t=top,
                b=bottom,
                g=GRID,
                ty=bottom + 14,
                v=fmt(tick, 1),
            )
        )
    for i, category in enumerate(categories):
        y0 = top + i * row_h + gap / 2
        lines = _lines(category)
        middle = y0 + bar_h * len(series) / 2 + 4 - (len(lines) - 1) * FONT / 2
        parts.extend(
            format_html(
                '<text x="{x}" y="{y}" text-anchor="end">{label}</text>',
                x=left - 6,
                y=_n(middle + n * FONT),
                label=line,
            )
            for n, line in enumerate(lines)
        )
        for j, s in enumerate(series):
            value = s.values[i]
            y = y0 + j * bar_h
            w = plot_w * (value or 0) / scale_top
            parts.append(
                format_html(
                    '<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{c}"/><text x="{tx}" y="{ty}">{v}</text>',
                    x=left,
                    y=_n(y),
                    w=_n(w),
                    h=bar_h - 2,
                    c=COLOURS[j % len(COLOURS)],
                    tx=_n(left + w + 4),
                    ty=_n(y + bar_h - 5),
                    v=fmt(value, 1) + (unit if value is not None else ""),
                )
            )
        if marker is not None and marker.values[i] is not None:
            x = left + plot_w * (marker.values[i] or 0) / scale_top
            parts.append(
                format_html(
                    '<line x1="{x}" x2="{x}" y1="{y1}" y2="{y2}" stroke="{m}" stroke-width="3" '
                    'stroke-dasharray="4 2"/>',
                    x=_n(x),
                    y1=_n(y0 - 3),
                    y2=_n(y0 + bar_h * len(series) + 1),
                    m=MARKER,
                )
            )
    parts.append(
        format_html('<line x1="{l}" x2="{l}" y1="{t}" y2="{b}" stroke="{c}"/>', l=left, t=top, b=bottom, c=TEXT)
    )
    svg = _svg(key, title, description, height, mark_safe("".join(parts)))  # noqa: S308 - format_html parts
    table = _table(title, category_header, categories, series, marker, extra_columns)
    return Chart(key, title, description, svg, table)
