"""What a coordinator enters on a simulated candidate's screening page: the facts the
study's criteria read, as screening/fact_entry.py takes them.

Results measured at the screening visit come from the same values the visit's forms get
(so the screening page and the case report forms agree): every typed item with a
``concept`` the criteria read gives its fact, in the item's unit, a laboratory result
with the report's upper limit of normal. The rest is the person's history and the
screening tests, by the value-set names of an RA knee study (NCT06947746): an RA
diagnosis, background methotrexate, negative serology, a pregnancy test for women, a
normal ECG, the WOMAC pain score (0-10) and ultrasound synovitis of the target knee,
each entered only when the study's criteria read that value set.

First of all the simulated coordinator attests that the person's full clinical record was
reviewed (the site screens from the hospital chart, with no upload): without it history
is not closed-world over what is entered and every candidate stays incomplete
(trial/screening/checklist.py ``record_of``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from trialdesk.clinical.womac import WomacSubscale, womac_subscale
from trialdesk.errors import FactError
from trialdesk.study.forms import ItemType
from trialdesk.study.loader import Study
from trialdesk.trial.screening.entry_concepts import ATTESTATION, concepts_by_name
from trialdesk.trial.screening.fact_entry import FactEntry
from trialdesk.trial.simulate.population import Person

__all__ = ["CHART", "SOURCE", "screening_facts"]

SOURCE = "simulated screening visit record"  # the source document every fact names
CHART = "simulated hospital HIS chart"  # the record the attestation says was reviewed
_NUMERIC = (ItemType.INTEGER, ItemType.DECIMAL)
_SEROLOGY = ("hiv_test", "hbsag", "hcv_antibody", "syphilis_test")


def _inputs(
    study: Study, forms: Mapping[str, Mapping[str, Any]], calculator: str
) -> dict[str, Any]:
    """The values a calculator's inputs have in ``forms`` (form -> values), with the
    derivation's constants."""
    for form in study.forms.values():
        for item in form.derived:
            derivation = item.derived
            if derivation is None or derivation.calculator != calculator:
                continue
            found: dict[str, Any] = dict(derivation.constants)
            for name, ref in derivation.inputs:
                found[name] = forms.get(ref.form or form.id, {}).get(ref.item)
            return found
    return {}


def _womac_pain(study: Study, forms: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The WOMAC pain score normalised to 0-10, as criterion I4 reads it."""
    given = _inputs(study, forms, "womac_pain")
    items = [given.get(f"pain_{i}") for i in range(1, 6)]
    if not given or all(v is None for v in items):
        return None
    try:
        score = womac_subscale(
            WomacSubscale.PAIN,
            [int(v) if v is not None else None for v in items],
            str(given.get("format", "LK3.1")),
        )
    except FactError:  # too few answers to score: no fact
        return None
    return f"{score.normalised_0_10:.1f}"


def _from_forms(
    study: Study, forms: Mapping[str, Mapping[str, Any]], on: date, read: frozenset[str]
) -> list[FactEntry]:
    entries = []
    for form_id, values in forms.items():
        form = study.forms[form_id]
        for item in form.items:
            value = values.get(item.id)
            if item.concept not in read or item.type not in _NUMERIC or value is None:
                continue
            uln = values.get(item.reference_high) if item.reference_high else None
            kind = study.valuesets[item.concept].kind
            entries.append(
                FactEntry(
                    item.concept,
                    on,
                    value=str(value),
                    unit=item.unit,
                    upper_limit=str(uln) if uln is not None and kind == "lab" else None,
                    source_document=SOURCE,
                )  # fmt: skip
            )
    return entries


def screening_facts(
    study: Study, person: Person, forms: Mapping[str, Mapping[str, Any]], on: date
) -> list[FactEntry]:
    """The facts entered for ``person`` at their screening visit on ``on``; ``forms`` are
    the values of the screening visit's forms (form -> item -> value)."""
    concepts = concepts_by_name(study)
    read = frozenset(concepts)
    entries = [FactEntry(ATTESTATION.name, on, source_document=CHART)]
    entries += _from_forms(study, forms, on, read)
    knee = next(iter(person.parameters.values()), None)

    def add(concept: str, day: date, **fields: Any) -> None:
        if concept in read:
            entries.append(FactEntry(concept, day, source_document=SOURCE, **fields))

    add("rheumatoid_arthritis", person.ra_onset)
    mtx = concepts.get("methotrexate")
    if mtx is not None:
        tablet = next((c for c, shown in mtx.codes if "Oral Tablet" in shown), None)
        code = tablet or (mtx.codes[0][0] if mtx.codes else None)
        add("methotrexate", person.mtx_start, dose=str(person.mtx_mg_weekly), dose_unit="mg",
            per_day="1/7", route="oral", code=code)  # fmt: skip
    for test in _SEROLOGY:
        positive = test == "hbsag" and person.failure == "E3"
        add(test, on, value="positive" if positive else "negative")
    if person.sex == "female":
        add("pregnancy_test", on, value="negative")
    add("ecg_12_lead", on, value="normal")
    pain = _womac_pain(study, forms)
    if pain is not None:
        add("womac_pain", on, value=pain)
    grades = _inputs(study, forms, "us_synovitis_combined")
    if grades.get("sh") is not None:
        present = int(grades["sh"]) >= 1
        add("knee_ultrasound_synovitis", on, value="present" if present else "absent",
            laterality=knee)  # fmt: skip
    return entries
