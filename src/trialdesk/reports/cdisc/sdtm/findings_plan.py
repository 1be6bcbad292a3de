"""How a study's forms map to the SDTM Findings domains, read from each item's SDTM target
(study/forms.py SdtmTarget): the mapping is data in the study folder, never code.

An item whose target names a test (``testcd``, no ``variable``) is a result: one record of
that test per form it is saved on. An item with a ``variable`` qualifies records of its
form: with a ``testcd``, that test's record only (LB's LBORNRLO/LBORNRHI); without, every
record of the domain on the form (the knee a questionnaire is about, QSLAT). A target in
``SUPP--`` is a supplemental qualifier of the parent domain's records of the form (SDTMIG
3.4 Section 8.4). An item whose target names its domain but neither a test nor a
variable cannot be placed: it is listed as unmapped, for the study folder to complete.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from trialdesk.reports.cdisc.sdtm.findings_values import result_of
from trialdesk.study.forms import Item, ItemType, SdtmTarget
from trialdesk.study.loader import Study

__all__ = [
    "DomainPlan",
    "Unmapped",
    "findings_plans",
    "fit_label",
    "test_metadata",
    "test_name",
    "unmapped_items",
]

# SDTMIG 3.4 Section 4.5.3.1 (Test Name (--TEST) Greater than 40 Characters) and the FDA
# TCG / SAS v5 limits: --TESTCD and QNAM at most 8 characters, letters, digits and
# underscores, not starting with a digit; --TEST and QLABEL at most 40.
_SHORT_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,7}$")
LABEL_LIMIT = 40


@dataclass
class DomainPlan:
    """What one form gives one Findings domain."""

    domain: str
    results: list[Item] = field(default_factory=list)
    # variable -> item for the whole form's records (e.g. QSLAT, --DTC, --EVAL)
    record_items: dict[str, Item] = field(default_factory=dict)
    # testcd -> variable -> item (LBORNRLO / LBORNRHI of one test)
    test_items: dict[str, dict[str, Item]] = field(default_factory=dict)
    supplemental: list[Item] = field(default_factory=list)  # SUPP-- qualifiers (QNAM = variable)


@dataclass(frozen=True)
class Unmapped:
    form: str
    item: str
    domain: str
    reason: str


def _is_result(target: SdtmTarget) -> bool:
    return bool(target.testcd) and target.variable is None and not target.domain.startswith("SUPP")


def findings_domain_names(study: Study) -> list[str]:
    """The domains some form item is a test result of, in the order first met."""
    seen: dict[str, None] = {}
    for form in study.forms.values():
        for item in form.items:
            if item.sdtm is not None and _is_result(item.sdtm):
                seen.setdefault(item.sdtm.domain, None)
    return list(seen)


def findings_plans(study: Study) -> dict[str, dict[str, DomainPlan]]:
    """form id -> domain -> what the form gives the domain (only forms that give any)."""
    domains = set(findings_domain_names(study))
    plans: dict[str, dict[str, DomainPlan]] = {}
    for form in study.forms.values():
        mine: dict[str, DomainPlan] = {}
        for item in form.items:
            t = item.sdtm
            if t is None:
                continue
            parent = t.domain.removeprefix("SUPP") if t.domain.startswith("SUPP") else t.domain
            if parent not in domains:
                continue
            plan = mine.setdefault(parent, DomainPlan(parent))
            if t.domain.startswith("SUPP") and t.variable:
                plan.supplemental.append(item)
            elif _is_result(t):
                plan.results.append(item)
            elif t.variable and t.testcd:
                plan.test_items.setdefault(t.testcd, {})[t.variable] = item
            elif t.variable:
                plan.record_items[t.variable] = item
        mine = {d: p for d, p in mine.items() if p.results}
        if mine:
            plans[form.id] = mine
    return plans


def unmapped_items(study: Study) -> list[Unmapped]:
    """Items whose target is a Findings domain but which name neither a test nor a
    variable (no record can be made of them until the study folder says which)."""
    domains = set(findings_domain_names(study))
    return [
        Unmapped(form.id, item.id, item.sdtm.domain, "the SDTM target names no testcd or variable")
        for form in study.forms.values()
        for item in form.items
        if item.sdtm is not None
        and item.sdtm.domain in domains
        and not item.sdtm.testcd
        and not item.sdtm.variable
    ]


def fit_label(text: str, limit: int = LABEL_LIMIT) -> str:
    """``text`` within ``limit`` characters, cut at a word boundary when it is longer."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return cut if cut else text[:limit]


