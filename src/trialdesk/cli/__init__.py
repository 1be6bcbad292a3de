"""The trialdesk command line: one Typer app.

Every TrialdeskError becomes one clear line on stderr and exit code 2; nothing else is
caught, so a bug still shows its traceback instead of a misleading message.
"""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from trialdesk.cli.export import export_app
from trialdesk.cli.notify import notify_app
from trialdesk.cli.options import DATE_HELP, KNEE_HELP, PARAM_HELP, given_options
from trialdesk.cli.report import report_app
from trialdesk.cli.trial import audit_app, db_app, trial_app, user_app
from trialdesk.errors import InputError, TrialdeskError

app = typer.Typer(
    help="trialdesk: a clinical trial's participant pipeline from one protocol definition.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
study_app = typer.Typer(help="Show, check and start study folders.", no_args_is_help=True)
app.add_typer(study_app, name="study")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(db_app, name="db")
app.add_typer(trial_app, name="trial")
app.add_typer(notify_app, name="notify")
app.add_typer(export_app, name="export")
app.add_typer(report_app, name="report")

out = Console()
err = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def fail(error: TrialdeskError) -> typer.Exit:
    err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@app.command()
def screen(
    paths: Annotated[list[Path], typer.Argument(help="FHIR R4 JSON/NDJSON files or folders.")],
    study: Annotated[str, typer.Option(help="Bundled study id or a study folder.")] = "NCT06947746",
    screening_date: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD (default today); --date screening=...")
    ] = None,
    baseline_date: Annotated[
        str | None,
        typer.Option(
            help="Day of injection, YYYY-MM-DD (default screening + 14 d); --date baseline=..."
        ),
    ] = None,
    knee: Annotated[str | None, typer.Option("--target-knee", help=KNEE_HELP)] = None,
    date_: Annotated[list[str] | None, typer.Option("--date", help=DATE_HELP)] = None,
    param: Annotated[list[str] | None, typer.Option("--param", help=PARAM_HELP)] = None,
    attest: Annotated[
        Path | None, typer.Option(help="Investigator decisions (CSV/YAML/JSON).")
    ] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
) -> None:
    """Screen every patient in FHIR records against a study's criteria."""
    from trialdesk.criteria.attest import load_attestations
    from trialdesk.criteria.render import checklist, to_csv, to_json
    from trialdesk.patients.fhir import read_fhir
    from trialdesk.study.loader import load_study

    try:
        given = given_options(
            date_,
            param,
            {"screening": screening_date, "baseline": baseline_date},
            {"--target-knee": knee},
        )
        s = load_study(study)
        participant = s.participant
        given.check(participant)
        dates, defaults = participant.fill_dates(given.dates, today=date.today(), named=given.named)
        parameters = participant.parse_parameters(given.parameters)
        defaults += participant.missing_notes(parameters)
        attestations = load_attestations(attest, s.criteria) if attest else []
        for p in paths:
            if not p.exists():
                raise InputError("no such file or folder", file=str(p))
        read = read_fhir(paths)
    except TrialdeskError as exc:
        raise fail(exc) from None
    screener = s.screener
    results = [
        screener.screen(
            record,
            dates=dates,
            parameters=parameters,
            attestations=attestations,
            defaults=tuple(defaults),
        )
        for record in read.records
    ]
    if format is Format.json:
        sys.stdout.buffer.write(to_json(results) + b"\n")
    elif format is Format.csv:
        sys.stdout.write(to_csv(results, [a.name for a in participant.staff]))
    else:
        wide = Console(width=max(100, out.width))
        for result in results:
            wide.print(checklist(result, participant))
        if results:
            tally: dict[str, int] = {}
            for r in results:
                tally[r.verdict.value] = tally.get(r.verdict.value, 0) + 1
            wide.print(
                f"{len(results)} patient(s) screened: "
                + ", ".join(f"{n} {v.replace('_', ' ')}" for v, n in sorted(tally.items()))
            )
    for e in read.errors:
        err.print(f"[bold red]error:[/] {e}", highlight=False, soft_wrap=True)
    if not read.records and not read.errors:
        err.print("[bold red]error:[/] no patients found in the input", highlight=False)
        raise typer.Exit(code=2)
    if read.errors:
        raise typer.Exit(code=2)


