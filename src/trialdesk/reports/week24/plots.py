"""The week-24 report's plots, where people would rather look than read, as SVG text.

- each participant's course over the visits (a spaghetti plot);
- the mean with its 95% interval at each visit;
- a swimmer plot: each participant's follow-up as a bar, adverse events marked on it
  (serious ones filled), the end of participation said;
- a waterfall of each participant's change from baseline, sorted.

Every text is given by the caller, already in the reader's language; Chinese glyphs come
from WenQuanYi Zen Hei where installed (Debian fonts-wqy-zenhei), and are drawn as paths so
the SVG shows the same on any machine. The SVG is deterministic (no date, a fixed hash
salt): the same data give the same file.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display: files only

import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from trialdesk.reports.week24.stats import Summary  # noqa: E402

__all__ = ["SwimmerLane", "mean_with_ci", "spaghetti", "swimmer", "waterfall"]

_STYLE: dict[str, Any] = {
    "font.family": "sans-serif",
    # one font for both scripts (text drawn as paths takes no per-glyph fallback)
    "font.sans-serif": ["WenQuanYi Zen Hei", "DejaVu Sans"],
    "axes.unicode_minus": False,  # WenQuanYi has no U+2212: a hyphen-minus instead
    "svg.fonttype": "path",
    "svg.hashsalt": "trialdesk",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.dpi": 100,
}
_INK, _MUTED, _ALERT = "#1f4e79", "#8a9bb0", "#b3261e"


def _styled() -> AbstractContextManager[None]:
    return plt.rc_context(_STYLE)  # type: ignore[arg-type]  # matplotlib types keys as literals


def _svg(figure: Figure, png: bool = False) -> str:
    """The figure as SVG text; ``png``: as a PNG data URI instead (for the PDF, whose
    reportlab draws no SVG), at 150 dpi."""
    if png:
        raw = io.BytesIO()
        figure.savefig(raw, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
        plt.close(figure)
        return "data:image/png;base64," + base64.b64encode(raw.getvalue()).decode("ascii")
    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    return out.getvalue()


def spaghetti(
    courses: Mapping[str, Sequence[tuple[float, float]]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    ticks: Mapping[float, str] | None = None,
    png: bool = False,
) -> str:
    """Each participant's values over time (x: study day or visit number), one line each."""
    with _styled():
        figure, axes = plt.subplots(figsize=(7, 4))
        for subject in sorted(courses):
            points = sorted(courses[subject])
            axes.plot([p[0] for p in points], [p[1] for p in points], color=_MUTED,
                      marker="o", markersize=3, linewidth=1, label=subject)  # fmt: skip
        _finish(axes, title, x_label, y_label, ticks)
        return _svg(figure, png)


def mean_with_ci(
    points: Sequence[tuple[float, Summary]],
    *,
    title: str,
    x_label: str,
    y_label: str,
    ticks: Mapping[float, str] | None = None,
    zero_line: bool = False,
    png: bool = False,
) -> str:
    """The mean at each x with its confidence interval as an error bar (points without a
    mean are left out; a mean without an interval, n = 1, has no bar)."""
    shown = [(x, s) for x, s in sorted(points, key=lambda p: p[0]) if s.mean is not None]
    with _styled():
        figure, axes = plt.subplots(figsize=(7, 4))
        xs = [x for x, _ in shown]
        means = [s.mean or 0.0 for _, s in shown]
        below = [(s.mean or 0.0) - s.low if s.low is not None else 0.0 for _, s in shown]
        above = [s.high - (s.mean or 0.0) if s.high is not None else 0.0 for _, s in shown]
        axes.errorbar(xs, means, yerr=[below, above], color=_INK, marker="o", capsize=4)
        for x, s in shown:
            axes.annotate(f"n={s.n}", (x, s.mean or 0.0), textcoords="offset points",
                          xytext=(6, 6), fontsize=8, color=_MUTED)  # fmt: skip
        if zero_line:
            axes.axhline(0, color=_MUTED, linewidth=0.8, linestyle="--")
        _finish(axes, title, x_label, y_label, ticks)
        return _svg(figure, png)


