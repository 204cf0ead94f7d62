"""Small bar charts drawn on the server as SVG (no chart library, no script)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

WIDTH, HEIGHT, PAD = 320, 120, 18


def bar_chart(
    points: Sequence[tuple[int, int]], *, label: str, describe: Callable[[int], str]
) -> str:
    """Bars of ``(x, value)``; ``label`` names the chart for screen readers, and each bar
    carries its value as a title (``describe`` formats it)."""
    if not points:
        return ""
    top = max(v for _, v in points) or 1
    step = (WIDTH - 2 * PAD) / len(points)
    bar = max(step * 0.7, 1.0)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#4a4a4a" stroke-width="1"/>',
    ]
    for i, (x, value) in enumerate(points):
        h = (HEIGHT - 2 * PAD) * value / top
        left = PAD + i * step + (step - bar) / 2
        parts.append(
            f'<rect x="{left:.1f}" y="{HEIGHT - PAD - h:.1f}" width="{bar:.1f}" '
            f'height="{h:.1f}" fill="#0b4fbf"><title>{escape(str(x))}: '
            f"{escape(describe(value))}</title></rect>"
        )
        if len(points) <= 10 or i % 5 == 0 or i == len(points) - 1:
            parts.append(
                f'<text x="{left + bar / 2:.1f}" y="{HEIGHT - 4}" text-anchor="middle">{x}</text>'
            )
    parts.append(f'<text x="{PAD}" y="12">{escape(describe(top))}</text></svg>')
    return "".join(parts)
