"""`trialdesk feasibility`: run the compiled query, show attrition, write candidates."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

import orjson
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from trialdesk.feasibility.attrition import Attrition, attrition, write_candidates
from trialdesk.feasibility.population import screen_population
from trialdesk.feasibility.sources import open_source
from trialdesk.study.loader import load_study

_BAR = 24


def _bar(part: int, whole: int) -> Text:
    """A small horizontal bar: who is still in, at a glance."""
    filled = round(_BAR * part / whole) if whole else 0
    return Text("█" * filled + "░" * (_BAR - filled), style="green")


def attrition_table(result: Attrition) -> Table:
    table = Table(
        title=f"Attrition over {result.persons:,} persons", header_style="bold", expand=True
    )
    table.add_column("ID", no_wrap=True, width=4)
    table.add_column("Criterion", ratio=3, no_wrap=True, overflow="ellipsis")
    table.add_column("Remaining", justify="right", no_wrap=True)
    table.add_column("Removed", justify="right", no_wrap=True)
    table.add_column("Unknown", justify="right", no_wrap=True)
    table.add_column("On its own", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True, width=_BAR)
    for row in result.rows:
        table.add_row(
            row.criterion,
            row.text,
            f"{row.remaining:,}",
            Text(f"{row.removed:,}", style="red" if row.removed else "dim"),
            Text(f"{row.unknown:,}", style="yellow" if row.unknown else "dim"),
            f"{row.alone:,}",
            _bar(row.remaining - row.removed, result.persons),
        )
    return table


def run_feasibility(
    spec: str,
    *,
    study: str,
    given_dates: Mapping[str, date | None],
    given_parameters: Mapping[str, str | None],
    engine: str | None,
    schema: str | None,
    candidates: Path | None,
    as_json: bool,
    show_sql: bool,
    console: Console,
    err: Console,
    named: Callable[[str], str] | None = None,
) -> None:
    """``given_dates``: the staff-set dates given (the declared defaults fill the rest;
    ``named`` names a date in errors, as the CLI options do); ``given_parameters``: the
    participant parameters given, by name."""
    s = load_study(study)
    participant = s.participant
    dates, _ = participant.fill_dates(given_dates, named=named)
    parameters = participant.parse_parameters(given_parameters)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as progress:
        steps = progress.add_task("opening the OMOP source", total=4 + len(s.criteria.criteria))

        def step(what: str) -> None:
            progress.update(steps, description=what, advance=1)

        source = open_source(spec, engine=engine, schema=schema)
        try:
            step("opened " + source.description)
            pop = screen_population(source, s, dates=dates, parameters=parameters, progress=step)
        finally:
            source.close()
        if show_sql:
            progress.stop()
            sys.stdout.write(pop.query.sql + "\n")
            return
        result = attrition(pop)
        for row in result.rows:
            step(f"{row.criterion}: {row.remaining - row.removed:,} remain")
    written = write_candidates(pop, candidates) if candidates else None
    if as_json:
        doc = {
            "study": s.id,
            "source": source.description,
            **{f"{name}_date": day.isoformat() for name, day in dates.items()},
            **parameters,
            **result.to_json(),
        }
        sys.stdout.buffer.write(orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n")
        return
    said = [f"{name.replace('_', ' ')} {day}" for name, day in dates.items()]
    said += [f"{participant.parameters[n].words} {v or 'not given'}" for n, v in parameters.items()]
    console.print(f"[bold]{s.id}[/] {s.title}\n{source.description}\n" + "  ".join(said))
    console.print(attrition_table(result))
    v = result.verdicts
    console.print(
        f"Eligible [bold green]{v['eligible']:,}[/]   "
        f"needs review [bold cyan]{v['needs_review']:,}[/]   "
        f"incomplete [bold yellow]{v['incomplete']:,}[/]   "
        f"ineligible [bold red]{v['ineligible']:,}[/]"
    )
    if written is not None:
        console.print(f"{written:,} candidate(s) written to {candidates}")
