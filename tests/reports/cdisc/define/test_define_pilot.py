"""define.xml 2.1 for the CDISC pilot's own SDTM files (read back with read_xpt), with the
class, structure, keys and labels its Define-XML 1.0 gives: it validates against the 2.1
schema and its HTML names every dataset and variable."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

from trialdesk.reports.cdisc.dataset import Dataset, read_xpt
from trialdesk.reports.cdisc.define import DefineStudy, schema_errors, write_define

PILOT = Path(__file__).resolve().parents[5] / "shared/data/cdisc-pilot01/sdtm_cdiscpilot01"
V1 = {"odm": "http://www.cdisc.org/ns/odm/v1.2", "def": "http://www.cdisc.org/ns/def/v1.0"}
DEF1 = "{http://www.cdisc.org/ns/def/v1.0}"

pytestmark = pytest.mark.skipif(
    not (PILOT / "define.xml").is_file(), reason=f"the CDISC pilot is not at {PILOT}"
)


def _pilot() -> list[Dataset]:
    root = ET.parse(PILOT / "define.xml").getroot()
    groups = {g.get("Name"): g for g in root.iterfind(".//odm:ItemGroupDef", V1)}
    datasets = []
    for path in sorted(PILOT.glob("*.xpt")):
        data = read_xpt(path)
        group = groups[data.name]
        keys = tuple(k.strip() for k in (group.get(f"{DEF1}DomainKeys") or "").split(","))
        datasets.append(
            replace(
                data,
                label=group.get(f"{DEF1}Label") or data.label,
                structure=group.get(f"{DEF1}Structure") or "",
                dataset_class=(group.get(f"{DEF1}Class") or "").upper(),
                keys=tuple(k for k in keys if k in data.names),
            )
        )
    return datasets


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Dataset], Path]:
    datasets = _pilot()
    study = DefineStudy("CDISCPILOT01", "CDISCPILOT01", "CDISC pilot 01", "CDISCPILOT01")
    out = tmp_path_factory.mktemp("pilot-define")
    return datasets, write_define(datasets, out, study=study, standard="SDTMIG 3.1.2")


def test_the_pilot_define_validates(pilot: tuple[list[Dataset], Path]) -> None:
    datasets, path = pilot
    assert len(datasets) == 18
    assert schema_errors(path) == []
    root = ET.parse(path).getroot()
    ns = {"odm": "http://www.cdisc.org/ns/odm/v1.3", "def": "http://www.cdisc.org/ns/def/v2.1"}
    assert len(root.findall(".//odm:ItemGroupDef", ns)) == 18
    # an ItemDef per variable, and one per QNAM of each SUPP-- (QVAL's value list)
    qnams = sum(len({r["QNAM"] for r in d.rows}) for d in datasets if d.name.startswith("SUPP"))
    lists = root.findall(".//def:ValueListDef", ns)
    assert sorted(v.get("OID") for v in lists) == ["VL.SUPPAE.QVAL", "VL.SUPPDM.QVAL",
                                                   "VL.SUPPDS.QVAL"]  # fmt: skip
    assert sum(len(v.findall("odm:ItemRef", ns)) for v in lists) == qnams > 0
    assert len(root.findall(".//odm:ItemDef", ns)) == (
        sum(len(d.variables) for d in datasets) + qnams
    )


def test_the_pilot_html_names_every_dataset_and_variable(
    pilot: tuple[list[Dataset], Path],
) -> None:
    datasets, path = pilot
    html = (path.parent / "define.html").read_text(encoding="utf-8")
    missing = [
        f"{d.name}.{v.name}"
        for d in datasets
        for v in d.variables
        if f">{v.name}<" not in html and f"{v.name}</" not in html
    ]
    assert missing == []
    assert all(f"{d.name.lower()}.xpt" in html for d in datasets)