class SynthFormat(StrEnum):
    omop = "omop"
    fhir = "fhir"
    both = "both"


@app.command()
def synth(
    persons: Annotated[int, typer.Option(help="How many people.", min=1)],
    out: Annotated[Path, typer.Option(help="Output folder.")],
    seed: Annotated[int, typer.Option(help="Random seed: same seed, same population.")] = 1,
    format: Annotated[SynthFormat, typer.Option("--format", "-f")] = SynthFormat.omop,
) -> None:
    """Generate a synthetic hospital population: OMOP CDM v5.4 and/or FHIR Bulk NDJSON."""
    from rich.progress import MofNCompleteColumn, Progress, TimeRemainingColumn

    from trialdesk.patients.synthetic import generate

    formats = {"omop", "fhir"} if format is SynthFormat.both else {format.value}
    with Progress(
        *Progress.get_default_columns()[:-1],
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as progress:
        task = progress.add_task("generating persons", total=persons)
        summary = generate(
            persons,
            seed,
            out,
            formats,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    rows = sum(summary.rows.values()) if summary.rows else 0
    out.mkdir(parents=True, exist_ok=True)
    Console().print(
        f"{summary.persons:,} persons, {rows:,} OMOP rows in {summary.seconds:.1f} s -> {out}"
    )


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


@app.command()
def feasibility(
    omop: Annotated[
        str,
        typer.Option(
            help="A DuckDB file, a folder or .zip of OMOP CSV/Parquet, or postgresql://..."
        ),
    ],
    screening_date: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD; --date screening=...")
    ] = None,
    baseline_date: Annotated[
        str | None,
        typer.Option(
            help="Day of injection, YYYY-MM-DD (default screening + 14 d); --date baseline=..."
        ),
    ] = None,
    study: Annotated[str, typer.Option(help="Bundled study id or a study folder.")] = "NCT06947746",
    engine: Annotated[Engine | None, typer.Option(help="spark: run on Spark over Parquet.")] = None,
    schema: Annotated[str | None, typer.Option(help="PostgreSQL schema of the CDM.")] = None,
    knee: Annotated[str | None, typer.Option("--target-knee", help=KNEE_HELP)] = None,
    date_: Annotated[list[str] | None, typer.Option("--date", help=DATE_HELP)] = None,
    param: Annotated[list[str] | None, typer.Option("--param", help=PARAM_HELP)] = None,
    candidates: Annotated[
        Path | None, typer.Option(help="Write people who are not ineligible to this CSV.")
    ] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    show_sql: Annotated[bool, typer.Option(help="Print the compiled SQL and exit.")] = False,
) -> None:
    """How many people in an OMOP CDM could qualify, and which criterion removes most."""
    from trialdesk.feasibility.report import run_feasibility
    from trialdesk.study.loader import load_study

    try:
        given = given_options(
            date_,
            param,
            {"screening": screening_date, "baseline": baseline_date},
            {"--target-knee": knee},
        )
        given.check(load_study(study).participant)
        run_feasibility(
            omop,
            study=study,
            given_dates=given.dates,
            given_parameters=given.parameters,
            engine=engine.value if engine else None,
            schema=schema,
            candidates=candidates,
            as_json=format is Format.json,
            show_sql=show_sql,
            console=Console(width=max(100, out.width)),
            err=err,
            named=given.named,
        )
    except TrialdeskError as exc:
        raise fail(exc) from None


@study_app.command("show")
def study_show(
    study: Annotated[
        str, typer.Argument(help="Bundled study id or a study folder.")
    ] = "NCT06947746",
    lang: Annotated[
        str, typer.Option("--lang", help="The language of the study's texts: en or zh-CN.")
    ] = "en",
) -> None:
    """Print a study as its public page shows it; with a schedule, also its schedule of
    activities and its endpoints."""
    from trialdesk.study.loader import load_study
    from trialdesk.study.page import trial_page
    from trialdesk.study.show import render_page
    from trialdesk.study.texts import LOCALES

    try:
        if lang not in LOCALES:
            known = ", ".join(LOCALES)
            raise InputError(f"must be one of {known}, not {lang!r}", field="--lang")
        s = load_study(study)
    except TrialdeskError as exc:
        raise fail(exc) from None
    Console(width=max(100, out.width)).print(render_page(trial_page(s, lang)))


@study_app.command("check")
def study_check(folder: Annotated[Path, typer.Argument(help="A study folder.")]) -> None:
    """Validate a study folder; list every problem with file, criterion and position, then
    every warning (it loads, but a site should see it: a text without its Chinese, a form
    due at no visit). Warnings alone do not fail the check."""
    from trialdesk.study.loader import check_study_all, study_folder

    try:
        path = study_folder(str(folder))
    except TrialdeskError as exc:
        raise fail(exc) from None
    problems, warnings = check_study_all(path)
    for p in problems:
        err.print(f"[red]problem:[/] {p}", highlight=False, soft_wrap=True)
    for w in warnings:
        err.print(f"[yellow]warning:[/] {w}", highlight=False, soft_wrap=True)
    noted = f" and {len(warnings)} warning(s)" if warnings else ""
    if problems:
        err.print(f"{len(problems)} problem(s){noted} in {path}", highlight=False)
        raise typer.Exit(code=2)
    if warnings:
        out.print(f"{path}: study folder is sound, with {len(warnings)} warning(s)")
        return
    out.print(f"{path}: study folder is sound")


@study_app.command("new")
def study_new(
    folder: Annotated[Path, typer.Argument(help="The folder to create.")],
    from_ctgov: Annotated[
        Path, typer.Option("--from-ctgov", help="A ClinicalTrials.gov API v2 record (JSON).")
    ],
) -> None:
    """Start a study folder from a registry record; every criterion starts as not encoded."""
    from trialdesk.study.new import new_study_folder

    try:
        made = new_study_folder(from_ctgov, folder)
    except TrialdeskError as exc:
        raise fail(exc) from None
    out.print(f"created {made}: encode the criteria in {made / 'criteria.yaml'}")


@study_app.command("list")
def study_list() -> None:
    """List the bundled studies."""
    from trialdesk.study.loader import bundled_study_ids, load_study

    for sid in bundled_study_ids():
        out.print(f"{sid}  {load_study(sid).title}")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="Trial store URL (default: $TRIALDESK_DATABASE_URL, else ./trialdesk.db)."
        ),
    ] = None,
    secure_cookies: Annotated[
        bool | None,
        typer.Option(help="Mark cookies Secure (HTTPS). Default: on unless serving on loopback."),
    ] = None,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (one per core is a good start).")
    ] = 1,
    study: Annotated[
        list[Path] | None,
        typer.Option(
            help="A study folder to serve beside the bundled ones (repeatable; one with a "
            "bundled study's id replaces it)."
        ),
    ] = None,
    anchor_file: Annotated[
        Path | None,
        typer.Option(
            help="Append the signed audit head to this file (best on another disk or host) "
            "whenever it has moved: 'audit verify --anchor-file' checks the log against it."
        ),
    ] = None,
    anchor_every: Annotated[
        float,
        typer.Option(min=0.1, help="With --anchor-file: look at the head every this many minutes."),
    ] = 60.0,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            help="The reverse proxies whose X-Forwarded-For/-Proto are believed (comma-"
            "separated addresses or networks; 'none': no proxy). Default: "
            "$TRIALDESK_FORWARDED_ALLOW_IPS, else this machine's loopback only."
        ),
    ] = None,
) -> None:
    """Run the web application: public trial pages and self-check, and the staff app."""
    from trialdesk.web.serve import serve as run  # late: the web stack is heavy to import

    try:
        folders = [str(f) for f in study or []]
        run(host, port, database_url, out, secure_cookies, workers, folders,
            anchor_file=anchor_file, anchor_every=anchor_every,
            forwarded_allow_ips=forwarded_allow_ips)  # fmt: skip
    except TrialdeskError as error:
        raise fail(error) from None


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    app()
