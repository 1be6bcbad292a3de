"""The export commands as cli/export.py registers them: the ODM metadata file is written,
and a bad study is one error line and exit 2."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from trialdesk.cli.export_odm import csv, odm

app = typer.Typer()
app.command("odm")(odm)
app.command("csv")(csv)


def test_odm_metadata_only_needs_no_store(tmp_path: Path) -> None:
    out = tmp_path / "forms.xml"
    result = CliRunner().invoke(app, ["odm", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count("<FormDef ") == 13


def test_an_unknown_study_is_exit_2(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["odm", "--out", str(tmp_path / "x.xml"), "--study", "NOPE"])
    assert result.exit_code == 2
    assert "NOPE" in result.output
    assert not (tmp_path / "x.xml").exists()
