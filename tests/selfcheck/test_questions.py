"""The bundled study's questions, and answers from form strings."""

from __future__ import annotations

import re
from datetime import date

import pytest

import trialdesk.selfcheck as selfcheck
from selfcheck.conftest import TODAY, WOMAN_45
from trialdesk.criteria.context import Matcher
from trialdesk.criteria.model import Criterion
from trialdesk.criteria.nodes import Call, SexOf, walk
from trialdesk.errors import InputError
from trialdesk.selfcheck import Answers, MonthYear, evaluate, parse_answers, questions
from trialdesk.selfcheck.record import build_record
from trialdesk.study.loader import Study


def test_public_api() -> None:
    assert set(selfcheck.__all__) >= {
        "Question",
        "questions",
        "visible",
        "parse_answers",
        "evaluate",
        "SelfCheckOutcome",
        "Answers",
    }


def test_every_question_informs_existing_criteria(study: Study) -> None:
    ids = {c.id for c in study.criteria.criteria}
    qs = questions(study)
    assert 12 <= len(qs) <= 22
    for q in qs:
        assert q.criteria and set(q.criteria) <= ids, q.id
        assert q.ask.endswith("?"), q.id


def test_every_criterion_has_a_plain_statement(study: Study) -> None:
    for c in study.criteria.criteria:
        assert c.plain, c.id
        assert not c.plain.endswith("."), c.id  # the self-check adds the sentence's end
        assert not re.match(r"(?i)you (need|cannot)", c.plain), c.id


def _syllables(word: str) -> int:
    groups = re.findall(r"[aeiouy]+", word.lower())
    n = len(groups) - (word.lower().endswith("e") and len(groups) > 1)
    return max(1, n)


def _grade(text: str) -> float:
    """Flesch-Kincaid grade level (Kincaid et al. 1975), with a rough syllable count."""
    words = re.findall(r"[A-Za-z']+", text)
    sentences = max(1, len(re.findall(r"[.?!:]", text)))
    syllables = sum(_syllables(w) for w in words)
    return 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59


def test_questions_read_at_a_6th_to_8th_grade_level(study: Study) -> None:
    # drug and disease names (methotrexate, tuberculosis) lift single questions; the set
    # as a whole must stay at the 6th-8th grade level
    grades = [_grade(q.ask) for q in questions(study)]
    assert sum(grades) / len(grades) <= 8


# Which facts each engine function reads besides the value sets it names.
_IMPLICIT = {
    "age": {"birth_date"},
    "bmi": {"bmi", "body_weight", "body_height"},
    "crcl_cockcroft_gault": {"creatinine", "body_weight", "birth_date", "sex"},
    "highest_x_uln": {"sex"},
    "acr_eular_2010": {"rheumatoid_arthritis", "rheumatoid_factor", "anti_ccp", "crp", "esr"},
    "in_other_study": {"study"},
}


def _reads(c: Criterion) -> set[str]:
    out: set[str] = set()
    for tree in (c.rule, c.review):
        for node in walk(tree) if tree is not None else []:
            if isinstance(node, SexOf):
                out.add("sex")
            if isinstance(node, Call):
                out |= set(node.valuesets) | _IMPLICIT.get(node.name, set())
                out |= {v for k, v in node.options if k == "excluding" and isinstance(v, str)}
    return out


def test_each_question_informs_every_criterion_that_reads_its_facts(study: Study) -> None:
    """What keeps partial answers honest: a criterion decided from its own questions must
    not depend on facts that another, unlisted question puts on the record."""
    matcher = Matcher(study.valuesets)
    feeds: dict[str, set[str]] = {}
    for item in study.criteria.selfcheck:
        refs = _refs(study, item.id)
        channels = {t.kind for t in item.facts if t.kind in ("sex", "birth_date", "study")}
        for value, _ in item.options or (("", ""),):
            raw = {**WOMAN_45, item.id: value} if value else dict(WOMAN_45)
            answers = parse_answers(study, raw)
            lone = {k: v for k, v in answers.items() if k == item.id or k in refs}
            for late in (False, True):
                for fact in build_record(study, lone, TODAY, late).facts:
                    channels |= {name for name, _ in matcher.matches(fact)}
        for owner in {item.id} | refs:  # "since when" feeds what "diagnosed?" records
            feeds.setdefault(owner, set()).update(channels)
    assert "rheumatoid_arthritis" in feeds["ra_since"]
    for c in study.criteria.criteria:
        asked = {i.id for i in study.criteria.selfcheck if c.id in i.criteria}
        if not asked:
            continue  # never decided by the self-check
        for qid, channels in feeds.items():
            if channels & _reads(c):
                assert qid in asked, f"{qid} feeds {channels & _reads(c)} read by {c.id}"


def _refs(study: Study, qid: str) -> set[str]:
    item = next(i for i in study.criteria.selfcheck if i.id == qid)
    return {r for t in item.facts for r in (t.date.answer, t.dose, t.changed, t.value_answer) if r}


@pytest.mark.parametrize(
    ("field", "raw"),
    [
        ("age", "forty"),
        ("age", "200"),
        ("age", "nan"),
        ("sex", "unsure"),
        ("ra_diagnosed", "maybe"),
        ("ra_since", "2024-13"),
        ("ra_since", "March 2024"),
        ("methotrexate_how_long", "1.5 years"),
        ("methotrexate_how_long", "soon"),
        ("steroid", "sometimes"),
        ("weight", "-3"),
        ("not_a_question", "yes"),
    ],
)
def test_bad_answers_name_the_question(study: Study, field: str, raw: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_answers(study, {**WOMAN_45, field: raw})
    assert caught.value.field == field
    assert caught.value.message[:1].isupper()


def test_a_month_in_the_future_is_refused(study: Study) -> None:
    answers = parse_answers(study, {**WOMAN_45, "ra_since": "2026-04"})
    with pytest.raises(InputError) as caught:
        evaluate(study, answers, TODAY)
    assert caught.value.field == "ra_since"


@pytest.mark.parametrize(
    ("field", "raw", "value"),
    [
        ("age", " 45 ", 45.0),
        ("ra_diagnosed", "Yes", True),
        ("ra_diagnosed", "false", False),
        ("ra_since", "03/2024", MonthYear(2024, 3)),
        ("methotrexate_how_long", "18", selfcheck.answers.Duration(18, "months")),
        ("methotrexate_how_long", "1 year", selfcheck.answers.Duration(1, "years")),
        ("steroid", "PILLS", "pills"),
    ],
)
def test_answers_are_typed(study: Study, field: str, raw: str, value: object) -> None:
    assert parse_answers(study, {field: raw})[field] == value


def test_blank_is_unanswered_and_answers_round_trip(study: Study) -> None:
    answers = parse_answers(study, {**WOMAN_45, "height": "", "weight": "  "})
    assert "height" not in answers and "weight" not in answers
    assert parse_answers(study, answers.to_json()) == answers
    assert Answers(answers).without("age") == parse_answers(
        study, {k: v for k, v in answers.to_json().items() if k != "age"}
    )


def test_evaluate_is_pure(study: Study) -> None:
    answers = parse_answers(study, WOMAN_45)
    first = evaluate(study, answers, TODAY).to_json()
    assert evaluate(study, answers, TODAY).to_json() == first
    assert first["date"] == date(2026, 3, 16).isoformat()