@dataclass(frozen=True)
class SwimmerLane:
    """One participant's follow-up: from day 1 to ``last_day``; ``ended``: why it ended
    early (None: still in follow-up or completed); events: (study day, serious, label)."""

    subject: str
    last_day: int
    ended: str | None = None
    events: tuple[tuple[int, bool, str], ...] = ()


def swimmer(
    lanes: Sequence[SwimmerLane],
    *,
    title: str,
    x_label: str,
    event_label: str,
    serious_label: str,
    target_day: int | None = None,
    target_label: str | None = None,
    png: bool = False,
) -> str:
    """Follow-up bars per participant with their adverse events marked."""
    ordered = sorted(lanes, key=lambda lane: (lane.last_day, lane.subject))
    with _styled():
        figure, axes = plt.subplots(figsize=(7, max(2.5, 0.35 * len(ordered) + 1)))
        for y, lane in enumerate(ordered):
            color = _ALERT if lane.ended else _INK
            axes.barh(y, lane.last_day, left=0, height=0.5, color=color, alpha=0.35)
            if lane.ended:
                axes.annotate(lane.ended, (lane.last_day, y), textcoords="offset points",
                              xytext=(4, -3), fontsize=7, color=_ALERT)  # fmt: skip
            for day, serious, _label in lane.events:
                axes.plot(day, y, marker="D" if serious else "o", markersize=6,
                          color=_ALERT if serious else _INK,
                          fillstyle="full" if serious else "none")  # fmt: skip
        axes.set_yticks(range(len(ordered)), [lane.subject for lane in ordered], fontsize=8)
        if target_day is not None:
            axes.axvline(target_day, color=_MUTED, linestyle="--", linewidth=0.8)
            if target_label:  # at the top of the axes, whatever the number of lanes
                axes.text(target_day, 1.0, target_label, transform=axes.get_xaxis_transform(),
                          fontsize=8, color=_MUTED, ha="right", va="bottom")  # fmt: skip
        axes.plot([], [], marker="o", linestyle="", color=_INK, fillstyle="none",
                  label=event_label)  # fmt: skip
        axes.plot([], [], marker="D", linestyle="", color=_ALERT, label=serious_label)
        axes.legend(loc="lower left", bbox_to_anchor=(0.0, -0.35), ncol=2, fontsize=8,
                    frameon=False)  # fmt: skip
        _finish(axes, title, x_label, "", None)
        return _svg(figure, png)


def waterfall(
    changes: Mapping[str, float],
    *,
    title: str,
    y_label: str,
    threshold: float | None = None,
    threshold_label: str | None = None,
    png: bool = False,
) -> str:
    """Each participant's change from baseline as a bar, from the largest rise to the
    largest fall (ties by subject); ``threshold``: a reference line (e.g. a minimal
    clinically important difference)."""
    ordered = sorted(changes.items(), key=lambda kv: (-kv[1], kv[0]))
    with _styled():
        figure, axes = plt.subplots(figsize=(7, 4))
        colors = [_ALERT if v > 0 else _INK for _, v in ordered]
        axes.bar(range(len(ordered)), [v for _, v in ordered], color=colors)
        axes.set_xticks(range(len(ordered)), [k for k, _ in ordered], rotation=90, fontsize=7)
        axes.axhline(0, color="black", linewidth=0.8)
        if threshold is not None:
            axes.axhline(threshold, color=_MUTED, linestyle="--", linewidth=0.8,
                         label=threshold_label)  # fmt: skip
            if threshold_label:
                axes.legend(fontsize=8, frameon=False)
        _finish(axes, title, "", y_label, None)
        return _svg(figure, png)


def _finish(
    axes: Axes, title: str, x_label: str, y_label: str, ticks: Mapping[float, str] | None
) -> None:
    axes.set_title(title, fontsize=11, loc="left")
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    if ticks:
        axes.set_xticks(list(ticks), list(ticks.values()), fontsize=8)
    axes.grid(axis="y", color="#e5e5e5", linewidth=0.6)
