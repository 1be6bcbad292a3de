"""The checker's report: counts of errors and warnings, the count per rule, and each finding
(rule, dataset, variable, 1-based record number, value), as text or JSON."""

from __future__ import annotations

from collections import Counter
from typing import Any

import orjson

from trialdesk.reports.cdisc.check.run import CheckResult

__all__ = ["as_dict", "to_json", "to_text"]


def as_dict(result: CheckResult) -> dict[str, Any]:
    per_rule = Counter(f.rule.p21_id for f in result.findings)
    return {
        "directory": result.directory,
        "define": result.define,
        "datasets": list(result.datasets),
        "errors": result.errors,
        "warnings": result.warnings,
        "rules": [
            {
                "rule": r.p21_id,
                "fda_rule": r.fda_id,
                "severity": str(r.severity),
                "message": r.message,
                "source": r.source,
                "findings": per_rule[r.p21_id],
            }
            for r in result.rules
        ],
        "skipped": [
            {"rule": r.p21_id, "reason": "needs define.xml, which the directory lacks"}
            for r in result.skipped
        ],
        "findings": [f.as_dict() for f in result.findings],
    }


def to_json(result: CheckResult) -> str:
    return orjson.dumps(as_dict(result), option=orjson.OPT_INDENT_2).decode()


def to_text(result: CheckResult) -> str:
    lines = [
        f"{result.directory}: {result.errors} errors, {result.warnings} warnings "
        f"({len(result.rules)} rules over {len(result.datasets)} datasets"
        + (", with define.xml)" if result.define else ", no define.xml)"),
    ]
    for r in result.skipped:
        lines.append(f"  not run: {r.p21_id} ({r.message}) needs define.xml")
    per_rule = Counter((f.rule.p21_id, f.domain) for f in result.findings)
    if per_rule:
        lines.append("")
        lines.append("rule     FDA      severity domain   count  message")
        messages = {r.p21_id: r for r in result.rules}
        for (rule_id, domain), count in sorted(per_rule.items()):
            r = messages[rule_id]
            lines.append(
                f"{rule_id:<8} {r.fda_id:<8} {r.severity:<8} {domain:<8} {count:>6}  {r.message}"
            )
        lines.append("")
    for f in result.findings:
        where = f"{f.dataset}.{f.variable}" if f.variable else f.dataset
        row = f" record {f.row}" if f.row is not None else ""
        value = "" if f.value is None or f.value == "" else f" (value {f.value!r})"
        lines.append(f"{f.rule.severity} {f.rule.p21_id} {where}{row}: {f.rule.message}{value}")
    return "\n".join(lines) + "\n"
