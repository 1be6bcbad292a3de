"""Issue 19, I4: the WOMAC pain score and the ultrasound synovitis are the target knee's.

Each case is one matrix cell of docs/criteria.md (I4 rows): a small FHIR R4 bundle read by
the real adapter and screened by the real Screener, or facts a coordinator entered. What
must hold:
- a score or finding whose body site (or code, or text) names the other knee does not
  count for the target knee;
- one with no side recorded is taken as the target knee's, a protocol assumption the
  evidence states (criteria.yaml I4, ``unsided="assume"``);
- one whose side is recorded but whose target knee is not given, or whose body site is not
  a knee, leaves I4 unknown, naming what would place it;
- a DiagnosticReport's coded conclusion (SNOMED CT 287021004 "Synovitis/tenosynovitis -
  knee") is the ultrasound finding, on the side the report names.

Study dates as in test_default_study.py: screening 2026-03-02, baseline 2026-03-16 (the
screening period is 2026-02-02..2026-03-15).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from fhirbuild import (
    KNEE,
    LEFT_KNEE,
    NEGATIVE,
    PRESENT,
    RIGHT_KNEE,
    RIGHT_SIDE,
    SHOULDER,
    cc,
    condition,
    obs,
    record,
    site,
)
from trialdesk.criteria.nodes import Call, Compare
from trialdesk.criteria.parser import Names, parse_rule
from trialdesk.criteria.screening import CriterionResult, Screener, Status
from trialdesk.errors import CriteriaSyntaxError
from trialdesk.facts.record import Fact, Laterality, PatientRecord
from trialdesk.study.loader import load_study
from trialdesk.trial.screening.fact_entry import FactEntry, to_fact

Json = dict[str, Any]
SCREENING, BASELINE = date(2026, 3, 2), date(2026, 3, 16)
IN, LATER = "2026-02-20", "2026-03-01"
RIGHT, LEFT = Laterality.RIGHT, Laterality.LEFT
WOMAC = ("trialdesk", "womac-pain")
US = ("trialdesk", "knee-us-synovitis")
KNEE_JOINT = ("snomed", "49076000", "Knee joint structure")
KNEE_SYNOVITIS = ("snomed", "287021004", "Synovitis/tenosynovitis - knee")
SYNOVITIS_NO_SITE = ("snomed", "416209007", "Synovitis")
ASSUMED = "protocol assumption"


def womac(score: float, where: Any = None, day: str = IN, rid: str = "womac") -> Json:
    res = obs(WOMAC, score, "{score}", day, rid=rid)
    if where is not None:
        res["bodySite"] = where if isinstance(where, dict) else site(where)[0]
    return res


def ultrasound(result: Any = PRESENT, where: Any = None, rid: str = "us") -> Json:
    res = obs(US, None, None, IN, result=result, rid=rid)
    if where is not None:
        res["bodySite"] = where if isinstance(where, dict) else site(where)[0]
    return res


def report(conclusion: tuple[str, ...], *, text: str | None, rid: str = "dr") -> Json:
    """A knee ultrasound DiagnosticReport named in words, with a coded conclusion."""
    return {
        "resourceType": "DiagnosticReport",
        "id": rid,
        "status": "final",
        "code": {"text": text} if text else cc(("loinc", "18748-4", "Diagnostic imaging study")),
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": IN,
        "conclusionCode": [cc(conclusion)],
    }


def who_synovitis(text: str, rid: str) -> Json:
    """Knee synovitis as a Chinese hospital codes it: WHO ICD-10 M65.86, the side in words."""
    return condition("M65.86", "icd10", IN, text=text, rid=rid)


def cell(status: str, *res: Json, knee: Laterality | None = RIGHT, says: str, id: str) -> Any:
    """``says`` must be in the evidence (decided) or in the missing list (unknown)."""
    return pytest.param(Status(status), res, knee, says, id=f"I4-{status}-{id}")


CELLS = [
    # WOMAC pain: the body site decides whose score it is
    cell("needs_review", womac(6, RIGHT_KNEE), ultrasound(), says="right knee, the target knee",
         id="WOMAC-bodySite-right-knee"),
    cell("unknown", womac(6, LEFT_KNEE), ultrasound(), says="WOMAC pain",
         id="WOMAC-bodySite-left-knee-does-not-count"),
    cell("needs_review", womac(6, [KNEE, RIGHT_SIDE]), ultrasound(),
         says="right knee, the target knee", id="WOMAC-knee-region-plus-laterality-qualifier"),
    cell("needs_review", womac(6, [KNEE_JOINT, RIGHT_SIDE]), ultrasound(),
         says="right knee, the target knee", id="WOMAC-knee-joint-plus-laterality-qualifier"),
    cell("needs_review", womac(6, {"text": "右膝"}), ultrasound(),
         says="right knee, the target knee", id="WOMAC-bodySite-text-chinese"),
    cell("needs_review", womac(6), ultrasound(), says=ASSUMED, id="WOMAC-no-side-assumed"),
    cell("unknown", womac(6, RIGHT_KNEE), ultrasound(), knee=None, says="the target knee",
         id="WOMAC-sided-target-knee-not-given"),
    cell("needs_review", womac(6), ultrasound(), knee=None, says=ASSUMED,
         id="WOMAC-and-ultrasound-unsided-target-not-given"),
    cell("unknown", womac(6, SHOULDER), ultrasound(), says="is a knee",
         id="WOMAC-bodySite-not-a-knee"),
    cell("needs_review", womac(6, RIGHT_KNEE), womac(2, LEFT_KNEE, LATER, rid="w-l"),
         ultrasound(), says="6", id="WOMAC-later-other-knee-score-ignored"),
    cell("not_met", womac(2, RIGHT_KNEE), womac(7, LEFT_KNEE, LATER, rid="w-l"), ultrasound(),
         says="2", id="WOMAC-target-knee-below-4-other-knee-high"),
    cell("not_met", womac(7, RIGHT_KNEE), womac(3, None, LATER, rid="w-ns"), ultrasound(),
         says=ASSUMED, id="WOMAC-later-unsided-score-is-the-latest"),
    cell("unknown", womac(7, RIGHT_KNEE), womac(3, SHOULDER, LATER, rid="w-sh"), ultrasound(),
         says="Observation/w-sh", id="WOMAC-later-score-of-unknown-site"),
    # the ultrasound finding as an Observation or a Condition
    cell("needs_review", womac(6), ultrasound(PRESENT, RIGHT_KNEE), says="Observation/us",
         id="ultrasound-Observation-right-knee"),
    cell("unknown", womac(6), ultrasound(PRESENT, LEFT_KNEE), says="Synovitis of the knee",
         id="ultrasound-Observation-left-knee-does-not-count"),
    cell("not_met", womac(6), ultrasound(PRESENT, LEFT_KNEE),
         ultrasound(NEGATIVE, RIGHT_KNEE, rid="us-r"), says="Observation/us-r",
         id="ultrasound-target-negative-other-knee-positive"),
    cell("unknown", womac(6), ultrasound(NEGATIVE, RIGHT_KNEE), knee=None,
         says="the target knee", id="ultrasound-negative-sided-target-not-given"),
    cell("needs_review", womac(6), condition("M65.861", "icd10cm", IN, rid="c-r"),
         says="Condition/c-r", id="Condition-ICD-10-CM-M65.861-right"),
    cell("unknown", womac(6), condition("M65.862", "icd10cm", IN, rid="c-l"),
         says="Synovitis of the knee", id="Condition-ICD-10-CM-M65.862-left"),
    cell("needs_review", womac(6), who_synovitis("右膝关节滑膜炎", "c-zh"), says="Condition/c-zh",
         id="Condition-WHO-ICD-10-M65.86-chinese-right-knee"),
    cell("unknown", womac(6), who_synovitis("左膝关节滑膜炎", "c-zl"), says="Synovitis of the knee",
         id="Condition-WHO-ICD-10-M65.86-chinese-left-knee"),
    # the ultrasound report's coded conclusion
    cell("needs_review", womac(6), report(KNEE_SYNOVITIS, text="US right knee"),
         says="DiagnosticReport/dr", id="DiagnosticReport-conclusion-287021004-right-knee"),
    cell("needs_review", womac(6), report(KNEE_SYNOVITIS, text="US Knee - right"),
         says="right knee, the target knee", id="DiagnosticReport-LOINC-style-name-knee-right"),
    cell("unknown", womac(6), report(KNEE_SYNOVITIS, text="US left knee"),
         says="Synovitis of the knee", id="DiagnosticReport-conclusion-other-knee"),
    cell("needs_review", womac(6), report(KNEE_SYNOVITIS, text=None), says=ASSUMED,
         id="DiagnosticReport-conclusion-no-side-assumed"),
    cell("unknown", womac(6), report(SYNOVITIS_NO_SITE, text="US right knee"),
         says="Synovitis of the knee",
         id="DiagnosticReport-conclusion-synovitis-without-site-not-read"),
]  # fmt: skip


def _explain(r: CriterionResult) -> str:
    notes = " | ".join(f"{e.note} {e.resource or ''} {e.value}" for e in r.evidence)
    return f"{r.criterion.id} {r.status.value}: {notes}; missing {r.missing}"


def _screen(screener: Screener, rec: PatientRecord, knee: Laterality | None) -> CriterionResult:
    result = screener.screen(
        rec,
        dates={"screening": SCREENING, "baseline": BASELINE},
        parameters={"target_knee": knee},
        only=("I4",),
    )
    (found,) = result.criteria
    return found


@pytest.mark.parametrize(("status", "resources", "knee", "says"), CELLS)
def test_cell(
    screener: Screener,
    status: Status,
    resources: tuple[Json, ...],
    knee: Laterality | None,
    says: str,
) -> None:
    r = _screen(screener, record(*resources), knee)
    assert r.status is status, _explain(r)
    if status is Status.UNKNOWN:
        assert any(says in m for m in r.missing), _explain(r)
    else:
        assert not r.missing, _explain(r)
        assert any(says in f"{e.note} {e.resource or ''} {e.value}" for e in r.evidence), _explain(
            r
        )


def test_the_other_knee_is_named_in_the_evidence(screener: Screener) -> None:
    r = _screen(screener, record(womac(6, LEFT_KNEE), ultrasound()), RIGHT)
    assert any("left knee, not the target knee" in e.note for e in r.evidence), _explain(r)


def test_a_report_conclusion_is_read_as_a_present_finding(screener: Screener) -> None:
    rec = record(report(KNEE_SYNOVITIS, text="US right knee"))
    (finding,) = [f for f in rec.facts if f.codes and f.codes[0].code == "287021004"]
    assert finding.resource == "DiagnosticReport/dr"
    assert finding.laterality is Laterality.RIGHT
    assert [c.code for c in finding.value_codes] == ["52101004"]


def test_a_local_conclusion_code_is_not_read_as_a_finding() -> None:
    # a local code's words may name the test, not a finding ("心电图正常": normal ECG)
    local = ("urn:oid:1.2.156.1", "X1", "膝关节滑膜炎")
    rec = record(report(local, text="US right knee"))
    assert [f for f in rec.facts if f.codes and f.codes[0].code == "X1"] == []


# --- facts a coordinator enters read the same way (issue 19, point 4) ----------------------

STUDY = load_study()


def _entered(concept: str, n: int, **fields: Any) -> Fact:
    entry = FactEntry(concept, date(2026, 2, 20), source_document="Ultrasound report", **fields)
    return to_fact(STUDY, entry, resource=f"EnteredFact/{n}", today=SCREENING)


@pytest.mark.parametrize(
    ("womac_side", "us_side", "knee", "expected"),
    [
        ("right", "right", RIGHT, Status.NEEDS_REVIEW),
        ("right", "left", RIGHT, Status.UNKNOWN),
        ("left", "right", RIGHT, Status.UNKNOWN),
        (None, None, RIGHT, Status.NEEDS_REVIEW),
        ("bilateral", None, LEFT, Status.NEEDS_REVIEW),
        ("right", None, None, Status.UNKNOWN),
    ],
)
def test_entered_facts_read_like_the_same_facts_from_fhir(
    screener: Screener,
    womac_side: str | None,
    us_side: str | None,
    knee: Laterality | None,
    expected: Status,
) -> None:
    entered = PatientRecord(
        id="p1",
        facts=(
            _entered("womac_pain", 1, value="6", unit="{score}", laterality=womac_side),
            _entered("knee_ultrasound_synovitis", 2, value="present", laterality=us_side),
        ),
    )
    sites = {"right": RIGHT_KNEE, "left": LEFT_KNEE, "bilateral": {"text": "both knees"}}
    fhir = record(
        womac(6, sites.get(womac_side or "")),
        ultrasound(PRESENT, sites.get(us_side or "")),
    )
    by_hand, from_fhir = _screen(screener, entered, knee), _screen(screener, fhir, knee)
    assert by_hand.status is from_fhir.status is expected, (_explain(by_hand), _explain(from_fhir))


# --- the language: side= and unsided= on latest() and positive() -------------------------

NAMES = Names(
    valuesets=frozenset({"womac_pain", "knee_ultrasound_synovitis"}),
    anchors=frozenset({"screening"}),
    sides=frozenset({"target_knee"}),
)
WINDOW = "within=window(screening - days(28), screening)"


def test_latest_and_positive_take_a_side() -> None:
    node = parse_rule(
        f'latest(womac_pain, {WINDOW}, side=target_knee, unsided="assume") >= 4', NAMES
    )
    assert isinstance(node, Compare) and isinstance(node.left, Call)
    assert node.left.option("side") == "target_knee"
    assert node.left.option("unsided") == "assume"
    call = parse_rule(f"positive(knee_ultrasound_synovitis, {WINDOW}, side=target_knee)", NAMES)
    assert isinstance(call, Call) and call.option("unsided") is None


@pytest.mark.parametrize(
    ("rule", "says"),
    [
        (f'latest(womac_pain, {WINDOW}, unsided="assume") >= 4', "give side= too"),
        (f'positive(knee_ultrasound_synovitis, {WINDOW}, side=target_knee, unsided="yes")',
         "takes one of unknown, assume"),
        (f"positive(knee_ultrasound_synovitis, {WINDOW}, side=left)", "not a side parameter"),
    ],
)  # fmt: skip
def test_a_wrong_side_option_is_an_error_naming_the_criterion(rule: str, says: str) -> None:
    with pytest.raises(CriteriaSyntaxError) as caught:
        parse_rule(rule, NAMES, criterion="I4")
    assert says in str(caught.value) and "I4" in str(caught.value)
