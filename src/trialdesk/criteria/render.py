"""Show screening results: a Rich checklist per patient, JSON, or CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import orjson
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from trialdesk.criteria.participant import Participant
from trialdesk.criteria.screening import CriterionResult, ScreeningResult, Status, Verdict

STATUS_STYLE = {
    Status.MET: ("met", "bold"),
    Status.NOT_MET: ("not met", "dim"),
    Status.UNKNOWN: ("unknown", "yellow"),
    Status.NEEDS_REVIEW: ("needs review", "cyan"),
}
VERDICT_STYLE = {
    Verdict.ELIGIBLE: "bold green",
    Verdict.INELIGIBLE: "bold red",
    Verdict.INCOMPLETE: "bold yellow",
    Verdict.NEEDS_REVIEW: "bold cyan",
}
_MAX_EVIDENCE = 3


def _detail(r: CriterionResult) -> Text:
    text = Text()
    if r.status is Status.UNKNOWN and r.missing:
        text.append("missing: " + "; ".join(r.missing), style="yellow")
        if r.evidence:
            text.append("\n")
    shown = r.evidence[:_MAX_EVIDENCE]
    for i, e in enumerate(shown):
        if i:
            text.append("\n")
        date = f"{e.date.isoformat()} " if e.date else ""
        ref = f" [{e.resource}]" if e.resource else ""
        text.append(f"{date}{e.note}")
        text.append(ref, style="dim")
    if len(r.evidence) > _MAX_EVIDENCE:
        text.append(f"\n(+{len(r.evidence) - _MAX_EVIDENCE} more; --format json shows all)", "dim")
    return text


def _row_style(r: CriterionResult) -> str:
    if r.excludes:
        return "red"
    return ""


def _words(name: str) -> str:
    return name.replace("_", " ")


def checklist(result: ScreeningResult, participant: Participant | None = None) -> RenderableType:
    """One patient's criteria table with the verdict under it.

    The header names each study date and parameter: a date by its name ("screening"; a
    date read from the record is "not on file" when absent), a parameter by its label as
    it reads in a sentence ("target knee"), from ``participant``, else by its name."""
    declared = participant.parameters if participant is not None else {}
    d = result.dates
    head = Text()
    head.append(f"Patient {result.patient}", style="bold")
    if result.source:
        head.append(f"  ({result.source})", style="dim")
    head.append(f"\nStudy {result.study}")
    for name, day in d.days:
        head.append(f"  {_words(name)} {day or 'not on file'}")
    for name, value in result.parameters.items():
        label = declared[name].words if name in declared else _words(name)
        head.append(f"  {label} {value or 'not given'}")
    for note in result.defaults:
        head.append(f"\n{note}", style="italic dim")
    table = Table(show_lines=False, expand=True, pad_edge=False, header_style="bold")
    table.add_column("ID", no_wrap=True, width=4)
    table.add_column("", no_wrap=True, width=3)
    table.add_column("Criterion", ratio=3)
    table.add_column("Status", no_wrap=True, width=16)
    table.add_column("Evidence / missing", ratio=4)
    for r in result.criteria:
        label, style = STATUS_STYLE[r.status]
        if r.attested is not None:
            label += " (signed)"
        table.add_row(
            r.criterion.id,
            "Inc" if r.criterion.kind.value == "inclusion" else "Exc",
            r.criterion.short,
            Text(label, style=style + (" red" if r.excludes else "")),
            _detail(r),
            style=_row_style(r),
        )
    counts = {s: sum(1 for r in result.criteria if r.status is s) for s in Status}
    summary = Text("Verdict: ")
    summary.append(
        result.verdict.value.replace("_", " ").upper(), style=VERDICT_STYLE[result.verdict]
    )
    summary.append(
        f"   ({counts[Status.MET]} met, {counts[Status.NOT_MET]} not met, "
        f"{counts[Status.UNKNOWN]} unknown, {counts[Status.NEEDS_REVIEW]} need review)"
    )
    failing = [r.criterion.id for r in result.criteria if r.excludes]
    if failing:
        summary.append(f"\nExcluded by: {', '.join(failing)}", style="red")
    return Group(head, table, summary, Text(""))


def to_json(results: Sequence[ScreeningResult]) -> bytes:
    return orjson.dumps([r.to_json() for r in results], option=orjson.OPT_INDENT_2)


def to_csv(results: Sequence[ScreeningResult], staff: Sequence[str]) -> str:
    """A row per patient and criterion; ``staff``: the study's staff-set anchors, a
    ``<name>_date`` column each."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(
        [
            "patient",
            "study",
            *(f"{name}_date" for name in staff),
            "verdict",
            "criterion",
            "kind",
            "status",
            "evidence",
            "missing",
        ]
    )
    for res in results:
        for r in res.criteria:
            writer.writerow(
                [
                    res.patient,
                    res.study,
                    *(res.dates.get(name) for name in staff),
                    res.verdict.value,
                    r.criterion.id,
                    r.criterion.kind.value,
                    r.status.value,
                    " | ".join(e.note for e in r.evidence),
                    " | ".join(r.missing),
                ]
            )
    return buf.getvalue()
