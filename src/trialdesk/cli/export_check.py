"""`trialdesk export check DIR`: the conformance checker over a directory of SDTM datasets
and its define.xml (reports/cdisc/check/; the rules are listed in docs/cdisc-check.md).

Registered on the `export` sub-app by cli/export.py:
    from trialdesk.cli.export_check import check
    export_app.command("check")(check)
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from trialdesk.errors import FieldErrors, TrialdeskError

__all__ = ["CheckFormat", "check"]

err = Console(stderr=True)


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


def check(
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="DIR",
            help="Folder of SDTM datasets (*.xpt or Dataset-JSON *.json) and its define.xml.",
        ),
    ],
    format: Annotated[
        CheckFormat,
        typer.Option("--format", "-f", help="text, or json: the counts and every finding."),
    ] = CheckFormat.text,
) -> None:
    """Check SDTM datasets against a stated set of FDA / Pinnacle 21 rules.

    Exit 0 when there is no error (warnings allowed), 1 when any rule of severity error
    found something, 2 when the input cannot be read.
    """
    from trialdesk.reports.cdisc.check.report import to_json, to_text
    from trialdesk.reports.cdisc.check.run import check_directory

    try:
        result = check_directory(directory)
    except TrialdeskError as error:
        problems = error.errors if isinstance(error, FieldErrors) else (error,)
        for problem in problems:  # every unreadable file, each on its line
            err.print(f"[bold red]error:[/] {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None
    sys.stdout.write(to_json(result) + "\n" if format is CheckFormat.json else to_text(result))
    raise typer.Exit(code=1 if result.errors else 0)
