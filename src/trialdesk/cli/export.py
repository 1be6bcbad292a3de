"""`trialdesk export`: the CDISC submission package from the trial store.

`export sdtm --out DIR [--format xpt|json]` writes the SDTM datasets (SDTMIG 3.4) of a
study's participants and screen failures, with define.xml and define.html beside them;
`export adam --out DIR [--format xpt|json]` the ADaM datasets (ADaMIG 1.3) derived from
the same SDTM in memory, with their own define.xml. Both through reports/cdisc/export.py,
which the data manager's download (web/rooms/exports/) uses too."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from trialdesk.cli.export_check import check
from trialdesk.cli.export_odm import csv, odm
from trialdesk.cli.trial import DatabaseUrl
from trialdesk.errors import TrialdeskError

if TYPE_CHECKING:
    from trialdesk.reports.cdisc.export import Kind, Package
    from trialdesk.reports.cdisc.sdtm.package import Format

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


OutDir = Annotated[Path, typer.Option("--out", help="Folder to write the package to.")]
FormatOption = Annotated[
    DataFormat, typer.Option("--format", "-f", help="SAS XPT v5 or Dataset-JSON 1.1.")
]
StudyOption = Annotated[str, typer.Option(help="Bundled study id or a study folder.")]


def _write_package(
    kind: Kind, out_dir: Path, format: DataFormat, study: str, database_url: str | None
) -> None:
    """Read the store once, build the package of ``kind`` and write it with its define.xml."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from trialdesk.reports.cdisc.export import write_adam, write_sdtm
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
            progress.update(task, description=f"building {kind.upper()}")

            def step(name: str, done: int, total: int) -> None:
                progress.update(task, description=f"writing {name}".strip(), completed=done,
                                total=total)  # fmt: skip

            write = write_sdtm if kind == "sdtm" else write_adam
            chosen: Format = "xpt" if format is DataFormat.xpt else "json"
            package = write(source, out_dir, format=chosen, progress=step)
    except TrialdeskError as exc:
        raise _fail(exc) from None
    finally:
        store.close()
    _report(package, loaded.id, len(source.subjects), time.perf_counter() - started)


def _report(package: Package, study_id: str, people: int, seconds: float) -> None:
    out.print(f"{study_id}: {len(package.written)} {package.kind.upper()} datasets "
              f"({package.format}) for {people} subject(s) and define.xml written to "
              f"{package.folder} in {seconds:.1f} s", highlight=False)  # fmt: skip
    for w in package.written:
        out.print(f"  {w.path.name:<12} {len(w.dataset.rows):>7} records", highlight=False)
    out.print(f"  {package.define.name:<12} Define-XML 2.1, valid against its schema; "
              f"{package.html.name}", highlight=False)  # fmt: skip
    if package.skipped:
        out.print(f"  no records, not written: {', '.join(package.skipped)}", highlight=False)


@export_app.command("sdtm")
def sdtm(
    out_dir: OutDir, format: FormatOption = DataFormat.xpt, study: StudyOption = "NCT06947746",
    database_url: DatabaseUrl = None,
) -> None:  # fmt: skip
    """SDTM datasets (SDTMIG 3.4) of the study's participants and screen failures, with
    define.xml 2.1 and define.html beside them."""
    _write_package("sdtm", out_dir, format, study, database_url)


@export_app.command("adam")
def adam(
    out_dir: OutDir, format: FormatOption = DataFormat.xpt, study: StudyOption = "NCT06947746",
    database_url: DatabaseUrl = None,
) -> None:  # fmt: skip
    """ADaM datasets (ADaMIG 1.3: ADSL, ADAE, ADLB, ADEFF) derived from the study's SDTM,
    with define.xml 2.1 and define.html beside them."""
    _write_package("adam", out_dir, format, study, database_url)


# the conformance checker over a package folder (cli/export_check.py, docs/cdisc-check.md)
export_app.command("check")(check)
export_app.command("odm")(odm)
export_app.command("csv")(csv)
