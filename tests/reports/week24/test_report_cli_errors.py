"""`trialdesk report week24`: an error while the report is built (the store, the study
folder, the data) is one line and exit 2, as every command answers, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from trialdesk.cli.report import report_app
from trialdesk.errors import InputError
from trialdesk.reports.week24 import build

runner = CliRunner()


def test_an_error_while_building_the_report_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise InputError("endpoint P1 reads womac.pain, which has no SDTM test",
                         file="endpoints.yaml")  # fmt: skip

    monkeypatch.setattr(build, "report_from_store", refuse)
    out = tmp_path / "w24.json"
    result = runner.invoke(
        report_app,
        ["week24", "--out", str(out), "--format", "json",
         "--database-url", f"sqlite:///{tmp_path / 'trial.db'}"],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "endpoints.yaml: endpoint P1 reads womac.pain" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()  # nothing half-written
