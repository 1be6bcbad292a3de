"""`export check DIR`: exit 0 with warnings only, 1 with an error, 2 on input it cannot
read (every unreadable file named); text and JSON output; XPT and Dataset-JSON input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner

from reports.cdisc.check.builders import Rows, clean_rows, datasets
from trialdesk.cli.export_check import check
from trialdesk.reports.cdisc.dataset import write_dataset_json, write_xpt

app = typer.Typer()
app.command()(check)
runner = CliRunner()


def _write(folder: Path, rows: Rows, kind: str = "xpt") -> Path:
    folder.mkdir()
    for ds in datasets(rows):
        if kind == "xpt":
            write_xpt(ds, folder / f"{ds.name.lower()}.xpt")
        else:
            write_dataset_json(
                ds, folder / f"{ds.name.lower()}.json", study_oid="S1",
                created=datetime(2025, 1, 1, tzinfo=UTC),
            )  # fmt: skip
    return folder


def test_a_clean_folder_exits_0(tmp_path: Path) -> None:
    folder = _write(tmp_path / "sdtm", clean_rows())
    run = runner.invoke(app, [str(folder), "--format", "json"])
    assert run.exit_code == 0, run.output
    report = orjson.loads(run.stdout)
    assert (report["errors"], report["warnings"], report["findings"]) == (0, 0, [])
    assert report["datasets"] == ["AE", "DM", "DS", "EX", "LB", "SV", "TA", "TE", "TS", "VS"]
    # no define.xml: the four rules that compare with it are named as not run
    assert sorted(s["rule"] for s in report["skipped"]) == ["SD0054", "SD0060", "SD0061",
                                                            "SD1063"]  # fmt: skip


def test_an_error_exits_1_and_names_rule_dataset_variable_record(tmp_path: Path) -> None:
    rows = clean_rows()
    rows["AE"][0]["AESTDTC"] = "2024-13-01"
    folder = _write(tmp_path / "sdtm", rows)
    run = runner.invoke(app, [str(folder), "--format", "json"])
    assert run.exit_code == 1, run.output
    report = orjson.loads(run.stdout)
    assert (report["errors"], report["warnings"]) == (1, 0)
    finding = report["findings"][0]
    assert {k: finding[k] for k in ("rule", "fda_rule", "severity", "dataset", "variable",
                                    "row", "value")} == {
        "rule": "SD0003", "fda_rule": "FDAC038", "severity": "error", "dataset": "AE",
        "variable": "AESTDTC", "row": 1, "value": "2024-13-01",
    }  # fmt: skip
    text = runner.invoke(app, [str(folder)])
    assert text.exit_code == 1
    assert "1 errors, 0 warnings" in text.stdout
    assert "error SD0003 AE.AESTDTC record 1: Invalid ISO 8601 value" in text.stdout


def test_warnings_only_exit_0_from_dataset_json(tmp_path: Path) -> None:
    rows = clean_rows()
    rows["DM"][1]["ACTARMCD"] = "NOTTRT"
    folder = _write(tmp_path / "sdtm", rows, kind="json")
    run = runner.invoke(app, [str(folder), "--format", "json"])
    assert run.exit_code == 0, run.output
    report = orjson.loads(run.stdout)
    assert (report["errors"], report["warnings"]) == (0, 1)
    assert [(f["rule"], f["dataset"], f["row"]) for f in report["findings"]] == [
        ("SD2236", "DM", 2)
    ]


def test_no_such_folder_exits_2(tmp_path: Path) -> None:
    run = runner.invoke(app, [str(tmp_path / "nowhere")])
    assert run.exit_code == 2
    assert "not a directory" in run.stderr


@pytest.mark.parametrize("content", [b"", b"not a transport file" * 10])
def test_unreadable_files_exit_2_each_named(tmp_path: Path, content: bytes) -> None:
    folder = _write(tmp_path / "sdtm", clean_rows())
    (folder / "xx.xpt").write_bytes(content)
    (folder / "yy.json").write_bytes(b"{")
    run = runner.invoke(app, [str(folder)])
    assert run.exit_code == 2
    assert "xx.xpt" in run.stderr and "yy.json" in run.stderr


def test_a_folder_without_datasets_exits_2(tmp_path: Path) -> None:
    run = runner.invoke(app, [str(tmp_path)])
    assert run.exit_code == 2
    assert "holds no *.xpt" in run.stderr
