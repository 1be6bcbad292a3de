"""A casebook's forms (review/casebook.py: "VISIT/form_id#row" -> {status, values,
entered, derived}) as entries the ODM and CSV exports walk: who, which visit and its
occurrence, which form and row, and every stored value (typed and derived) by item.

Visit keys follow the store (trial/conduct/models.py): "W4"; "UNS#2" for the second
occurrence of a repeating visit; "" for a log form's rows, kept per participant.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trialdesk.errors import InputError, TrialdeskError
from trialdesk.study.loader import Study

__all__ = ["FormEntry", "entry_order", "form_entries", "value_text"]


@dataclass(frozen=True)
class FormEntry:
    subject: str  # the subject number, as the store gives it ("01-003")
    visit: str  # the schedule's visit id; "" for a log form's row
    occurrence: int  # 1, or N of "UNS#N"
    form: str
    row: int
    status: str  # incomplete | complete
    values: Mapping[str, object]  # item -> stored value (typed, then derived), None left out


def entry_order(study: Study) -> Callable[[FormEntry], tuple[int, int, int, int]]:
    """A sort key for one participant's entries: visits in schedule order (log rows
    last), occurrences, forms in the study's order, rows."""
    visits = {v.id: n for n, v in enumerate(study.schedule.visits)} if study.schedule else {}
    forms = {f: n for n, f in enumerate(study.forms)}

    def key(e: FormEntry) -> tuple[int, int, int, int]:
        return visits.get(e.visit, len(visits)), e.occurrence, forms[e.form], e.row

    return key


def value_text(value: object) -> str:
    """A stored value as ODM and CSV write it: booleans as true/false (xs:boolean),
    numbers as the store keeps them (decimal text, or a whole number), text as is."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    raise TypeError(f"not a form value: {value!r}")


def _split(key: str) -> tuple[str, int, str, int] | None:
    visit_key, slash, rest = key.partition("/")
    form, hash_, row = rest.rpartition("#")
    if not slash or not hash_ or not form or not row.isdigit():
        return None
    visit, _, occurrence = visit_key.partition("#")
    if occurrence and not occurrence.isdigit():
        return None
    return visit, int(occurrence or 1), form, int(row)


def form_entries(
    study: Study, books: Sequence[dict[str, Any]], problems: list[TrialdeskError]
) -> Iterator[FormEntry]:
    """Every form of every casebook, in casebook order; what does not fit the study
    (an unknown visit, form or item, a value of no ODM type) is added to ``problems``,
    each naming the participant and the form, and left out."""
    visits = {v.id for v in study.schedule.visits} if study.schedule else set()
    for book in books:
        subject = str(book.get("participant"))
        for key, content in book.get("forms", {}).items():
            where = f"participant {subject}, form {key}"
            parts = _split(key)
            if parts is None:
                problems.append(InputError("not a VISIT/form#row key", field=where))
                continue
            visit, occurrence, form_id, row = parts
            form = study.forms.get(form_id)
            if form is None:
                problems.append(InputError(f"form {form_id!r} is not in {study.id}", field=where))
                continue
            if visit and visit not in visits:
                problems.append(InputError(f"visit {visit!r} is not in {study.id}'s schedule",
                                           field=where))  # fmt: skip
                continue
            known = {i.id for i in form.items}
            stored: dict[str, object] = dict(content.get("values") or {})
            for item, derived in (content.get("derived") or {}).items():
                stored[item] = derived.get("value") if isinstance(derived, dict) else derived
            values: dict[str, object] = {}
            for item, value in stored.items():
                if item not in known:
                    problems.append(InputError(f"item {item!r} is not on form {form_id}",
                                               field=where))  # fmt: skip
                elif value is None:
                    continue
                elif not isinstance(value, bool | int | float | str):
                    problems.append(InputError(f"item {item!r}: {value!r} is not a form value",
                                               field=where))  # fmt: skip
                else:
                    values[item] = value
            ordered = {i.id: values[i.id] for i in form.items if i.id in values}
            yield FormEntry(subject, visit, occurrence, form_id, row,
                            str(content.get("status", "")), ordered)  # fmt: skip
