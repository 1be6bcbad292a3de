"""CTCAE v5.0: the term list and the grades of laboratory values.

Source: U.S. Department of Health and Human Services, National Cancer Institute. Common
Terminology Criteria for Adverse Events (CTCAE) Version 5.0, published November 27, 2017.

- The 837 terms with their MedDRA v20.1 LLT code, system organ class and grade texts
  (``terms_v5.csv`` here, read by :mod:`trialdesk.clinical.ctcae_terms`; SOURCE.md says
  where it was read).
- Laboratory grading (``labs.yaml``, read by ``lab_grading``): :func:`grade_lab` grades a
  value of any lab CTCAE v5.0 grades from a value, against the laboratory's limits and the
  baseline where the term needs it; :func:`worse_than_baseline` says whether that grade
  proposes an adverse event. ``grade_alt_increased``, ``grade_ast_increased`` and
  ``grade_creatinine_increased`` grade those three without a unit (ratios only).
"""

from trialdesk.clinical.ctcae.grade import SOURCE, CtcaeGrade, worse_than_baseline
from trialdesk.clinical.ctcae.lab_grading import (
    grade_alt_increased,
    grade_ast_increased,
    grade_creatinine_increased,
    grade_lab,
)
from trialdesk.clinical.ctcae_terms import (
    CtcaeTerm,
    CtcaeTerms,
    ctcae_terms,
    load_terms,
    require_term,
    search_terms,
    term_named,
)

__all__ = [
    "SOURCE",
    "CtcaeGrade",
    "CtcaeTerm",
    "CtcaeTerms",
    "ctcae_terms",
    "grade_alt_increased",
    "grade_ast_increased",
    "grade_creatinine_increased",
    "grade_lab",
    "load_terms",
    "require_term",
    "search_terms",
    "term_named",
    "worse_than_baseline",
]
