"""Edit checks: a form's rules in the criteria language, run on every save over the
participant's data as they will be.

The items a study maps to a value set (``concept:``) become facts of a record dated at
their visit, so a rule reads them as eligibility rules read a hospital record (latest
value, value at a date, change since baseline). The rule is TRUE when the data are
wrong; UNKNOWN (a value not entered yet) is not an error. A failed check of severity
``error`` refuses the save with its message at each of its items; a ``warning`` keeps
the data and flags the items for a query.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from trialdesk.criteria.logic import Tri
from trialdesk.errors import InputError, TrialdeskError
from trialdesk.facts.record import Coding, Fact, FactKind, PatientRecord, Quantity
from trialdesk.study.forms import Form, Item, ItemType
from trialdesk.study.loader import Study
from trialdesk.trial.conduct.form_data import FormValues, ParticipantForms
from trialdesk.trial.conduct.models import LOG
from trialdesk.trial.conduct.participants import Participant
from trialdesk.trial.store.query_records import CheckSeen

__all__ = ["VISIT_ANCHOR", "facts_of", "run_checks"]

VISIT_ANCHOR = "visit"  # the date of the visit being checked, as a check's rule names it


# Per item, the codes and text its facts carry: worked out once (a save reads every
# entered value as a fact). Keyed by the item object, kept in the value so that its
# address is not reused while it is here.
_CODED: dict[int, tuple[Item, tuple[tuple[Coding, ...], str] | None]] = {}
_CODED_MAX = 10_000  # items of every study loaded, many times over


def _coded(study: Study, item: Item) -> tuple[tuple[Coding, ...], str] | None:
    """The codes and text of the item's value set (None: it names none of the study's)."""
    found = _CODED.get(id(item))
    if found is not None and found[0] is item:
        return found[1]
    valueset = study.valuesets.get(item.concept or "")
    coded = None
    if valueset is not None:
        exact = [e for e in valueset.entries if not e.prefix]
        codes = (Coding(exact[0].system, exact[0].code, exact[0].display),) if exact else ()
        coded = codes, valueset.text[0] if not codes and valueset.text else str(item.label)
    if len(_CODED) >= _CODED_MAX:
        _CODED.clear()
    _CODED[id(item)] = (item, coded)
    return coded


def _fact(study: Study, item: Item, value: Any, on: date | None, where: str) -> Fact | None:
    coded = _coded(study, item) if value is not None else None
    if coded is None:
        return None
    codes, text = coded
    quantity = None
    value_text = None
    if item.type in (ItemType.INTEGER, ItemType.DECIMAL) or item.derived is not None:
        try:
            quantity = Quantity(float(Decimal(str(value))), item.unit)
        except ArithmeticError:
            value_text = str(value)
    else:
        value_text = str(value)
    return Fact(
        kind=FactKind.OBSERVATION, resource=where, codes=codes, text=text, start=on, end=on,
        status="final", value=quantity, value_text=value_text,
    )  # fmt: skip


def facts_of(
    study: Study, data: ParticipantForms, participant: Participant, visit_key: str | None = None
) -> PatientRecord:
    """The participant's entered values that name a concept, as a record of facts dated
    by their visit. ``visit_key``: as an edit check at that visit reads them: its own
    forms, the log forms, and the visits dated by an anchor (day 1's, screening's) that a
    rule may name; never another visit of the same date, which a rule reading "this
    visit's date" would take for this visit's."""
    facts: list[Fact] = []
    own = data.visit_dates.get(visit_key) if visit_key not in (None, LOG) else None
    anchored = _anchored_visits(study)
    for (key, form_id, row), values in sorted(data.forms.items()):
        form = study.forms.get(form_id)
        on = data.visit_dates.get(key) if key != LOG else None
        if form is None:
            continue
        elsewhere = visit_key is not None and key not in (visit_key, LOG)
        if elsewhere and (key.partition("#")[0] not in anchored or (own is not None and on == own)):
            continue
        facts.extend(_form_facts(study, form, values, (key, row), on, participant.subject_number))
    return PatientRecord(
        id=participant.subject_number,
        birth_date=participant.candidate.birth_date,
        sex=participant.candidate.sex,
        facts=tuple(facts),
        source="case report forms",
    )


def _form_facts(
    study: Study, form: Form, values: FormValues, at: tuple[str, int], on: date | None,
    subject: str,
) -> tuple[Fact, ...]:  # fmt: skip
    """One form's facts, made again only when what they are made from changed (a save
    reads every form entered before as facts, for each of its checks)."""
    items = _concept_items(form)
    raw = tuple(values.value(item.id) for item in items)
    made = (at, on, subject, raw)
    if values.facts is not None and values.facts[0] == made:
        return values.facts[1]
    # and across saves: the forms of the visits a rule may name are read again
    kept: tuple[int, tuple[Any, ...]] = (id(form), made)
    keep = True
    try:
        found = _FACTS.get(kept)
    except TypeError:  # a value that cannot be a key (none is stored so): not kept
        found, keep = None, False
    if found is not None and found[0] is form:
        values.facts = (made, found[1])
        return found[1]
    key, row = at
    where = f"Form/{subject}/{key or 'log'}/{form.id}/{row}/"
    out = tuple(
        fact
        for item, value in zip(items, raw, strict=True)
        if (fact := _fact(study, item, value, on, where + item.id)) is not None
    )
    values.facts = (made, out)
    if keep:
        if len(_FACTS) >= _FACTS_MAX:  # the older half is dropped
            for old in list(_FACTS)[: _FACTS_MAX // 2]:
                _FACTS.pop(old, None)  # another thread may have dropped it
        _FACTS[kept] = (form, out)
    return out


# A form's facts by what they are made from (the form by its address, kept in the value
# so that the address is not reused while it is here): a save reads the forms entered at
# the visits a rule may name again (screening, day 1), made at an earlier save. Facts are
# immutable, so one tuple serves every save that reads the same values.
_FACTS: dict[tuple[int, tuple[Any, ...]], tuple[Form, tuple[Fact, ...]]] = {}
_FACTS_MAX = 10_000  # forms of the visits rules may name, for hundreds of participants


_CONCEPT_ITEMS: dict[int, tuple[Form, tuple[Item, ...]]] = {}  # by form: kept as for _CODED


def _concept_items(form: Form) -> tuple[Item, ...]:
    found = _CONCEPT_ITEMS.get(id(form))
    if found is None or found[0] is not form:
        if len(_CONCEPT_ITEMS) >= _CODED_MAX:
            _CONCEPT_ITEMS.clear()
        items = tuple(i for i in form.items if i.concept is not None)
        found = _CONCEPT_ITEMS[id(form)] = (form, items)
    return found[1]


def _anchored_visits(study: Study) -> frozenset[str]:
    schedule = study.schedule
    return frozenset(v.id for v in schedule.visits if v.anchor) if schedule else frozenset()


def run_checks(
    study: Study,
    form: Form,
    data: ParticipantForms,
    participant: Participant,
    visit_key: str,
    seen: dict[str, CheckSeen] | None = None,
) -> tuple[list[TrialdeskError], list[tuple[str, dict[str, Any]]]]:
    """The errors of the form's failed checks (at each of their items), and the flags of
    the failed warnings as (item, flag); ``seen`` gets what each failed warning was
    judged on (its items, every value it read), for the query it raises."""
    if not form.checks:
        return [], []
    record = facts_of(study, data, participant, visit_key)
    dates: dict[str, date | None] = {
        name: participant.candidate.date_of(name) for name in study.participant.anchors
    }
    dates[VISIT_ANCHOR] = data.visit_dates.get(visit_key) if visit_key != LOG else None
    errors: list[TrialdeskError] = []
    warnings: list[tuple[str, dict[str, Any]]] = []
    outcomes = study.screener.evaluate_rules(
        [check.rule for check in form.checks],
        record,
        dates=dates,
        parameters=participant.candidate.parameters,
    )
    for check, outcome in zip(form.checks, outcomes, strict=True):
        if outcome.tri is not Tri.TRUE:
            continue
        if seen is not None and check.severity == "warning":
            seen[check.id] = CheckSeen.of(check.items or (form.items[0].id,), outcome.evidence)
        for item in check.items or (form.items[0].id,):
            if check.severity == "warning":
                warnings.append((item, {"kind": "check", "check": check.id}))
            else:
                errors.append(InputError(check.message.en, field=item))
    return errors, warnings
