"""Properties over random answer sets: partial answers never say more than full ones."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from selfcheck.conftest import TODAY
from trialdesk.criteria.model import SelfCheckItem
from trialdesk.selfcheck import evaluate, parse_answers, questions, visible
from trialdesk.study.loader import Study, load_study

STUDY = load_study()


def _raw_answer(item: SelfCheckItem) -> st.SearchStrategy[str]:
    if item.options:
        return st.sampled_from([v for v, _ in item.options])
    if item.answer == "number":
        assert item.minimum is not None and item.maximum is not None
        low, high = int(item.minimum), int(min(item.maximum, item.minimum + 120))
        return st.integers(low, high).map(str)
    if item.answer == "month_year":
        return st.tuples(st.integers(2015, 2026), st.integers(1, 12)).map(
            lambda ym: f"{ym[0]}-{min(ym[1], 3) if ym[0] == 2026 else ym[1]:02d}"
        )
    if item.answer == "duration":
        return st.tuples(st.integers(0, 30), st.sampled_from(["weeks", "months", "years"])).map(
            lambda d: f"{d[0]} {d[1]}"
        )
    return st.dates(max_value=TODAY).map(str)


FULL = st.fixed_dictionaries({item.id: _raw_answer(item) for item in STUDY.criteria.selfcheck})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=FULL, data=st.data())
def test_removing_answers_never_adds_a_reason(raw: dict[str, str], data: st.DataObject) -> None:
    study: Study = STUDY
    full = evaluate(study, parse_answers(study, raw), TODAY)
    kept = data.draw(st.sets(st.sampled_from(sorted(raw))), label="kept")
    partial = evaluate(study, parse_answers(study, {k: raw[k] for k in kept}), TODAY)
    assert set(partial.ruled_out_by) <= set(full.ruled_out_by)
    # and whatever is undecided or unanswered goes to the site, never to a reason
    assert len(partial.reasons) + len(partial.site_will_check) <= len(study.criteria.criteria)


@settings(max_examples=100, deadline=None)
@given(raw=FULL, dropped=st.sampled_from([i.id for i in STUDY.criteria.selfcheck]))
def test_an_unanswered_question_rules_out_none_of_its_criteria(
    raw: dict[str, str], dropped: str
) -> None:
    study: Study = STUDY
    item = next(i for i in study.criteria.selfcheck if i.id == dropped)
    # a question that does not apply (pregnancy for a man) is not unanswered
    assume(dropped in {q.id for q in visible(questions(study), raw)})
    partial = evaluate(
        study, parse_answers(study, {k: v for k, v in raw.items() if k != dropped}), TODAY
    )
    assert not set(item.criteria) & set(partial.ruled_out_by)
