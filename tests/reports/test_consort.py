"""The CONSORT enrolment diagram: adds up, is safe to inline, readable, and never overlaps."""

from __future__ import annotations

import dataclasses
import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialdesk.reports.consort import (
    ConsortCounts,
    ConsortLayout,
    consort_layout,
    consort_svg,
    text_width,
)
from trialdesk.reports.consort.style import MAX_ITEM_LINES, PAD

SVG = "{http://www.w3.org/2000/svg}"
TRICKY = "Not meeting inclusion criteria: I3 RA duration < 6 months & \"active\" <b>'x'</b>"


def example(**changes: object) -> ConsortCounts:
    counts = ConsortCounts(
        study_id="RA-2026-01",
        assessed=40,
        excluded_by_reason=((TRICKY, 6), ("Meeting exclusion criteria: E2 prior biologic", 4)),
        declined=3,
        other_excluded=1,
        in_screening=7,
        enrolled=19,
        withdrawn_after_enrolment=2,
        target=30,
    )
    return dataclasses.replace(counts, **changes)  # type: ignore[arg-type]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def visible_text(root: ET.Element) -> str:
    """The drawn text in document order; wrapped lines rejoin with single spaces."""
    return " ".join(t.text or "" for t in root.iter(f"{SVG}text"))


def desc(root: ET.Element) -> str:
    element = root.find(f"{SVG}desc")
    assert element is not None and element.text
    return element.text


def rects(root: ET.Element) -> dict[str, tuple[float, float, float, float]]:
    """Each box's (x, y, width, height), read back from the SVG itself."""
    found = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("class") == "consort-box":
            rect = group.find(f"{SVG}rect")
            assert rect is not None
            found[group.get("data-box", "")] = tuple(
                float(rect.get(a, "nan")) for a in ("x", "y", "width", "height")
            )
    return found  # type: ignore[return-value]


def assert_safe(svg: str) -> None:
    """Nothing a strict CSP would block or that could fetch or run: checked on the parsed tree,
    since label text may legitimately contain words like "href"."""
    for element in parse(svg).iter():
        name = element.tag.removeprefix(SVG).lower()
        assert name not in {"script", "style", "image", "foreignobject", "a", "use"}, name
        for key, value in element.attrib.items():
            key = key.rsplit("}", 1)[-1].lower()
            assert key != "style" and key != "href" and not key.startswith("on"), key
            assert "url(" not in value and "javascript:" not in value.lower(), value


def assert_no_banned_text(svg: str) -> None:
    """The literal checks, for diagrams whose labels don't mention these words."""
    lowered = svg.lower()
    for banned in ("<script", "style=", "href", "url(", "<image", "<foreignobject", "@import"):
        assert banned not in lowered, banned


def assert_geometry(counts: ConsortCounts, layout: ConsortLayout, svg: str) -> None:
    """Boxes inside the viewBox, pairwise apart, text inside its box, SVG matching layout."""
    root = parse(svg)
    view = [float(v) for v in root.get("viewBox", "").split()]
    assert view == [0, 0, layout.width, layout.height]
    drawn = rects(root)
    below = ["withdrawn"] if counts.follow_up is None else ["allocation", "follow_up", "analysis"]
    assert list(drawn) == ["assessed", "excluded", "in_screening", "enrolled", *below]
    for box in layout.boxes:
        assert drawn[box.key] == (box.x, box.y, box.width, box.height)
        assert box.x > 0 and box.x + box.width < layout.width
        assert box.y > 0 and box.bottom < layout.height
        for line in box.lines:
            assert box.y + PAD < line.y < box.bottom - PAD / 2, (box.key, line)
            assert line.x + text_width(line.text) <= box.x + box.width - PAD + 0.01, line
    for a, b in itertools.combinations(layout.boxes, 2):
        apart_x = a.x + a.width <= b.x or b.x + b.width <= a.x
        apart_y = a.bottom <= b.y or b.bottom <= a.y
        assert apart_x or apart_y, (a.key, b.key)
    top_down = [layout.box(k) for k in ("assessed", "excluded", "in_screening", "enrolled")]
    assert all(a.bottom < b.y for a, b in itertools.pairwise(top_down))
    trunk = [layout.box(k) for k in ("enrolled", *below)]
    assert all(a.bottom < b.y for a, b in itertools.pairwise(trunk))


