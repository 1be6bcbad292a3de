"""The checker's vocabulary: a rule (its Pinnacle 21 and FDA ids, severity, message and the
source it implements), a hit (where a rule found a problem) and a finding (a hit with its rule).

Rules are small named functions registered with :func:`rule`; each family module (dates,
identifiers, visits, findings, events, metadata) registers its own. A rule function takes the
:class:`~trialdesk.reports.cdisc.check.submission.Submission` and yields :class:`Hit` s.

Rule ids and messages: Pinnacle 21 Community validator 2.2.0, configuration "SDTM 3.2"
(the Rules sheet of the P21 report shipped beside the CDISC pilot update2), whose ids map
to the FDA Validator Rules (FDAC...) as that sheet lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from trialdesk.reports.cdisc.dataset import Value

if TYPE_CHECKING:
    from trialdesk.reports.cdisc.check.submission import Submission

__all__ = ["RULES", "Finding", "Hit", "Rule", "Severity", "rule"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Hit:
    """One problem: the dataset (file member, e.g. LBHE), the 1-based record number (None
    for a dataset- or variable-level problem), the variable and the offending value."""

    dataset: str
    row: int | None
    variable: str
    value: Value = None


RuleCheck = Callable[["Submission"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    p21_id: str
    fda_id: str
    severity: Severity
    message: str
    source: str  # the published rule and the standard text it implements
    check: RuleCheck
    needs_define: bool = False  # runs only when the directory holds a define.xml

    @property
    def name(self) -> str:
        return self.check.__name__


@dataclass(frozen=True)
class Finding:
    rule: Rule
    dataset: str
    domain: str
    variable: str
    row: int | None
    value: Value

    def as_dict(self) -> dict[str, object]:
        return {
            "rule": self.rule.p21_id,
            "fda_rule": self.rule.fda_id,
            "severity": str(self.rule.severity),
            "message": self.rule.message,
            "dataset": self.dataset,
            "domain": self.domain,
            "variable": self.variable,
            "row": self.row,
            "value": self.value,
        }


RULES: list[Rule] = []


def rule(
    p21_id: str,
    fda_id: str,
    severity: Severity,
    message: str,
    *,
    source: str,
    needs_define: bool = False,
) -> Callable[[RuleCheck], RuleCheck]:
    """Register a rule function under its published ids."""

    def register(check: RuleCheck) -> RuleCheck:
        if any(r.p21_id == p21_id for r in RULES):
            raise ValueError(f"rule {p21_id} is registered twice")
        RULES.append(Rule(p21_id, fda_id, severity, message, source, check, needs_define))
        return check

    return register
