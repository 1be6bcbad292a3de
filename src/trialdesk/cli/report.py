"""`trialdesk report`: the study's reports from the trial store.

`report week24 --out FILE [--format html|pdf|json] [--lang en|zh-CN]` writes the week-24
report (reports/week24/): tables, figures, CONSORT, the protocol assumptions, the data cut
in site time; json: the same tables as data."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console

from trialdesk.cli.trial import DatabaseUrl
from trialdesk.errors import InputError, TrialdeskError

__all__ = ["report_app"]

report_app = typer.Typer(help="The study's reports from the trial store.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


@report_app.callback()
def _report() -> None:
    """The study's reports from the trial store."""


def _fail(error: TrialdeskError) -> typer.Exit:
    err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


class ReportFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    json = "json"


@report_app.command("week24")
def week24(
    out_file: Annotated[Path, typer.Option("--out", help="The file to write.")],
    format: Annotated[ReportFormat, typer.Option("--format", "-f")] = ReportFormat.html,
    lang: Annotated[str, typer.Option("--lang", help="en or zh-CN.")] = "en",
    study: Annotated[str, typer.Option(help="Bundled study id or a study folder.")] = "NCT06947746",
    database_url: DatabaseUrl = None,
) -> None:
    """The week-24 report: CONSORT, demographics, exposure, TEAEs with exact CIs, AE
    tables and listings, lab shifts, change from baseline and EULAR response, figures."""
    from trialdesk.reports.week24.build import report_from_store
    from trialdesk.reports.week24.html import check_lang, report_html
    from trialdesk.reports.week24.pdf import report_pdf
    from trialdesk.reports.week24.report import report_json
    from trialdesk.study.loader import load_study
    from trialdesk.trial.store.db import open_store

    started = time.perf_counter()
    try:
        check_lang(lang)
        if not out_file.parent.is_dir():
            raise InputError("no such folder", file=str(out_file.parent))
        loaded = load_study(study)
        store = open_store(database_url)
    except TrialdeskError as exc:
        raise _fail(exc) from None
    try:
        with store.read() as session:
            report = report_from_store(
                session,
                loaded,
                lang=lang,
                data_cut=datetime.now(UTC),
                draw=format is not ReportFormat.json,
                png=format is ReportFormat.pdf,
            )
        if format is ReportFormat.json:
            body = orjson.dumps(report_json(report), option=orjson.OPT_INDENT_2) + b"\n"
        elif format is ReportFormat.pdf:
            body = report_pdf(report, lang)
        else:
            body = report_html(report, lang).encode("utf-8")
    except TrialdeskError as exc:  # the store, the study folder or the data: one line, exit 2
        raise _fail(exc) from None
    finally:
        store.close()
    out_file.write_bytes(body)
    seconds = time.perf_counter() - started
    out.print(
        f"{loaded.id}: week-24 report ({format.value}, {lang}) written to {out_file} "
        f"in {seconds:.1f} s",
        highlight=False,
    )
