"""A CTCAE grade with the rule that produced it, and whether it is worse than baseline."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SOURCE", "CtcaeGrade", "worse_than_baseline"]

SOURCE = "CTCAE v5.0 (NCI, 2017-11-27)"


@dataclass(frozen=True, slots=True)
class CtcaeGrade:
    """A CTCAE grade of ``term`` (0: no criterion of the term met; 1-4) and the rule used,
    as text: the values compared, the grade's CTCAE text and what the value cannot decide."""

    term: str
    grade: int
    rule: str


def worse_than_baseline(grade: CtcaeGrade | None, baseline_grade: CtcaeGrade | int | None) -> bool:
    """Whether ``grade`` proposes an adverse event: a grade of 1 or more that is new (no
    baseline grade, or the baseline graded another term, such as the opposite direction)
    or higher than the baseline's grade of the same term. A plain ``int`` baseline grade
    is taken to be of the same term. The investigator confirms or dismisses the proposal.
    """
    if grade is None or grade.grade < 1:
        return False
    if baseline_grade is None:
        return True
    if isinstance(baseline_grade, CtcaeGrade):
        if baseline_grade.term != grade.term:
            return True
        return grade.grade > baseline_grade.grade
    return grade.grade > baseline_grade
