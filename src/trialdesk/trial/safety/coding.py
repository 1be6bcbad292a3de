"""Coding an adverse event to CTCAE v5.0, as a picker offers it: the terms matching what
is typed, and for the term chosen, the grades it defines with NCI's text for each (CTCAE
prints "-" for a grade a term does not have: it is not offered)."""

from __future__ import annotations

from dataclasses import dataclass

from trialdesk.clinical.ctcae_terms import CtcaeTerm, require_term, search_terms

__all__ = ["GradeChoice", "grade_choices", "search_terms"]


@dataclass(frozen=True)
class GradeChoice:
    grade: int
    text: str  # NCI's definition of the grade for this term


def grade_choices(term: str | CtcaeTerm) -> list[GradeChoice]:
    """The grades the term defines, each with its text.

    Raises:
        InputError: not a CTCAE v5.0 term (at field ``term``).
    """
    found = term if isinstance(term, CtcaeTerm) else require_term(term, field="term")
    return [GradeChoice(g, text) for g, text in sorted(found.grades.items()) if text is not None]