def test_name(item: Item) -> str:
    """--TEST: the target's test name; else the item's English label (sponsor-defined
    tests the form names no test for), fitted to 40 characters (Section 4.5.3.1)."""
    assert item.sdtm is not None
    return fit_label(item.sdtm.test or item.label.en)


def plan_problems(study: Study, plans: dict[str, dict[str, DomainPlan]]) -> list[str]:
    """Test codes and qualifier names SAS transport and SDTMIG cannot take."""
    problems: list[str] = []
    for form_id, by_domain in plans.items():
        for plan in by_domain.values():
            for item in _named(plan):
                assert item.sdtm is not None
                code = item.sdtm.testcd if _is_result(item.sdtm) else item.sdtm.variable
                if code is None or not _SHORT_NAME.match(code):
                    problems.append(
                        f"forms/{form_id}.yaml item {item.id}: {code!r} is not an SDTM short "
                        "name (at most 8 letters, digits or underscores, not starting with a "
                        "digit)"
                    )
    return problems


def _named(plan: DomainPlan) -> Iterable[Item]:
    yield from plan.results
    yield from plan.supplemental


def shortened(plans: dict[str, dict[str, DomainPlan]]) -> list[str]:
    """Where a --TEST or QLABEL had to be fitted to 40 characters (for the site to name
    them in the form's SDTM target instead)."""
    out = []
    for form_id, by_domain in plans.items():
        for plan in by_domain.values():
            for item in _named(plan):
                assert item.sdtm is not None
                full = " ".join((item.sdtm.test or item.label.en).split())
                if len(full) > LABEL_LIMIT:
                    out.append(
                        f"forms/{form_id}.yaml item {item.id}: {full!r} -> {fit_label(full)!r}"
                    )
    return out


def test_metadata(
    d: str, plans: Mapping[str, Mapping[str, DomainPlan]]
) -> dict[str, dict[str, Any]]:
    """Value-level metadata for define.xml (define/value_level.py): each test's name, CT
    code or sponsor-defined status, whether its result is collected or derived (as on the
    first form that gives it), every (form, item) it comes from, its item type, the
    choices as --ORRES/--STRESC hold them (with the English label) and, for a derived
    result, its calculator and inputs."""
    out: dict[str, dict[str, Any]] = {}
    for form_id, by_domain in plans.items():
        plan = by_domain.get(d)
        for item in plan.results if plan else ():
            t = item.sdtm
            assert t is not None and t.testcd is not None
            if t.testcd in out:  # the same test on another form: one more source
                out[t.testcd]["sources"] += ((form_id, item.id),)
                continue
            derived = item.derived
            out[t.testcd] = {
                "test": test_name(item), "ct": t.ct, "sponsor_defined": t.sponsor_defined,
                "origin": "Derived" if derived is not None else "Collected",
                "unit": t.orresu or item.unit,
                "sources": ((form_id, item.id),), "kind": item.type.value,
                "choices": _choices(item),
                "derivation": None if derived is None else {
                    "calculator": derived.calculator,
                    "inputs": {name: str(ref) for name, ref in derived.inputs},
                },
            }  # fmt: skip
    return out


def _choices(item: Item) -> tuple[tuple[str, str, str], ...]:
    """(--ORRES, --STRESC, English label) of each choice, as result_of writes them."""
    if item.type is not ItemType.CHOICE:
        return ()
    out = []
    for choice in item.choices:
        holder = "derived" if item.derived is not None else "values"
        value = {"value": choice.code} if item.derived is not None else choice.code
        result = result_of({holder: {item.id: value}}, item)
        if result is not None:
            out.append((result.orres, result.stresc, choice.label.en))
    return tuple(out)
