"""Run the conformance rules over a directory: its SDTM datasets (SAS XPT v5 ``*.xpt`` or
Dataset-JSON 1.1 ``*.json``) and its ``define.xml``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import orjson

from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.reports.cdisc.check import (
    dates,
    design,
    events,
    findings,
    identifiers,
    metadata,
    subjects,
    visits,
)
from trialdesk.reports.cdisc.check.define_meta import read_define
from trialdesk.reports.cdisc.check.model import RULES, Finding, Rule, Severity
from trialdesk.reports.cdisc.check.submission import Submission
from trialdesk.reports.cdisc.dataset import Dataset, read_dataset_json, read_xpt

__all__ = ["CheckResult", "check_directory", "load_submission", "run_rules"]

# the families register their rules when imported
FAMILIES = (dates, identifiers, subjects, visits, findings, events, design, metadata)


@dataclass(frozen=True)
class CheckResult:
    directory: str
    datasets: tuple[str, ...]
    define: str | None
    rules: tuple[Rule, ...]  # the rules that ran
    skipped: tuple[Rule, ...]  # the rules that need define.xml, when there is none
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.rule.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.rule.severity is Severity.WARNING)

    def counts(self) -> Counter[tuple[str, str]]:
        """Findings per (rule id, domain), as the P21 Issue Summary counts them."""
        return Counter((f.rule.p21_id, f.domain) for f in self.findings)


def load_submission(directory: Path) -> Submission:
    """Every dataset in the directory and its define.xml; every unreadable file is reported
    at once, each naming its file."""
    if not directory.is_dir():
        raise InputError("not a directory", file=str(directory))
    import pyreadstat

    unreadable = (pyreadstat.ReadstatError, pyreadstat.PyreadstatError)
    problems: list[TrialdeskError] = []
    datasets: dict[str, Dataset] = {}
    for path in sorted(directory.iterdir()):
        suffix = path.suffix.lower()
        if suffix not in {".xpt", ".json"}:
            continue
        try:
            dataset = read_xpt(path) if suffix == ".xpt" else read_dataset_json(path)
        except (OSError, ValueError, KeyError, TypeError, orjson.JSONDecodeError) as exc:
            problems.append(InputError(f"cannot be read: {exc}", file=str(path)))
            continue
        except unreadable as exc:
            problems.append(InputError(f"not a SAS transport file: {exc}", file=str(path)))
            continue
        if dataset.name in datasets:
            problems.append(InputError(f"{dataset.name} is given twice", file=str(path)))
        datasets[dataset.name] = dataset
    if not datasets and not problems:
        problems.append(InputError("holds no *.xpt or Dataset-JSON *.json", file=str(directory)))
    define = None
    define_path = directory / "define.xml"
    if define_path.is_file():
        try:
            define = read_define(define_path)
        except InputError as exc:
            problems.append(exc)
    if problems:
        raise FieldErrors(problems, resource=str(directory))
    return Submission(datasets=tuple(datasets.values()), define=define)


def run_rules(
    sub: Submission, rules: Iterable[Rule] | None = None, *, directory: str = ""
) -> CheckResult:
    chosen = tuple(RULES if rules is None else rules)
    ran = tuple(r for r in chosen if sub.define is not None or not r.needs_define)
    skipped = tuple(r for r in chosen if r not in ran)
    found = [
        Finding(
            rule=r,
            dataset=hit.dataset,
            domain=sub.domain_of(ds) if (ds := sub.dataset(hit.dataset)) else hit.dataset,
            variable=hit.variable,
            row=hit.row,
            value=hit.value,
        )
        for r in ran
        for hit in r.check(sub)
    ]
    return CheckResult(
        directory=directory,
        datasets=tuple(ds.name for ds in sub.datasets),
        define=str(sub.define.path) if sub.define else None,
        rules=ran,
        skipped=skipped,
        findings=tuple(found),
    )


def check_directory(directory: Path) -> CheckResult:
    """Load the directory and run every registered rule."""
    return run_rules(load_submission(directory), directory=str(directory))
