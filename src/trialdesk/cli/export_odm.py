"""`trialdesk export odm` and `trialdesk export csv`: the study's forms and collected data
as CDISC ODM 1.3.2 (for a site's EDC: REDCap, OpenClinica), and one CSV per form.

The commands are plain Typer functions; cli/export.py registers them on its sub-app:

    from trialdesk.cli.export_odm import csv, odm
    export_app.command("odm")(odm)
    export_app.command("csv")(csv)
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from trialdesk.cli.trial import DatabaseUrl
from trialdesk.errors import TrialdeskError

__all__ = ["csv", "odm"]

out = Console()
err = Console(stderr=True)
StudyOption = Annotated[str, typer.Option(help="Bundled study id or a study folder.")]


def _fail(error: TrialdeskError) -> typer.Exit:
    err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


def _casebooks(study: Any, database_url: str | None) -> list[dict[str, Any]]:
    from trialdesk.trial.review.odm_extract import study_casebooks
    from trialdesk.trial.store.db import open_store

    store = open_store(database_url)
    try:
        with store.read() as session:
            return study_casebooks(session, study)
    finally:
        store.close()


def odm(
    out_file: Annotated[Path, typer.Option("--out", help="The ODM XML file to write.")],
    study: StudyOption = "NCT06947746",
    database_url: DatabaseUrl = None,
    with_data: Annotated[
        bool,
        typer.Option(
            "--with-data/--metadata-only",
            help="Add the participants' data from the trial store (ClinicalData).",
        ),
    ] = False,  # fmt: skip
) -> None:
    """The visits and forms as CDISC ODM 1.3.2 (checked against its schema), with the
    collected data if asked."""
    from trialdesk.reports.cdisc.odm.write import write_odm
    from trialdesk.study.loader import load_study

    started = time.perf_counter()
    try:
        loaded = load_study(study)
        books = _casebooks(loaded, database_url) if with_data else None
        write_odm(loaded, out_file, casebooks=books)
    except TrialdeskError as exc:
        raise _fail(exc) from None
    what = "metadata" if books is None else f"metadata and {len(books)} participant(s)' data"
    out.print(f"{loaded.id}: ODM 1.3.2 {what} written to {out_file} "
              f"in {time.perf_counter() - started:.1f} s", highlight=False)  # fmt: skip


def csv(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the CSV files to.")],
    study: StudyOption = "NCT06947746",
    database_url: DatabaseUrl = None,
) -> None:
    """One CSV per form (UTF-8 with a byte-order mark, for Excel) and a data dictionary."""
    from trialdesk.reports.cdisc.odm.form_csv import write_form_csvs
    from trialdesk.study.loader import load_study

    started = time.perf_counter()
    try:
        loaded = load_study(study)
        books = _casebooks(loaded, database_url)
        written = write_form_csvs(loaded, books, out_dir)
    except TrialdeskError as exc:
        raise _fail(exc) from None
    out.print(f"{loaded.id}: {len(written)} CSV files for {len(books)} participant(s) "
              f"written to {out_dir} in {time.perf_counter() - started:.1f} s",
              highlight=False)  # fmt: skip