def test_svg_is_well_formed_accessible_and_scales() -> None:
    svg = consort_svg(example())
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width") == "100%" and root.get("height") is None
    assert len(root.get("viewBox", "").split()) == 4
    first, second = root[0], root[1]
    assert first.tag == f"{SVG}title" and "RA-2026-01" in (first.text or "")
    assert second.tag == f"{SVG}desc"
    assert_safe(svg)
    assert_no_banned_text(svg)


def test_every_count_and_label_is_shown_and_described() -> None:
    counts = example()
    root = parse(consort_svg(counts))
    shown, said = visible_text(root), desc(root)
    for text in (
        "Assessed for eligibility (n=40)",
        "Excluded (n=14)",
        f"{TRICKY} (n=6)",
        "Meeting exclusion criteria: E2 prior biologic (n=4)",
        "Declined to participate (n=3)",
        "Other reasons (n=1)",
        "Still in screening (n=7)",
        "Enrolled (n=19 of target 30)",
        "63% of target enrolment",
        "Withdrawn after enrolment (n=2)",
    ):
        assert text in shown, text
    for text in ("40", f"{TRICKY}: 6", "E2 prior biologic: 4", "declined to participate: 3"):
        assert text in said, text
    for text in ("other reasons: 1", "Still in screening", ": 7", "19 of a target of 30"):
        assert text in said, text
    assert "Withdrawn after enrolment: 2" in said


def test_labels_are_escaped_not_injected() -> None:
    svg = consort_svg(example())
    assert "I3 RA duration &lt; 6 months &amp;" in svg
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert [e.tag for e in parse(svg).iter() if e.tag.endswith("}b") or e.tag == "b"] == []


def test_characters_xml_cannot_carry_are_replaced() -> None:
    counts = example(
        study_id="S\x00-1\x1b",
        excluded_by_reason=(("bad\x01 label\ufffe\nwith newline", 6), ("", 4)),
    )
    root = parse(consort_svg(counts))
    shown = visible_text(root)
    assert "bad\ufffd label\ufffd with newline (n=6)" in shown
    assert "Unspecified reason (n=4)" in shown


def test_reasons_are_listed_largest_first() -> None:
    counts = example(excluded_by_reason=(("small", 1), ("large", 8), ("mid", 3), ("tie", 3)))
    counts = dataclasses.replace(counts, assessed=counts.excluded + 7 + 19)
    shown = visible_text(parse(consort_svg(counts)))
    positions = [shown.index(f"{label} (n=") for label in ("large", "mid", "tie", "small")]
    assert positions == sorted(positions)


def test_long_label_is_shortened_keeping_its_count_and_full_text_as_tooltip() -> None:
    long = "Meeting exclusion criteria: " + " ".join(f"condition{i}" for i in range(60))
    unbroken = "X" * 400
    counts = example(excluded_by_reason=((long, 6), (unbroken, 4)))
    layout = consort_layout(counts)
    svg = consort_svg(counts)
    items = [b for b in layout.box("excluded").blocks if b.full_text is not None]
    assert [b.full_text for b in items] == [long, unbroken]
    for block, n in zip(items, (6, 4), strict=True):
        texts = [line.text for line in block.lines[1:]]  # [0] is the bullet
        assert len(texts) == MAX_ITEM_LINES
        assert texts[-1].endswith(f"\u2026 (n={n})")
    root = parse(svg)
    tooltips = [t.text for g in root.iter(f"{SVG}g") for t in g.findall(f"{SVG}title")]
    assert tooltips == [long, unbroken]
    assert long in desc(root) and unbroken in desc(root)
    assert_geometry(counts, layout, svg)


def test_zero_candidates_gives_a_complete_diagram() -> None:
    counts = ConsortCounts("NEW-1", 0, (), 0, 0, 0, 0, 0, target=24)
    svg = consort_svg(counts)
    root = parse(svg)
    shown = visible_text(root)
    for text in (
        "Assessed for eligibility (n=0)",
        "No candidates assessed yet",
        "Excluded (n=0)",
        "Declined to participate (n=0)",
        "Other reasons (n=0)",
        "Still in screening (n=0)",
        "Enrolled (n=0 of target 24)",
        "0% of target enrolment",
        "Withdrawn after enrolment (n=0)",
    ):
        assert text in shown, text
    assert "No candidates assessed yet." in desc(root)
    assert_geometry(counts, consort_layout(counts), svg)
    assert_safe(svg)
    assert_no_banned_text(svg)


@pytest.mark.parametrize(
    ("target", "heading", "note"),
    [(None, "Enrolled (n=19)", "No target enrolment set"), (0, "of target 0", "Target")],
)
def test_enrolled_without_a_usable_target(target: int | None, heading: str, note: str) -> None:
    shown = visible_text(parse(consort_svg(example(target=target))))
    assert heading in shown and note in shown and "%" not in shown


