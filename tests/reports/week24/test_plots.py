"""The plots are SVG, deterministic, and draw what they are given."""

from __future__ import annotations

from trialdesk.reports.week24.plots import SwimmerLane, mean_with_ci, spaghetti, swimmer, waterfall
from trialdesk.reports.week24.stats import summarise

COURSES = {"001": [(1, 60.0), (2, 55.0), (4, 40.0)], "002": [(1, 70.0), (4, 65.0)]}


def test_spaghetti_is_deterministic_svg_with_one_line_per_participant() -> None:
    one = spaghetti(COURSES, title="疼痛 VAS", x_label="Visit", y_label="mm")
    two = spaghetti(COURSES, title="疼痛 VAS", x_label="Visit", y_label="mm")
    assert one.startswith("<?xml") and "<svg" in one
    assert one == two  # same data, same file
    assert one.count('id="line2d_') >= 2


def test_mean_with_ci_leaves_out_visits_without_data() -> None:
    points = [(1, summarise([1.0, 2.0, 3.0])), (2, summarise([])), (3, summarise([4.0]))]
    svg = mean_with_ci(points, title="t", x_label="x", y_label="y", zero_line=True)
    # text is drawn as paths, with the text itself beside it as a comment
    assert "n=3" in svg and "n=1" in svg and "n=0" not in svg
    assert svg.count("<svg") == 1


def test_swimmer_and_waterfall_render() -> None:
    lanes = [
        SwimmerLane("001", 168, events=((3, False, "headache"), (40, True, "knee effusion"))),
        SwimmerLane("002", 60, ended="withdrew"),
    ]
    svg = swimmer(lanes, title="Follow-up", x_label="Study day", event_label="AE",
                  serious_label="SAE", target_day=169, target_label="week 24")  # fmt: skip
    assert "<svg" in svg
    fall = waterfall({"001": -20.0, "002": 5.0, "003": -35.0}, title="Change", y_label="mm",
                     threshold=-10.0, threshold_label="MCID")  # fmt: skip
    assert "<svg" in fall and fall != svg
