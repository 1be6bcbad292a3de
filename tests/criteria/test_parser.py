"""The rule parser: what it builds, and that every error names criterion and position."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trialdesk.criteria.nodes import And, Call, Compare, Not, Or, Surely, Type, Window
from trialdesk.criteria.parser import Names, Position, parse_rule
from trialdesk.errors import CriteriaSyntaxError

NAMES = Names(
    valuesets=frozenset({"alt", "ast", "malignancy", "skin_bcc_scc"}),
    anchors=frozenset({"screening", "baseline", "consent"}),
    sides=frozenset({"target_knee"}),
)


def test_builds_a_checked_tree() -> None:
    node = parse_rule(
        "highest_x_uln(alt, within=window(screening - days(28), baseline - days(1))) >= 2"
        " or not history(malignancy, excluding=skin_bcc_scc)",
        NAMES,
    )
    assert isinstance(node, Or)
    cmp, neg = node.items
    assert isinstance(cmp, Compare) and cmp.op == ">="
    assert isinstance(cmp.left, Call) and cmp.left.valuesets == ("alt",)
    assert isinstance(cmp.left.option("within"), Window)
    assert isinstance(neg, Not) and isinstance(neg.item, Call)
    assert neg.item.option("excluding") == "skin_bcc_scc"


def test_chained_comparison_is_a_conjunction() -> None:
    node = parse_rule("18 <= age(at=screening) <= 65", NAMES)
    assert isinstance(node, And) and len(node.items) == 2


def test_surely_and_multiline() -> None:
    node = parse_rule(
        "history(alt)\nand surely(latest(ast, within=before(baseline, months(3))) < 2)", NAMES
    )
    assert isinstance(node, And) and isinstance(node.items[1], Surely)


def test_trees_are_immutable_and_hashable() -> None:
    a = parse_rule("history(alt)", NAMES)
    b = parse_rule("history(alt)", NAMES)
    assert a == b and hash(a) == hash(b)


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("history(alt", "not a valid rule", None),
        ("histroy(alt)", "unknown function 'histroy'", 1),
        ("history(alanine)", "unknown value set 'alanine'", 9),
        ("history(alt) and latest(alt, within=screening)", "expected a window", 37),
        ("latest(alt)", "needs the option 'within='", 1),
        ("latest(alt, ast, within=before(screening, days(3))) > 1", "takes 1 value set", 1),
        ("history(alt, colour=1)", "has no option 'colour'", 14),
        ("age(at=screening)", "expected a bool", 1),
        ("age(at=screening) > screening", "cannot compare a number with a date", 21),
        ("history(alt, inpatient=1)", "takes True or False", 24),
        ("history(alt, side=target_eye)", "'target_eye' is not a side parameter", 19),
        ("history(alt, side='left')", "is not a side parameter", 19),
        ("target_knee", "can only be given as side=target_knee", 1),
        ("history(alt, route='nasal')", "takes one of parenteral, oral", 20),
        ("__import__('os')", "unknown function '__import__'", 1),
        ("alt", "can only be an argument", 1),
        ("days(1.5) > 1", "one whole number", 1),
        ("history(alt) and True", "write conditions", 18),
        ("[1, 2]", "is not part of the eligibility language", 1),
        ("   ", "empty", None),
    ],
)
def test_errors_name_criterion_and_position(source: str, message: str, column: int | None) -> None:
    with pytest.raises(CriteriaSyntaxError) as info:
        parse_rule(source, NAMES, criterion="E10", position=Position("criteria.yaml", 40, 11))
    err = info.value
    assert message in str(err)
    assert err.criterion == "E10" and err.file == "criteria.yaml"
    assert err.line == 40
    if column is not None:
        assert err.column == 10 + column
    assert str(err).startswith("criteria.yaml:40:")


def test_error_on_a_later_line_of_a_block() -> None:
    with pytest.raises(CriteriaSyntaxError) as info:
        parse_rule(
            "history(alt)\nand nothing(alt)", NAMES, criterion="E1", position=Position("f", 10, 7)
        )
    assert info.value.line == 11 and info.value.column == 11


def test_expected_type_for_windows() -> None:
    node = parse_rule("window(screening - days(28), baseline)", NAMES, expect=Type.WINDOW)
    assert isinstance(node, Window)


@given(st.text(max_size=40))
def test_arbitrary_text_never_crashes(source: str) -> None:
    try:
        parse_rule(source, NAMES, criterion="I1")
    except CriteriaSyntaxError as err:
        assert err.criterion == "I1"
