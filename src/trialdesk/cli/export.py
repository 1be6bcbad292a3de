"""`trialdesk export`: the CDISC submission package from the trial store.

`export sdtm --out DIR [--format xpt|json]` writes the SDTM datasets (SDTMIG 3.4) of a
study's participants and screen failures. Other export commands join this sub-app."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from trialdesk.cli.trial import DatabaseUrl
from trialdesk.errors import TrialdeskError

__all__ = ["export_app"]

export_app = typer.Typer(help="Export the study's data: the CDISC submission package.",
                         no_args_is_help=True)  # fmt: skip
out = Console()
err = Console(stderr=True)


@export_app.callback()
def _export() -> None:
    """Export the study's data: the CDISC submission package."""


class DataFormat(StrEnum):
    xpt = "xpt"
    json = "json"


def _fail(error: TrialdeskError) -> typer.Exit:
    err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
    return typer.Exit(code=2)


@export_app.command("sdtm")
def sdtm(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the datasets to.")],
    format: Annotated[
        DataFormat, typer.Option("--format", "-f", help="SAS XPT v5 or Dataset-JSON 1.1.")
    ] = DataFormat.xpt,
    study: Annotated[str, typer.Option(help="Bundled study id or a study folder.")] = "NCT06947746",
    database_url: DatabaseUrl = None,
) -> None:
    """SDTM datasets (SDTMIG 3.4) of the study's participants and screen failures."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from trialdesk.reports.cdisc.sdtm.package import sdtm_datasets, write_package
    from trialdesk.reports.cdisc.sdtm.source import source_of
    from trialdesk.study.loader import load_study
    from trialdesk.trial.review.extract import trial_extract
    from trialdesk.trial.store.db import open_store

    started = time.perf_counter()
    try:
        loaded = load_study(study)
        store = open_store(database_url)
    except TrialdeskError as exc:
        raise _fail(exc) from None
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      console=err, transient=True) as progress:  # fmt: skip
            task = progress.add_task(f"reading {loaded.id}", total=None)
            with store.read() as session:
                extract = trial_extract(session, loaded)
            source = source_of(loaded, extract, created=datetime.now(UTC))
            progress.update(task, description="building the domains")
            datasets = sdtm_datasets(source)

            def step(name: str, done: int, total: int) -> None:
                progress.update(task, description=f"writing {name}".strip(), completed=done,
                                total=total)  # fmt: skip

            written, skipped = write_package(
                datasets, out_dir, format=format.value, source=source, progress=step
            )
    except TrialdeskError as exc:
        raise _fail(exc) from None
    finally:
        store.close()
    seconds = time.perf_counter() - started
    people = len(source.subjects)
    out.print(f"{loaded.id}: {len(written)} SDTM datasets ({format.value}) for {people} "
              f"subject(s) written to {out_dir} in {seconds:.1f} s", highlight=False)  # fmt: skip
    for w in written:
        out.print(f"  {w.path.name:<10} {len(w.dataset.rows):>6} records", highlight=False)
    if skipped:
        out.print(f"  no records, not written: {', '.join(skipped)}", highlight=False)
