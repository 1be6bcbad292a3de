"""Each rule's positive control: the clean submission gives no finding at all; one seeded
defect gives exactly that rule's finding, at the dataset, record and variable seeded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from reports.cdisc.check.builders import (
    Rows,
    clean_rows,
    dataset,
    datasets,
    define_for,
    lab,
    submission,
)
from trialdesk.reports.cdisc.check.model import RULES, Severity
from trialdesk.reports.cdisc.check.run import run_rules
from trialdesk.reports.cdisc.check.submission import Submission

Seed = Callable[[Rows], Submission | None]


def _set(domain: str, row: int, **values: object) -> Seed:
    def seed(rows: Rows) -> None:
        rows[domain][row - 1].update(values)

    return seed


def _drop(domain: str, *names: str, then: Seed | None = None) -> Seed:
    def seed(rows: Rows) -> Submission | None:
        for r in rows[domain]:
            for n in names:
                r.pop(n, None)
        return then(rows) if then else None

    return seed


def _append(domain: str, **values: object) -> Seed:
    def seed(rows: Rows) -> None:
        rows[domain].append({**rows[domain][-1], **values})

    return seed


def _remove(domain: str, row: int) -> Seed:
    def seed(rows: Rows) -> None:
        del rows[domain][row - 1]

    return seed


def _append_lab(n: str, seq: int, **values: object) -> Seed:
    def seed(rows: Rows) -> None:
        rows["LB"].append({**lab(n, seq), "LBBLFL": "", **values})

    return seed


def _define_without(name: str) -> Seed:
    def seed(rows: Rows) -> Submission:
        data = datasets(rows)
        meta = define_for(data)
        kept = {k: v for k, v in meta.datasets.items() if k != name}
        return Submission(datasets=data, define=replace(meta, datasets=kept))

    return seed


def _define_with_extra_dataset(rows: Rows) -> Submission:
    data = datasets(rows)
    extra = dataset("CM", [{"STUDYID": "S1", "DOMAIN": "CM"}])
    return Submission(datasets=data, define=define_for((*data, extra)))


def _variable_not_in_define(rows: Rows) -> Submission:
    data = datasets(rows)
    meta = define_for(data)
    rows["AE"][0]["AESPID"] = "X1"
    return Submission(datasets=datasets(rows), define=meta)


def _define_variable_missing(rows: Rows) -> Submission:
    meta = define_for(datasets(rows))
    rows["AE"][0]["AEOUT"] = "RECOVERED/RESOLVED"
    with_out = define_for(datasets(rows))
    rows["AE"][0].pop("AEOUT")
    return Submission(
        datasets=datasets(rows),
        define=replace(meta, datasets={**meta.datasets, "AE": with_out.datasets["AE"]}),
    )


def _long_variable(rows: Rows) -> Submission:
    data = tuple(
        dataset(name, r, lengths={"LBTESTCD": 8} if name == "LB" else {})
        for name, r in rows.items()
    )
    return Submission(datasets=data, define=define_for(data))


CASES: list[tuple[str, Seed, tuple[str, int | None, str]]] = [
    ("SD0003", _set("AE", 1, AESTDTC="2024-13-01"), ("AE", 1, "AESTDTC")),
    ("SD1002", _set("DM", 1, RFENDTC="2024-01-01"), ("DM", 1, "RFSTDTC")),
    ("SD0013", _drop("AE", "AESTDY", "AEENDY", then=_set("AE", 1, AEENDTC="2024-01-11")),
     ("AE", 1, "AESTDTC")),
    ("SD0012", _drop("AE", "AESTDTC", "AEENDTC", then=_set("AE", 1, AEENDY=2)),
     ("AE", 1, "AESTDY")),
    ("SD1086", _set("LB", 1, LBDY=2), ("LB", 1, "LBDY")),
    ("SD1090", _set("AE", 1, AESTDY=4), ("AE", 1, "AESTDY")),
    ("SD1094", _set("AE", 1, AEENDY=5), ("AE", 1, "AEENDY")),
    ("SD0021", _drop("AE", "AEENDY", then=_set("AE", 1, AEENDTC="")), ("AE", 1, "AEENDTC")),
    ("SD0009", _set("AE", 1, AESER="Y"), ("AE", 1, "AESER")),
    ("SD0026", _set("LB", 1, LBORRESU=""), ("LB", 1, "LBORRESU")),
    ("SD0029", _set("LB", 1, LBSTRESU=""), ("LB", 1, "LBSTRESU")),
    ("SD1131", _set("LB", 1, LBSTRESC=""), ("LB", 1, "LBSTRESC")),
    ("SD1117", _append("LB", LBSEQ=2), ("LB", 3, "LBTESTCD")),
    ("SD1124", _append_lab("001", 2, LBSTAT="NOT DONE", LBORRES="", LBSTRESC="",
                           LBSTRESN=None),
     ("LB", 3, "LBREASND")),
    ("SD0006", _set("VS", 2, VSBLFL=""), ("DM", 2, "USUBJID")),
    ("SD0004", _set("AE", 1, DOMAIN="AX"), ("AE", 1, "DOMAIN")),
    ("SD0005", _append_lab("001", 1), ("LB", 3, "LBSEQ")),
    ("SD0083", _append("DM", SUBJID="003"), ("DM", 3, "USUBJID")),
    ("SD0064", _set("AE", 1, USUBJID="S1-009"), ("AE", 1, "USUBJID")),
    ("SD1129", _drop("DM", "AGE"), ("DM", None, "AGE")),
    ("SD2236", _set("DM", 1, ACTARMCD="NOTTRT"), ("DM", 1, "ACTARMCD")),
    ("SD0051", _append("SV", VISITNUM=2, VISIT="DAY ONE"), ("SV", 5, "VISIT")),
    ("SD0052", _append("SV", VISITNUM=3, VISIT="DAY 1"), ("SV", 5, "VISITNUM")),
    ("SD0065", _set("LB", 2, VISITNUM=3, VISIT="WEEK 1"), ("LB", 2, "VISITNUM")),
    ("SD1063", _define_without("AE"), ("AE", None, "")),
    ("SD0061", _define_with_extra_dataset, ("CM", None, "")),
    ("SD0060", _variable_not_in_define, ("AE", None, "AESPID")),
    ("SD0054", _define_variable_missing, ("AE", None, "AEOUT")),
    ("SD0002", _set("AE", 1, AETERM=""), ("AE", 1, "AETERM")),
    ("SD1082", _long_variable, ("LB", None, "LBTESTCD")),
    ("SD1001", _set("DM", 2, SUBJID="001"), ("DM", 2, "SUBJID")),
    ("SD0084", _set("DM", 1, AGE=-1), ("DM", 1, "AGE")),
    ("SD2004", _set("DM", 1, DTHDTC="2024-06-30"), ("DM", 1, "DTHFL")),
    ("SD2005", _set("DM", 1, DTHFL="Y"), ("DM", 1, "DTHDTC")),
    ("SD0069", _remove("DS", 2), ("DM", 2, "USUBJID")),
    ("SD0070", _remove("EX", 2), ("DM", 2, "USUBJID")),
    ("SD1064", _append("TE", ELEMENT="Screening"), ("TE", 3, "ETCD")),
    ("SD1068", _append("TE", ETCD="SCRN"), ("TE", 3, "ELEMENT")),
    ("SD1038", _append("TS", TSPARMCD="AGEMAX", TSVAL="P80Y"), ("TS", 3, "TSSEQ")),
    ("SD0038", _drop("LB", "LBDTC", then=_set("LB", 1, LBDY=0)), ("LB", 1, "LBDY")),
    ("SD0090", _set("AE", 1, AEOUT="FATAL"), ("AE", 1, "AESDTH")),
    ("SD0091", _set("AE", 1, AESDTH="Y"), ("AE", 1, "AEOUT")),
    ("SD0080", _drop("AE", "AESTDY", "AEENDY",
                     then=_set("AE", 1, AESTDTC="2024-07-01", AEENDTC="2024-07-02")),
     ("AE", 1, "AESTDTC")),
    ("SD0018", _set("LB", 1, LBTESTCD="ALT-1", LBTEST="Alanine Aminotransferase 1"),
     ("LB", 1, "LBTESTCD")),
    ("SD0017", _set("LB", 1, LBTESTCD="ALT1", LBTEST="A" * 41), ("LB", 1, "LBTEST")),
    ("SD0040", _set("LB", 2, LBTEST="ALT"), ("LB", 2, "LBTEST")),
    ("SD1043", _set("LB", 2, LBTESTCD="ALAT"), ("LB", 2, "LBTESTCD")),
]  # fmt: skip

# Defects that two rules see, each rightly: an arm missing from TA is also an actual arm
# missing from TA (or an actual arm unlike the planned one)
PAIRED: list[tuple[str, Seed, list[tuple[str, str, int | None, str]]]] = [
    ("SD0066", _set("DM", 1, ARMCD="B", ACTARMCD="B"),
     [("SD0066", "DM", 1, "ARMCD"), ("SD2002", "DM", 1, "ACTARMCD")]),
    ("SD2002", _set("DM", 1, ACTARMCD="B"),
     [("SD2002", "DM", 1, "ACTARMCD"), ("SD2236", "DM", 1, "ACTARMCD")]),
]  # fmt: skip


def test_the_clean_submission_has_no_finding() -> None:
    result = run_rules(submission(clean_rows()))
    assert [f.as_dict() for f in result.findings] == []
    assert not result.skipped


def test_every_rule_has_a_positive_control() -> None:
    assert sorted(r.p21_id for r in RULES) == sorted([c[0] for c in CASES] + [c[0] for c in PAIRED])


@pytest.mark.parametrize(("rule_id", "seed", "found"), PAIRED, ids=[c[0] for c in PAIRED])
def test_a_defect_two_rules_see(
    rule_id: str, seed: Seed, found: list[tuple[str, str, int | None, str]]
) -> None:
    rows = clean_rows()
    sub = seed(rows) or submission(rows)
    result = run_rules(sub)
    assert sorted((f.rule.p21_id, f.dataset, f.row, f.variable) for f in result.findings) == found


@pytest.mark.parametrize(("rule_id", "seed", "where"), CASES, ids=[c[0] for c in CASES])
def test_a_seeded_defect_gives_exactly_its_finding(
    rule_id: str, seed: Seed, where: tuple[str, int | None, str]
) -> None:
    rows = clean_rows()
    sub = seed(rows) or submission(rows)
    result = run_rules(sub)
    found = [(f.rule.p21_id, f.dataset, f.row, f.variable) for f in result.findings]
    assert found == [(rule_id, *where)]
    severity = result.findings[0].rule.severity
    assert (result.errors, result.warnings) == ((1, 0) if severity is Severity.ERROR else (0, 1))


def test_rules_that_need_define_are_skipped_without_one() -> None:
    result = run_rules(submission(clean_rows(), define=False))
    assert {r.p21_id for r in result.skipped} == {"SD1063", "SD0061", "SD0060", "SD0054"}
    assert result.findings == ()


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2003-12-15T13:14:17", True),
        ("2003-12-15T13:14:17.123", True),
        ("2003-12-15T13:14", True),
        ("2003-12", True),
        ("2003", True),
        ("2003---15", True),  # SDTMIG 3.2 §4.1.4.3: month unknown
        ("-----T07:15", True),  # date unknown, time known
        ("2003-12-15/2003-12-20", True),  # an interval (§4.1.4.5)
        ("2024-02-29", True),
        ("2023-02-29", False),
        ("2003-13-01", False),
        ("2003-12-15T25:00", False),
        ("15-12-2003", False),
        ("2003/12/15", False),
        ("2003-12-15 13:14", False),
        ("UNK", False),
    ],
)
def test_iso8601_values(value: str, valid: bool) -> None:
    from trialdesk.reports.cdisc.check.dates import iso8601_valid

    assert iso8601_valid(value) is valid


def test_sdtmig_3_4_baselines_and_unassigned_subjects() -> None:
    """SDTMIG 3.4: --LOBXFL marks the baseline where 3.2 has --BLFL; a screen failure has a
    null ARMCD and ARMNRS saying why, and needs no baseline."""
    rows = clean_rows()
    for domain in ("VS", "LB"):
        for r in rows[domain]:
            r[domain + "LOBXFL"] = r.pop(domain + "BLFL")
    failure = {**rows["DM"][1], "USUBJID": "S1-003", "SUBJID": "003", "DMDY": None}
    failure.update(dict.fromkeys(("ARMCD", "ARM", "ACTARMCD", "ACTARM", "RFSTDTC", "RFENDTC"), ""))
    rows["DM"].append({**failure, "ARMNRS": "SCREEN FAILURE"})
    assert run_rules(submission(rows)).findings == ()
    rows["LB"][0]["LBSTRESC"] = ""  # a 3.4 baseline without its result: SD1131
    rows["VS"][1]["VSLOBXFL"] = ""  # subject 002 has no VS baseline: SD0006
    found = [(f.rule.p21_id, f.dataset, f.row) for f in run_rules(submission(rows)).findings]
    assert sorted(found) == [("SD0006", "DM", 2), ("SD1131", "LB", 1)]


def test_a_protocol_milestone_is_not_the_end_of_participation() -> None:
    """SD0080 compares with disposition events only: an ongoing subject's informed consent
    (DSCAT PROTOCOL MILESTONE) comes before their adverse events."""
    rows = clean_rows()
    rows["DS"][0].update(DSCAT="PROTOCOL MILESTONE", DSDECOD="INFORMED CONSENT OBTAINED",
                         DSSTDTC="2024-01-01")  # fmt: skip
    assert run_rules(submission(rows)).findings == ()
    rows["DS"][0]["DSCAT"] = "DISPOSITION EVENT"
    assert [f.rule.p21_id for f in run_rules(submission(rows)).findings] == ["SD0080"]
