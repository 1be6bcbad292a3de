"""The domain functions a rule may call, with their arguments and result types.

One table serves the parser (validation, error messages), the evaluator and the SQL
compiler, so a function cannot exist in one and be unknown to another.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from trialdesk.clinical.routes import CRITERIA_GROUPS
from trialdesk.criteria.nodes import Type

FLAG = "flag"  # a keyword that takes True/False
SIDE = "side"  # a keyword that names a side parameter the study declares (participant.yaml)


@dataclass(frozen=True, slots=True)
class Option:
    type: Type | str  # a Type, FLAG, SIDE, or "choice"
    required: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Signature:
    name: str
    returns: Type
    min_valuesets: int
    max_valuesets: int | None
    options: dict[str, Option] = field(default_factory=dict)
    doc: str = ""


_WITHIN = Option(Type.WINDOW, required=True)
_ROUTE = Option("choice", choices=CRITERIA_GROUPS)
# A reading with no side recorded, when ``side=`` is given: "unknown" (the default) leaves
# it unplaced; "assume" takes it as the parameter's side, a protocol assumption the
# evidence says (I4: the screening WOMAC and knee ultrasound are of the knee to be treated).
UNSIDED_CHOICES = ("unknown", "assume")
_SIDED = {"side": Option(SIDE), "unsided": Option("choice", choices=UNSIDED_CHOICES)}

SIGNATURES: dict[str, Signature] = {
    s.name: s
    for s in [
        Signature(
            "history",
            Type.BOOL,
            1,
            None,
            {
                "within": Option(Type.WINDOW),
                "until": Option(Type.DATE),
                "excluding": Option(Type.VALUESET),
                "side": Option(SIDE),
                "inpatient": Option(FLAG),
                "route": _ROUTE,
            },
            "A matching fact is on file (closed world: none on file is FALSE).",
        ),
        Signature(
            "active",
            Type.BOOL,
            1,
            None,
            {"on": Option(Type.DATE, required=True)},
            "A matching condition or device is active on the date (closed world).",
        ),
        Signature(
            "taking",
            Type.BOOL,
            1,
            None,
            {"on": Option(Type.DATE, required=True)},
            "A matching medication covers the date (closed world).",
        ),
        Signature(
            "taking_since",
            Type.DATE,
            1,
            None,
            {"on": Option(Type.DATE, required=True)},
            "The start of the course of a matching medication that covers the date.",
        ),
        Signature(
            "dose_changed",
            Type.BOOL,
            1,
            None,
            {"within": _WITHIN},
            "The daily dose of a matching medication changed in the window.",
        ),
        Signature(
            "highest_daily_dose",
            Type.NUMBER,
            1,
            None,
            {"within": _WITHIN, "as_prednisone": Option(FLAG), "route": _ROUTE},
            "The highest daily dose in mg (optionally as prednisone equivalent).",
        ),
        Signature(
            "exposure_days",
            Type.NUMBER,
            1,
            None,
            {"within": _WITHIN, "route": _ROUTE},
            "Days in the window covered by a matching medication.",
        ),
        Signature(
            "positive",
            Type.BOOL,
            1,
            None,
            {"within": _WITHIN, **_SIDED},
            "A matching qualitative test in the window was positive (open world).",
        ),
        Signature(
            "latest",
            Type.NUMBER,
            1,
            1,
            {"within": _WITHIN, **_SIDED},
            "The most recent value in the window, in the value set's unit (open world).",
        ),
        Signature("highest", Type.NUMBER, 1, 1, {"within": _WITHIN}, "Highest value in window."),
        Signature("lowest", Type.NUMBER, 1, 1, {"within": _WITHIN}, "Lowest value in window."),
        Signature(
            "highest_x_uln",
            Type.NUMBER,
            1,
            1,
            {"within": _WITHIN},
            "Highest value in the window as a multiple of its upper limit of normal.",
        ),
        Signature(
            "age", Type.NUMBER, 0, 0, {"at": Option(Type.DATE, required=True)}, "Completed years."
        ),
        Signature(
            "crcl_cockcroft_gault",
            Type.NUMBER,
            0,
            0,
            {"within": _WITHIN},
            "Creatinine clearance (mL/min) from the latest creatinine and weight in the window.",
        ),
        Signature(
            "bmi",
            Type.NUMBER,
            0,
            0,
            {"within": _WITHIN},
            "Body mass index (kg/m2): observed, else from weight and height.",
        ),
        Signature(
            "acr_eular_2010",
            Type.NUMBER,
            0,
            0,
            {"on": Option(Type.DATE, required=True)},
            "ACR/EULAR 2010 RA classification score (a range when domains are missing).",
        ),
        Signature(
            "consented",
            Type.BOOL,
            0,
            0,
            {"by": Option(Type.DATE, required=True)},
            "Active research consent on or before the date (open world).",
        ),
        Signature(
            "in_other_study",
            Type.BOOL,
            0,
            0,
            {"within": _WITHIN},
            "Enrolled in another research study during the window (closed world).",
        ),
    ]
}
