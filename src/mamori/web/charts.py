"""Bar charts as server-drawn SVG (no script, no CDN), each with its figures as a table.

The SVG is decorative for assistive technology (``aria-hidden``); the table next to it carries the
same numbers for screen readers and for anyone who wants the exact figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 36, 28, 10
# Colour-blind-safe, AA against white (Okabe–Ito, darkened).
COLOURS = ("#0b5cad", "#b35900", "#1a7f5a", "#8a3ffc")


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: list[int]


def _scale(series: list[Series]) -> int:
    top = max((sum(s.values[i] for s in series) for i in range(len(series[0].values))), default=0)
    return max(top, 1)


def stacked_bars(labels: list[str], series: list[Series]) -> Markup:
    """Stacked bars, one per label (e.g. a week), series bottom to top in the order given."""
    top = _scale(series)
    plot_h = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(labels), 1)
    parts = [f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg" aria-hidden="true">']
    for tick in (0, top // 2, top):
        y = TOP + plot_h - plot_h * tick / top
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5dae0"/>')
        label_at = f'x="{LEFT - 6}" y="{y + 4:.1f}"'
        parts.append(f'<text {label_at} font-size="11" text-anchor="end" fill="#4f5863">{tick}</text>')
    for i, label in enumerate(labels):
        x, base = LEFT + i * slot + slot * 0.15, float(TOP + plot_h)
        for n, s in enumerate(series):
            h = plot_h * s.values[i] / top
            base -= h
            if h:
                parts.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                             f'fill="{COLOURS[n % len(COLOURS)]}"/>')  # fmt: skip
        parts.append(f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - 8}" font-size="10" text-anchor="middle" '
                     f'fill="#4f5863">{escape(label)}</text>')  # fmt: skip
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers and escaped labels only


def legend(series: list[Series]) -> list[dict[str, str]]:
    return [{"label": s.label, "colour": COLOURS[n % len(COLOURS)]} for n, s in enumerate(series)]
