"""For variables the CDISC pilot shares, labels and types equal the pilot's (issue 16's
proof): every variable name trialdesk's SDTM or ADaM (the simulated trial of
simulated_trial.py) shares with a pilot dataset of the same domain has the pilot's label
and the same storage type (Char or Num), read from the pilot's XPT files.

The pilots: sdtm_cdiscpilot01 (SDTMIG 3.1.2), the update2 zip (SDTMIG 3.2) and
adam_cdiscpilot01 (ADaMIG 1.0). Same domain means: the same name; a split dataset of the
domain (SDTMIG 3.4 §4.1.7: LBCH, LBHE, LBUR are LB; QSCO... are QS); any SUPP-- for any
SUPP-- (SDTMIG 3.4 §8.4.2: every SUPP-- has SUPPQUAL's variables); for ADaM, ADEFF and
ADLB against ADQSCIBC, the pilot's visit-windowed BDS dataset (the issue pairs ADEFF with
its windows). ADTTE is left out: trialdesk has no time-to-event dataset.

trialdesk targets SDTMIG 3.4: where the IG changed a label since the pilot's version, the
difference is listed in ``RELABELLED`` with its reference, and each entry is checked (the
label given is trialdesk's and, for the SDTM domains in sdtmig_3_4.csv, the IG table's);
an entry nothing needs any more fails the test too."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyreadstat
import pytest
from lxml import etree

from reports.cdisc.simulated_trial import simulated
from shared_data import SHARED, need
from trialdesk.reports.cdisc.dataset import Dataset
from trialdesk.reports.cdisc.sdtm.variables import ig_variables

pytestmark = pytest.mark.slow  # the simulated trial (~5 s) and 53 XPT headers

PILOT = SHARED / "cdisc-pilot01"
PILOT_312 = PILOT / "sdtm_cdiscpilot01"
PILOT_32 = PILOT / "sdtm_cdiscpilot_update2_zip" / "cdiscpilot_update2.zip"
PILOT_ADAM = PILOT / "adam_cdiscpilot01"
SDTM_312, SDTM_32, ADAM_10 = "SDTMIG 3.1.2", "SDTMIG 3.2", "ADaMIG 1.0"
# the pilot's BDS dataset with analysis windows (its define.xml: def:Class="BDS")
PILOT_WINDOWED_BDS = "ADQSCIBC"


@dataclass(frozen=True)
class Relabelled:
    """A label the standard changed since the pilot's version, or the pilot got wrong."""

    pilot: str  # SDTM_312, SDTM_32 or ADAM_10
    dataset: str  # trialdesk's dataset
    variable: str
    pilot_label: str
    label: str  # trialdesk's, the standard's
    reference: str


RELABELLED = (
    # SDTMIG 3.1.2 -> 3.2 (the update2 pilot, SDTMIG 3.2, already has the new labels)
    Relabelled(SDTM_312, "TA", "TAETORD", "Order of Element within Arm",
               "Planned Order of Element within Arm", "SDTMIG 3.4 TA (3.2 on)"),
    Relabelled(SDTM_312, "EX", "EXTRT", "Name of Actual Treatment",
               "Name of Treatment", "SDTMIG 3.4 EX (3.2 on)"),
    Relabelled(SDTM_312, "EX", "EXDOSE", "Dose per Administration",
               "Dose", "SDTMIG 3.4 EX (3.2 on)"),
    # SDTMIG 3.4's SV records whether a visit occurred (SVPRESP, SVOCCUR, SVREASOC): its
    # timing labels name the observation, where 3.1.2 and 3.2 named the visit
    *(
        Relabelled(pilot, "SV", f"SV{end}DTC", f"{word} Date/Time of Visit",
                   f"{word} Date/Time of Observation", "SDTMIG 3.4 SV")
        for pilot in (SDTM_312, SDTM_32) for end, word in (("ST", "Start"), ("EN", "End"))
    ),
    *(
        Relabelled(SDTM_32, "SV", f"SV{end}DY", f"Study Day of {word} of Visit",
                   f"Study Day of {word} of Observation", "SDTMIG 3.4 SV")
        for end, word in (("ST", "Start"), ("EN", "End"))
    ),
    # the pilot gives SE's study days the generic --STDY/--ENDY label; the IG names the Element
    *(
        Relabelled(SDTM_32, "SE", f"SE{end}DY", f"Study Day of {word} of Observation",
                   f"Study Day of {word} of Element", "SDTMIG 3.4 SE")
        for end, word in (("ST", "Start"), ("EN", "End"))
    ),
    Relabelled(SDTM_32, "TI", "IETESTCD", "Inclusion/Exclusion Criterion Short Name",
               "Incl/Excl Criterion Short Name", "SDTMIG 3.4 TI"),
    Relabelled(SDTM_32, "TS", "TSVALNF", "Parameter Null Flavor",
               "Parameter Value Null Flavor", "SDTMIG 3.4 TS"),
    # the pilot's own slip: its LB*, VS carry the Findings class label, its QS* do not
    Relabelled(SDTM_32, "QS", "QSSTRESC", "Result or Finding in Standard Format",
               "Character Result/Finding in Std Format",
               "SDTMIG 3.2 and 3.4 QS (Findings --STRESC); the pilot's LBSTRESC has it"),
    # an ADaM variable named as an SDTM one is its copy, label unchanged (ADaM conformance
    # check ADAM0002); DM.DTHFL is "Subject Death Flag" (SDTMIG 3.4 DM)
    Relabelled(ADAM_10, "ADSL", "DTHFL", "Subject Died?",
               "Subject Death Flag", "SDTMIG 3.4 DM, ADAM0002"),
)  # fmt: skip


