"""`trialdesk export sdtm` and `export adam` over a simulated trial (8 participants): each
folder is a complete package (define.xml valid against the Define-XML 2.1 schema, every
dataset file it names is there and every dataset file there is named, define.html beside
it); SDTM holds the Findings domains, whose visits agree with SV and TV; ADaM is derived
from the same extract and says ADaMIG 1.3."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from trialdesk.cli import app
from trialdesk.reports.cdisc.dataset import read_dataset_json, read_xpt
from trialdesk.reports.cdisc.define import validate_define
from trialdesk.study.loader import load_study
from trialdesk.trial.simulate.run import simulate
from trialdesk.trial.store.db import open_store

STUDY = load_study("NCT06947746")
NS = {
    "odm": "http://www.cdisc.org/ns/odm/v1.3",
    "def": "http://www.cdisc.org/ns/def/v2.1",
    "xlink": "http://www.w3.org/1999/xlink",
}
HREF = "{http://www.w3.org/1999/xlink}href"


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('export') / 'trial.db'}"
    store = open_store(url)
    try:
        simulate(store, STUDY, participants=8, seed=5, as_of=date(2026, 11, 30))
    finally:
        store.close()
    return url


def _export(url: str, kind: str, out: Path, format: str) -> Path:
    result = CliRunner().invoke(
        app, ["export", kind, "--out", str(out), "--format", format, "--database-url", url]
    )
    assert result.exit_code == 0, result.output
    assert "define.xml" in result.output
    return out


@pytest.fixture(scope="module", params=["xpt", "json"])
def sdtm_dir(
    request: pytest.FixtureRequest, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return _export(database_url, "sdtm", tmp_path_factory.mktemp("sdtm"), request.param)


@pytest.fixture(scope="module")
def adam_dir(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _export(database_url, "adam", tmp_path_factory.mktemp("adam"), "xpt")


def _leaves(folder: Path) -> dict[str, str]:
    """Each ItemGroupDef's dataset name -> the file its def:leaf points to."""
    root = etree.parse(str(folder / "define.xml")).getroot()
    out = {}
    for group in root.iterfind(".//odm:ItemGroupDef", NS):
        leaf = group.find("def:leaf", NS)
        assert leaf is not None, group.get("Name")
        out[str(group.get("Name"))] = str(leaf.get(HREF))
    return out


def _standard(folder: Path) -> tuple[str, str]:
    root = etree.parse(str(folder / "define.xml")).getroot()
    ig = root.find(".//def:Standard[@Type='IG']", NS)
    assert ig is not None
    return str(ig.get("Name")), str(ig.get("Version"))


def _assert_complete(folder: Path, suffix: str) -> dict[str, str]:
    validate_define(folder / "define.xml")  # raises, naming each element, if it does not
    assert "<html" in (folder / "define.html").read_text(encoding="utf-8")[:2000].lower()
    leaves = _leaves(folder)
    assert leaves, "define.xml lists no dataset"
    for name, href in leaves.items():
        assert href == f"{name.lower()}{suffix}", (name, href)
        assert (folder / href).is_file(), href
    files = {p.name for p in folder.iterdir() if p.suffix == suffix}
    assert files == set(leaves.values())  # nothing written that define.xml does not name
    return leaves


def test_sdtm_folder_is_a_complete_package(sdtm_dir: Path) -> None:
    suffix = ".json" if any(sdtm_dir.glob("*.json")) else ".xpt"
    leaves = _assert_complete(sdtm_dir, suffix)
    assert _standard(sdtm_dir) == ("SDTMIG", "3.4")
    assert {"DM", "EX", "AE", "SV", "TV", "VS", "LB", "QS"} <= set(leaves)


def test_findings_visits_agree_with_sv_and_tv(sdtm_dir: Path) -> None:
    read = read_dataset_json if any(sdtm_dir.glob("*.json")) else read_xpt
    suffix = ".json" if read is read_dataset_json else ".xpt"

    def rows(name: str) -> list[dict[str, object]]:
        return [dict(r) for r in read(sdtm_dir / f"{name}{suffix}").rows]

    sv = {(r["USUBJID"], float(r["VISITNUM"])): r["VISIT"] for r in rows("sv")}  # type: ignore[arg-type]
    tv = {float(r["VISITNUM"]): r["VISIT"] for r in rows("tv")}  # type: ignore[arg-type]
    checked = 0
    for name in ("vs", "lb", "qs"):
        for r in rows(name):
            number = float(r["VISITNUM"])  # type: ignore[arg-type]
            assert sv[(r["USUBJID"], number)] == r["VISIT"], (name, r)
            if number in tv:
                assert tv[number] == r["VISIT"], (name, r)
            checked += 1
    assert checked > 100


def test_adam_folder_is_a_complete_package(adam_dir: Path) -> None:
    leaves = _assert_complete(adam_dir, ".xpt")
    assert _standard(adam_dir) == ("ADaMIG", "1.3")
    assert {"ADSL", "ADAE", "ADLB", "ADEFF"} <= set(leaves)
    root = etree.parse(str(adam_dir / "define.xml")).getroot()
    assert {g.get("Purpose") for g in root.iterfind(".//odm:ItemGroupDef", NS)} == {"Analysis"}
    adsl = read_xpt(adam_dir / "adsl.xpt")
    assert len(adsl.rows) == 10  # 8 participants and 2 screen failures, as DM has them


def test_a_bad_study_fails_with_exit_2(database_url: str, tmp_path: Path) -> None:
    for kind in ("sdtm", "adam"):
        result = CliRunner().invoke(
            app,
            ["export", kind, "--out", str(tmp_path), "--study", "nope", "--database-url",
             database_url],
        )  # fmt: skip
        assert result.exit_code == 2, result.output
        assert not any(tmp_path.iterdir())


def test_the_checker_reads_the_package_with_its_define(sdtm_dir: Path) -> None:
    """`export check` is registered beside the exports and takes the folder as written
    (its verdict on this trial is tests/reports/cdisc/check/'s concern)."""
    result = CliRunner().invoke(app, ["export", "check", str(sdtm_dir)])
    assert result.exit_code in (0, 1), result.output
    assert "with define.xml" in result.output.splitlines()[0]
