"""The exports room over a simulated trial (6 participants): the data manager's page lists
the packages and the protocol assumptions in both languages; each download is a zip of
the datasets with define.xml (every dataset it names is in the zip) and define.html; a
coordinator is refused, an anonymous visitor sent to sign in."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from lxml import etree

from trialdesk.reports.cdisc.dataset import read_xpt
from trialdesk.study.loader import load_study
from trialdesk.trial.simulate.run import simulate
from trialdesk.trial.store.db import open_store
from trialdesk.web import create_app
from trialdesk.web.app import bundled_studies
from webclient import add_staff, client_as

STUDY = load_study("NCT06947746")
LEAF = "{http://www.cdisc.org/ns/def/v2.1}leaf"
HREF = "{http://www.w3.org/1999/xlink}href"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('exports') / 'trial.db'}")
    simulate(store, STUDY, participants=6, seed=7, as_of=date(2026, 11, 30))
    add_staff(store)
    return create_app(store, studies=dict(bundled_studies()), secret_key=b"k" * 32)  # type: ignore[arg-type]


def _archive(app: FastAPI, path: str) -> zipfile.ZipFile:
    response = client_as(app, "data_manager").get(path)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["cache-control"] == "no-store"
    return zipfile.ZipFile(io.BytesIO(response.content))


def _leaves(archive: zipfile.ZipFile) -> set[str]:
    root = etree.fromstring(archive.read("define.xml"))
    return {str(leaf.get(HREF)) for leaf in root.iter(LEAF)}


def test_the_page_lists_the_packages_and_the_assumptions(app: FastAPI) -> None:
    client = client_as(app, "data_manager")
    page = client.get("/staff/exports")
    assert page.status_code == 200
    text = page.text
    assert "/staff/exports/sdtm.zip?study=NCT06947746&amp;format=xpt" in text
    assert "/staff/exports/adam.zip?study=NCT06947746&amp;format=json" in text
    assert "SDTMIG 3.4" in text and "ADaMIG 1.3" in text and "sdtmct-2025-03-28" in text
    assert "Protocol assumptions" in text and "SF-" in text
    assert 'href="/staff/exports"' in text  # the staff navigation links the room
    chinese = client.get("/staff/exports?lang=zh-CN").text
    assert "数据导出" in chinese and "方案假设" in chinese


def test_the_sdtm_zip_holds_the_xpts_and_define(app: FastAPI, tmp_path: Path) -> None:
    archive = _archive(app, "/staff/exports/sdtm.zip?format=xpt")
    names = set(archive.namelist())
    assert {"define.xml", "define.html", "dm.xpt", "ex.xpt", "sv.xpt", "vs.xpt", "lb.xpt"} <= names
    datasets = {n for n in names if n.endswith(".xpt")}
    assert _leaves(archive) == datasets  # define.xml names exactly the files in the zip
    archive.extract("dm.xpt", tmp_path)
    dm = read_xpt(tmp_path / "dm.xpt")
    assert len([r for r in dm.rows if r["ARM"] not in ("", "Screen Failure")]) == 6


def test_the_sdtm_zip_as_dataset_json(app: FastAPI) -> None:
    archive = _archive(app, "/staff/exports/sdtm.zip?format=json")
    datasets = {n for n in archive.namelist() if n.endswith(".json")}
    assert "dm.json" in datasets and _leaves(archive) == datasets
    assert not any(n.endswith(".xpt") for n in archive.namelist())


def test_the_adam_zip(app: FastAPI) -> None:
    archive = _archive(app, "/staff/exports/adam.zip")
    datasets = {n for n in archive.namelist() if n.endswith(".xpt")}
    assert {"adsl.xpt", "adeff.xpt"} <= datasets and _leaves(archive) == datasets
    assert b'Name="ADaMIG"' in archive.read("define.xml")


def test_a_bad_format_is_refused(app: FastAPI) -> None:
    response = client_as(app, "data_manager").get("/staff/exports/sdtm.zip?format=csv")
    assert response.status_code == 422


@pytest.mark.parametrize(
    "path", ["/staff/exports", "/staff/exports/sdtm.zip", "/staff/exports/adam.zip"]
)
def test_a_coordinator_is_refused_and_anonymous_sent_to_sign_in(app: FastAPI, path: str) -> None:
    assert client_as(app, "coordinator").get(path).status_code == 403
    anonymous = client_as(app, None).get(path)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]


def test_only_the_data_manager_sees_the_link(app: FastAPI) -> None:
    assert 'href="/staff/exports"' not in client_as(app, "coordinator").get("/staff").text
    assert 'href="/staff/exports"' in client_as(app, "data_manager").get("/staff").text