@dataclass(frozen=True)
class PilotVariable:
    pilot: str
    dataset: str  # the pilot's dataset (table) name
    name: str
    label: str
    kind: str  # Char | Num


def _xpt_variables(pilot: str, path: Path) -> Iterator[PilotVariable]:
    try:
        _, meta = pyreadstat.read_xport(str(path), metadataonly=True)
    except pyreadstat.ReadstatError:  # written by SAS on Windows: cp1252 (dataset.read_xpt)
        _, meta = pyreadstat.read_xport(str(path), metadataonly=True, encoding="cp1252")
    table = str(meta.table_name or path.stem).upper()
    for name, label in zip(meta.column_names, meta.column_labels, strict=True):
        kind = "Char" if meta.readstat_variable_types[name] == "string" else "Num"
        yield PilotVariable(pilot, table, str(name), label or "", kind)


@pytest.fixture(scope="module")
def pilot(tmp_path_factory: pytest.TempPathFactory) -> list[PilotVariable]:
    folder = tmp_path_factory.mktemp("pilot")
    with zipfile.ZipFile(need(PILOT_32)) as z:
        members = [m for m in z.namelist() if m.lower().endswith(".xpt")]
        z.extractall(folder, members=members)
    files = [
        *((SDTM_312, p) for p in sorted(need(PILOT_312).glob("*.xpt"))),
        *((SDTM_32, p) for p in sorted(folder.rglob("*.xpt"))),
        *((ADAM_10, p) for p in sorted(need(PILOT_ADAM).glob("*.xpt"))),
    ]
    return [v for pilot, path in files for v in _xpt_variables(pilot, path)]


def counterpart(pilot_dataset: str, ours: set[str]) -> list[str]:
    """trialdesk's datasets of the same domain as a pilot dataset (module docstring)."""
    if pilot_dataset in ours:
        return [pilot_dataset]
    if pilot_dataset.startswith("SUPP"):
        return sorted(n for n in ours if n.startswith("SUPP"))
    if pilot_dataset == PILOT_WINDOWED_BDS:
        return sorted({"ADEFF", "ADLB"} & ours)
    if not pilot_dataset.startswith("AD") and pilot_dataset[:2] in ours:
        return [pilot_dataset[:2]]  # a split dataset: LBCH is LB
    return []


@pytest.fixture(scope="module")
def ours() -> dict[str, Dataset]:
    trial = simulated()
    return {d.name: d for d in (*trial.sdtm, *trial.adam)}


@dataclass(frozen=True)
class Comparison:
    compared: int
    label_differences: set[tuple[str, str, str, str, str]]  # pilot, ours, variable, theirs, ours
    type_differences: list[str]


@pytest.fixture(scope="module")
def comparison(pilot: list[PilotVariable], ours: dict[str, Dataset]) -> Comparison:
    compared = 0
    labels: set[tuple[str, str, str, str, str]] = set()
    types: list[str] = []
    for theirs in pilot:
        for name in counterpart(theirs.dataset, set(ours)):
            if theirs.name not in ours[name].names:
                continue
            mine = ours[name].variable(theirs.name)
            compared += 1
            if mine.label != theirs.label:
                labels.add((theirs.pilot, name, mine.name, theirs.label, mine.label))
            if mine.kind != theirs.kind:
                types.append(
                    f"{name}.{mine.name} is {mine.kind} ({mine.data_type}); the {theirs.pilot}"
                    f" pilot's {theirs.dataset}.{theirs.name} is {theirs.kind}"
                )
    return Comparison(compared, labels, types)


def test_the_comparison_covers_the_shared_domains(comparison: Comparison) -> None:
    pilots_and_datasets = {(p, d) for p, d, *_ in comparison.label_differences}
    assert comparison.compared > 400, comparison.compared  # not an empty comparison
    assert pilots_and_datasets  # the three pilots differ somewhere, as RELABELLED says


def test_types_equal_the_pilots(comparison: Comparison) -> None:
    assert comparison.type_differences == []


def test_labels_equal_the_pilots_but_where_the_standard_changed(comparison: Comparison) -> None:
    allowed = {(r.pilot, r.dataset, r.variable, r.pilot_label, r.label) for r in RELABELLED}
    unexplained = sorted(comparison.label_differences - allowed)
    assert unexplained == [], "a label differs from the pilot's: fix it or list why"
    stale = sorted(allowed - comparison.label_differences)
    assert stale == [], "RELABELLED lists a difference that no longer exists"


@pytest.mark.parametrize("entry", RELABELLED, ids=lambda r: f"{r.pilot}-{r.dataset}.{r.variable}")
def test_each_exception_is_the_standards_label(entry: Relabelled, ours: dict[str, Dataset]) -> None:
    assert ours[entry.dataset].variable(entry.variable).label == entry.label
    table = ig_variables()
    ig_dataset = "DM" if entry.dataset == "ADSL" else entry.dataset  # ADSL.DTHFL copies DM's
    if ig_dataset in table:
        assert table[ig_dataset][entry.variable].label == entry.label


def test_the_pilots_windowed_bds_is_bds() -> None:
    """ADQSCIBC stands for ADEFF and ADLB because the pilot's define.xml calls it BDS."""
    define = etree.parse(str(need(PILOT_ADAM / "define.xml")))
    classes = {
        group.get("OID"): value
        for group in define.iter("{*}ItemGroupDef")
        for key, value in group.attrib.items()
        if key.endswith("}Class") or key == "Class"
    }
    assert classes[PILOT_WINDOWED_BDS] == "BDS"