def test_excluded_sums_reasons_declined_and_other() -> None:
    assert example().excluded == 6 + 4 + 3 + 1
    example().check()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"assessed": 41}, r"assessed \(41\) != excluded \(14\)"),
        ({"enrolled": 18}, "assessed"),
        ({"declined": -1, "other_excluded": 5}, "declined is negative"),
        ({"excluded_by_reason": (("a", -2), ("b", 12))}, "excluded for 'a' is negative"),
        ({"target": -1}, "target is negative"),
        ({"assessed": -1, "enrolled": -41}, "negative"),
        ({"withdrawn_after_enrolment": 20}, r"withdrawn after enrolment \(20\) exceeds"),
    ],
)
def test_check_catches_inconsistent_counts(changes: dict[str, object], message: str) -> None:
    counts = example(**changes)
    with pytest.raises(ValueError, match=message):
        counts.check()
    with pytest.raises(ValueError, match=message):
        consort_svg(counts)


def test_arrows_run_from_the_trunk_to_each_next_box() -> None:
    layout = consort_layout(example())
    trunk, to_excluded, to_screening, to_withdrawn = layout.arrows
    assessed, enrolled = layout.box("assessed"), layout.box("enrolled")
    assert trunk.points[0][1] == assessed.bottom and trunk.points[-1][1] == enrolled.y
    for arrow, key in ((to_excluded, "excluded"), (to_screening, "in_screening")):
        box = layout.box(key)
        (x0, y0), (x1, y1) = arrow.points
        assert x0 == trunk.points[0][0] and x1 == box.x and y0 == y1
        assert box.y < y1 < box.bottom
    assert to_withdrawn.points[0][1] == enrolled.bottom
    assert to_withdrawn.points[-1][1] == layout.box("withdrawn").y


labels = st.text(st.characters(exclude_categories=["Cs"]), max_size=160)
small = st.integers(0, 10_000)


@st.composite
def consistent_counts(draw: st.DrawFn) -> ConsortCounts:
    reasons = tuple(draw(st.lists(st.tuples(labels, small), max_size=8)))
    declined, other, in_screening, enrolled = (draw(small) for _ in range(4))
    counts = ConsortCounts(
        study_id=draw(labels),
        assessed=0,
        excluded_by_reason=reasons,
        declined=declined,
        other_excluded=other,
        in_screening=in_screening,
        enrolled=enrolled,
        withdrawn_after_enrolment=draw(st.integers(0, enrolled)),
        target=draw(st.none() | st.integers(0, 100_000)),
    )
    return dataclasses.replace(counts, assessed=counts.excluded + in_screening + enrolled)


@settings(max_examples=60, deadline=None)
@given(consistent_counts())
def test_any_consistent_counts_draw_a_sound_diagram(counts: ConsortCounts) -> None:
    svg = consort_svg(counts)
    assert_safe(svg)
    root = parse(svg)
    assert desc(root)
    assert_geometry(counts, consort_layout(counts), svg)
    shown = visible_text(root)
    assert f"(n={counts.assessed})" in shown and f"Excluded (n={counts.excluded})" in shown


@settings(max_examples=30, deadline=None)
@given(consistent_counts())
def test_boxes_grow_with_each_reason_and_push_the_rest_down(counts: ConsortCounts) -> None:
    def layout_with(k: int) -> ConsortLayout:
        reasons = counts.excluded_by_reason[:k]
        excluded = sum(n for _, n in reasons) + counts.declined + counts.other_excluded
        assessed = excluded + counts.in_screening + counts.enrolled
        return consort_layout(
            dataclasses.replace(counts, excluded_by_reason=reasons, assessed=assessed)
        )

    layouts = [layout_with(k) for k in range(len(counts.excluded_by_reason) + 1)]
    for before, after in itertools.pairwise(layouts):
        assert after.box("excluded").height > before.box("excluded").height
        assert after.box("enrolled").y > before.box("enrolled").y
        assert after.height > before.height


def test_hostile_labels_stay_text() -> None:
    hostile = '"><script>alert(1)</script><a href="x" style="fill:red" onload="alert(1)">'
    counts = example(study_id=hostile, excluded_by_reason=((hostile, 10),))
    svg = consort_svg(counts)
    assert_safe(svg)
    assert "<script" not in svg and not re.search(r"<[a-z]+ [^>]*style=", svg)
    assert f"{hostile} (n=10)" in visible_text(parse(svg))
