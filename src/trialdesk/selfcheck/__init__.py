"""The patient self-check: plain questions from the criteria file, answered in two minutes.

The questions live in the study's criteria file (``selfcheck:``, docs/criteria.md); the
answers become a PatientRecord that the study's own Screener evaluates, and the outcome
never claims more than the answers support. Pure functions: nothing is stored.

    qs = questions(study)
    shown = visible(qs, form)                  # which questions apply so far
    answers = parse_answers(study, form)       # InputError(field=question id) if bad
    outcome = evaluate(study, answers, today)  # verdict, reasons, site_will_check
"""

from trialdesk.criteria.model import When
from trialdesk.selfcheck.answers import Answers, AnswerValue, MonthYear, parse_answers
from trialdesk.selfcheck.check import CriterionCheck, Finding, SelfCheckOutcome, evaluate
from trialdesk.selfcheck.questions import Question, conditions_of, questions, visible

__all__ = [
    "AnswerValue",
    "Answers",
    "CriterionCheck",
    "Finding",
    "MonthYear",
    "Question",
    "SelfCheckOutcome",
    "When",
    "conditions_of",
    "evaluate",
    "parse_answers",
    "questions",
    "visible",
]
