"""Charts for the report as HTML and inline SVG, drawn by the browser that shows the page.

Why not matplotlib (the report's charts until issue 25): it cannot shape Arabic (a label name
came out as separate letters, left to right), it reads ``$...$`` in a name as math text and
crashed on ``$\\undefinedmacro$`` (issue 28), and it took seconds to import and draw. Here every
name is text in the page: escaped once by :func:`html.escape`, shaped and ordered by the browser,
isolated with ``<bdi>`` so a Latin or numeric name keeps its order inside the right-to-left page.
Figures are Western digits in left-to-right isolates.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

# A chart is at least this wide (px): room for its first and last label (an ISO date is about 65 px
# at 11 px) side by side, so a first day's single column shows its whole date.
MIN_WIDTH = 160.0
PALETTE = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c", "#ccb974", "#64b5cd")


def esc(value: object) -> str:
    return html.escape(str(value))


def isolate(value: object, direction: str = "auto") -> str:
    """``value`` as text in its own bidi isolate: a number or Latin name reads the same inside Arabic."""
    return f'<bdi dir="{direction}">{esc(value)}</bdi>'


def figure(value: float | int | None, digits: int = 2) -> str:
    """A figure as a left-to-right isolate (a negative alpha stays ``-0.50``, never ``0.50-``)."""
    if value is None:
        return '<bdi dir="ltr">–</bdi>'
    shown = f"{value:,}" if isinstance(value, int) else f"{value:.{digits}f}"
    return f'<bdi dir="ltr" class="figure">{shown}</bdi>'


def shown_seconds(seconds: float) -> str:
    """A time per task as read at a glance: tenths under 10 s (a quick yes/no task is not "0")."""
    return f"{seconds:.1f}" if seconds < 10 else f"{seconds:,.0f}"


def bars(counts: Mapping[str, int], *, limit: int = 20, names: Mapping[str, str] | None = None) -> str:
    """Horizontal bars, largest first: a name (or its display name), a bar, the count."""
    if not counts:
        return "<p>none</p>"
    top = sorted(counts, key=lambda key: (-counts[key], key))[:limit]
    largest = max(counts[key] for key in top) or 1
    rows = "".join(
        f"<div class='bar-row'><span class='bar-name'>{(names or {}).get(key) or isolate(key)}</span>"
        f"<span class='bar-track'><span class='bar' style='width:{100 * counts[key] / largest:.1f}%'></span></span>"
        f"<span class='bar-value'>{figure(counts[key])}</span></div>"
        for key in top
    )
    more = len(counts) - len(top)
    tail = f"<p class='meta'>and {figure(more)} more</p>" if more > 0 else ""
    return f"<div class='bars'>{rows}</div>{tail}"


def histogram(lengths: Mapping[int, int], unit: str, bins: int = 24) -> str:
    """Counts of lengths in ``bins`` equal bins up to the 99th percentile (the longest 1% in the last)."""
    if not lengths:
        return "<p>none</p>"
    total = sum(lengths.values())
    seen, top = 0, max(lengths)
    for length in sorted(lengths):
        seen += lengths[length]
        if seen >= 0.99 * total:
            top = length
            break
    width = max(1, -(-(top + 1) // bins))
    counts = [0] * bins
    for length, n in lengths.items():
        counts[min(bins - 1, length // width)] += n
    labels = [f"{i * width}–{(i + 1) * width - 1}" for i in range(bins)]
    labels[-1] = f"≥ {(bins - 1) * width}"
    return columns(labels, {unit: counts}, axis=f"{unit}, {total:,} in all")


def columns(labels: Sequence[str], series: Mapping[str, Sequence[float]], *, axis: str = "", height: int = 140) -> str:
    """Stacked columns, one per label (a day, a bin), left to right as time runs; an SVG whose
    text is only the first and last label and the largest total, with a legend in HTML."""
    if not labels:
        return "<p>none</p>"
    totals = [sum(values[i] for values in series.values()) for i in range(len(labels))]
    largest = max(totals) or 1
    step = max(4.0, min(640 / len(labels), max(48.0, MIN_WIDTH / len(labels))))
    width = step * len(labels)
    rects = []
    for i in range(len(labels)):
        base = 0.0
        for colour, (name, values) in zip(PALETTE * 10, series.items(), strict=False):
            size = height * values[i] / largest
            if size:
                rects.append(
                    f"<rect x='{i * step + 1:.1f}' y='{height - base - size:.1f}' width='{step - 2:.1f}' height='{size:.1f}' "
                    f"fill='{colour}'><title>{esc(labels[i])}: {esc(name)} {values[i]:,}</title></rect>"
                )
                base += size
    axis_text = _ends(labels, width, height) + f"<text x='0' y='10' font-size='11'>max {largest:,.0f}</text>"
    svg = (
        f"<svg class='chart' role='img' viewBox='0 0 {width:.0f} {height + 18}' width='{width:.0f}' height='{height + 18}' "
        f"direction='ltr'><line x1='0' y1='{height}' x2='{width:.0f}' y2='{height}' stroke='#999'/>{''.join(rects)}{axis_text}</svg>"
    )
    return f"<div class='chart-box' dir='ltr'>{svg}{legend(series, axis)}</div>"


def lines(labels: Sequence[str], series: Mapping[str, Sequence[float | None]], *, low: float = -1.0, high: float = 1.0,
          axis: str = "", height: int = 140, names: Mapping[str, str] | None = None) -> str:  # fmt: skip
    """One line per series over ``labels`` (days), between ``low`` and ``high``; a gap where a value is None.
    ``names``: a series' display name (HTML) in the legend, as :func:`bars` takes them."""
    if not labels or not series:
        return "<p>none</p>"
    gaps = len(labels) - 1
    step = max(8.0, min(640 / gaps, max(48.0, MIN_WIDTH / gaps))) if gaps else 0.0
    width = step * gaps or MIN_WIDTH

    def x_of(index: int) -> float:
        return index * step if gaps else width / 2  # a first day's points stand in the middle, above its date

    def y(value: float) -> float:
        return height - height * (min(high, max(low, value)) - low) / (high - low)

    paths = []
    for colour, (name, values) in zip(PALETTE * 10, series.items(), strict=False):
        points = [(x_of(i), y(v)) for i, v in enumerate(values) if v is not None]
        if points:
            path = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in points)
            dots = "".join(f"<circle cx='{x:.1f}' cy='{yy:.1f}' r='2.5' fill='{colour}'/>" for x, yy in points)
            paths.append(f"<g><title>{esc(name)}</title><polyline points='{path}' fill='none' stroke='{colour}' stroke-width='2'/>{dots}</g>")
    grid = "".join(
        f"<line x1='0' y1='{y(v):.1f}' x2='{width:.0f}' y2='{y(v):.1f}' stroke='#ddd'/>"
        f"<text x='{width + 4:.0f}' y='{y(v) + 4:.1f}' font-size='11'>{v:g}</text>"
        for v in (low, (low + high) / 2, high)
    )
    axis_text = _ends(labels, width, height)
    svg = (
        f"<svg class='chart' role='img' viewBox='0 -6 {width + 30:.0f} {height + 24}' width='{width + 30:.0f}' "
        f"height='{height + 24}' direction='ltr'>{grid}{''.join(paths)}{axis_text}</svg>"
    )
    return f"<div class='chart-box' dir='ltr'>{svg}{legend(series, axis, names)}</div>"


def _ends(labels: Sequence[str], width: float, height: int) -> str:
    """The first and last label under a chart's axis; a single label centred (never drawn twice over itself)."""
    y = height + 14
    if len(labels) == 1:
        return f"<text x='{width / 2:.0f}' y='{y}' font-size='11' text-anchor='middle'>{esc(labels[0])}</text>"
    return (f"<text x='0' y='{y}' font-size='11'>{esc(labels[0])}</text>"
            f"<text x='{width:.0f}' y='{y}' font-size='11' text-anchor='end'>{esc(labels[-1])}</text>")  # fmt: skip


def legend(series: Mapping[str, object], axis: str = "", names: Mapping[str, str] | None = None) -> str:
    keys = "".join(
        f"<span class='key'><span class='swatch' style='background:{colour}'></span>{(names or {}).get(name) or isolate(name)}</span>"
        for colour, name in zip(PALETTE * 10, series, strict=False)
    )
    caption = f"<span class='meta'>{esc(axis)}</span>" if axis else ""
    return f"<div class='legend' dir='auto'>{keys}{caption}</div>"
