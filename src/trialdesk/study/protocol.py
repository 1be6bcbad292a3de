"""The conduct half of a study folder: ``schedule.yaml``, ``forms/<form id>.yaml`` and
``endpoints.yaml`` (docs/protocol.md), read together so what one names in another is
checked: the forms a visit lists, the form and item that set a date (day 1), the items
and calculators of each derivation and the units between them, the visits and items of
each endpoint. Every problem is kept with its file, line, column and field; a text
without its Chinese is a warning. All three files are optional: a study that only screens
has none (no schedule, no forms, no endpoints).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from trialdesk.clinical.calculator_types import CalculatorInput
from trialdesk.clinical.calculators import CALCULATORS
from trialdesk.clinical.units import convert
from trialdesk.clinical.valuesets import ValueSet
from trialdesk.criteria.nodes import Parameter
from trialdesk.criteria.parser import Names
from trialdesk.criteria.participant import Participant
from trialdesk.errors import FactError, StudyError
from trialdesk.study import endpoints_file, schedule_file
from trialdesk.study.endpoints import Endpoint, EndpointKind
from trialdesk.study.forms import Form, Item, ItemRef, ItemType
from trialdesk.study.forms_file import (
    SNAKE,
    DerivationRead,
    read_form,
    unit_problem,
    units_message,
)
from trialdesk.study.participant import participant_file
from trialdesk.study.schedule import Schedule
from trialdesk.study.yaml_nodes import compose_file

__all__ = ["FORMS", "VISIT", "Protocol", "ProtocolRead", "check_names", "read_protocol"]

FORMS = "forms"
# The anchor an edit check names for the date of the visit being checked.
VISIT = "visit"


@dataclass(frozen=True)
class Protocol:
    """What a study folder says of the trial's conduct (empty for a screening-only study)."""

    schedule: Schedule | None = None
    forms: Mapping[str, Form] = field(default_factory=dict)
    endpoints: tuple[Endpoint, ...] = ()


@dataclass
class ProtocolRead:
    protocol: Protocol
    problems: list[StudyError] = field(default_factory=list)
    warnings: list[StudyError] = field(default_factory=list)


def check_names(
    valuesets: Mapping[str, ValueSet] | frozenset[str],
    participant: Participant,
    parameters: Mapping[str, Parameter] | None = None,
) -> Names:
    """What an edit check may name: the study's value sets and thresholds, every date of
    participant.yaml (staff, record and form) and ``visit``, the date of the visit being
    checked; side parameters as ``side=``."""
    return Names(
        valuesets=frozenset(valuesets),
        anchors=frozenset(participant.anchors) | {VISIT},
        sides=frozenset(participant.parameters),
        parameters=dict(parameters or {}),
    )


def read_protocol(
    folder: Path,
    participant: Participant,
    valuesets: Mapping[str, ValueSet],
    parameters: Mapping[str, Parameter] | None = None,
    *,
    convert_units: bool = True,
) -> ProtocolRead:
    """The study's schedule, forms and endpoints, and every problem and warning in them.
    ``parameters``: the thresholds of the criteria file, which checks may name too.
    ``convert_units``: check that an item's unit converts to the unit of its value set
    and of the calculator input it feeds when they differ (this builds the UCUM registry,
    seconds: `study check` does it, loading a study for use does not)."""
    out = ProtocolRead(Protocol())
    names = check_names(valuesets, participant, parameters)
    forms, derivations = _forms(folder, names, participant, valuesets, out, convert_units)
    schedule = None
    path = folder / schedule_file.FILE
    if path.is_file():
        root, lines, problem = compose_file(path)
        if problem is not None:
            out.problems.append(problem)
        else:
            read = schedule_file.read_schedule(root, str(path), lines, participant)
            out.problems += read.problems
            out.warnings += read.warnings
            schedule = read.schedule
            for form_id, node, where in read.forms:
                if form_id not in forms:
                    _at(out, str(path), f"no form '{form_id}' (forms/{form_id}.yaml)", node, where)
            used = {f for v in schedule.visits for f in v.forms} if schedule else set()
            for form in forms.values():
                if not form.repeating and form.id not in used:
                    out.warnings.append(
                        StudyError(
                            f"form {form.id} is not due at any visit of the schedule",
                            file=str(folder / FORMS / f"{form.id}.yaml"),
                            line=1,
                            column=1,
                        )
                    )
    endpoints: tuple[Endpoint, ...] = ()
    path = folder / endpoints_file.FILE
    if path.is_file():
        root, lines, problem = compose_file(path)
        if problem is not None:
            out.problems.append(problem)
        else:
            read_e = endpoints_file.read_endpoints(root, str(path), lines)
            out.problems += read_e.problems
            out.warnings += read_e.warnings
            endpoints = read_e.endpoints
            _endpoint_refs(out, str(path), read_e, schedule, forms)
    _anchors(out, folder, participant, forms)
    _derivations(out, derivations, forms, schedule, convert_units)
    out.protocol = Protocol(schedule=schedule, forms=forms, endpoints=endpoints)
    return out


# -- forms ---------------------------------------------------------------------------------


def _forms(
    folder: Path,
    names: Names,
    participant: Participant,
    valuesets: Mapping[str, ValueSet],
    out: ProtocolRead,
    convert_units: bool,
) -> tuple[dict[str, Form], list[DerivationRead]]:
    forms: dict[str, Form] = {}
    derivations: list[DerivationRead] = []
    where = folder / FORMS
    if not where.is_dir():
        return forms, derivations
    for path in sorted(where.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix != ".yaml":
            out.problems.append(
                StudyError("a form file is named <form id>.yaml", file=str(path), line=1, column=1)
            )
            continue
        if not SNAKE.fullmatch(path.stem):
            message = f"form id '{path.stem}' (the file's name) must be snake_case"
            out.problems.append(StudyError(message, file=str(path), line=1, column=1))
            continue
        root, lines, problem = compose_file(path)
        if problem is not None:
            out.problems.append(problem)
            continue
        read = read_form(
            root,
            str(path),
            lines,
            path.stem,
            names=names,
            participant=participant,
            valuesets=valuesets,
            convert_units=convert_units,
        )
        out.problems += read.problems
        out.warnings += read.warnings
        derivations += read.derivations
        if read.form is not None:
            forms[read.form.id] = read.form
    anchor = participant.anchors.get(VISIT)
    if anchor is not None and any(f.checks for f in forms.values()):
        out.problems.append(
            StudyError(
                f"edit checks name the date of the visit being checked '{VISIT}': rename this date",
                file=str(participant_file(folder)),
                field=f"anchors.{VISIT}",
            )
        )
    return forms, derivations


def _at(out: ProtocolRead, file: str, message: str, node: yaml.Node | None, where: str) -> None:
    mark = node.start_mark if node is not None else None
    out.problems.append(
        StudyError(
            message,
            file=file,
            field=where,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        )
    )


def _anchors(
    out: ProtocolRead, folder: Path, participant: Participant, forms: Mapping[str, Form]
) -> None:
    """A date set by a form names a form of the study and a date or datetime item of it."""
    for anchor in participant.forms:
        assert anchor.form is not None and anchor.item is not None
        form = forms.get(anchor.form)
        key, message = "form", ""
        if form is None:
            message = f"no form '{anchor.form}' (forms/{anchor.form}.yaml)"
        elif form.repeating:
            message = f"form {anchor.form} is a log form (several rows): it cannot set a date"
        else:
            item = next((i for i in form.items if i.id == anchor.item), None)
            key = "item"
            if item is None:
                message = f"no item '{anchor.item}' on form {anchor.form}"
            elif item.type not in (ItemType.DATE, ItemType.DATETIME):
                message = f"item {anchor.form}.{anchor.item} is a {item.type.value}, not a date"
        if message:
            file = participant_file(folder)
            node = _participant_node(file, anchor.name, key)
            _at(out, str(file), message, node, f"anchors.{anchor.name}.{key}")


def _participant_node(file: Path, anchor: str, key: str) -> yaml.Node | None:
    """The node of ``anchors.<anchor>.<key>`` in participant.yaml (to place a problem)."""
    root, _, problem = compose_file(file)
    if problem is not None or not isinstance(root, yaml.MappingNode):
        return None
    for path in ("anchors", anchor, key):
        if not isinstance(root, yaml.MappingNode):
            return None
        root = next((v for k, v in root.value if str(k.value) == path), None)
    return root


# -- derivations ---------------------------------------------------------------------------


def _resolve(ref: ItemRef, form: str, forms: Mapping[str, Form]) -> Item | None:
    target = forms.get(ref.form or form)
    if target is None:
        return None
    return next((i for i in target.items if i.id == ref.item), None)


def _derivations(
    out: ProtocolRead,
    derivations: list[DerivationRead],
    forms: Mapping[str, Form],
    schedule: Schedule | None,
    convert_units: bool,
) -> None:
    if not derivations:
        return
    for d in derivations:
        where = f"items.{d.item.id}.derived"
        derivation = d.item.derived
        assert derivation is not None
        calculator = CALCULATORS.get(derivation.calculator)
        if calculator is None:
            known = ", ".join(sorted(CALCULATORS)) or "none"
            _at(
                out,
                d.file,
                f"unknown calculator '{derivation.calculator}' (calculators: {known})",
                d.calculator_node,
                f"{where}.calculator",
            )
            continue
        inputs = calculator.inputs
        given = {name for name, _, _ in d.inputs} | {name for name, _ in derivation.constants}
        for name, value in derivation.constants:
            spec = inputs.get(name)
            at = f"{where}.constants.{name}"
            if spec is None:
                message = f"{derivation.calculator} takes no input '{name}' (inputs: "
                _at(out, d.file, message + f"{', '.join(inputs)})", d.node, at)
                continue
            try:
                spec.read(value)
            except FactError as exc:
                _at(out, d.file, f"constant {name}: {exc.message}", d.node, at)
        for name, ref, node in d.inputs:
            at = f"{where}.inputs.{name}"
            spec = inputs.get(name)
            if spec is None:
                _at(
                    out,
                    d.file,
                    f"{derivation.calculator} takes no input '{name}' (inputs: "
                    f"{', '.join(inputs)})",
                    node,
                    at,
                )
                continue
            message = _input_problem(ref, d.form, forms, schedule, spec, convert_units)
            if message:
                _at(out, d.file, message, node, at)
        missing = [n for n, spec in inputs.items() if n not in given and not spec.optional]
        if missing:
            _at(
                out,
                d.file,
                f"{derivation.calculator} needs the input(s) {', '.join(missing)}",
                d.node,
                f"{where}.inputs",
            )
        kind = calculator.output_kind
        expected = {
            "decimal": (ItemType.DECIMAL,),
            "integer": (ItemType.INTEGER,),
            "choice": (ItemType.CHOICE,),
        }.get(str(kind))
        if expected is not None and d.item.type not in expected:
            _at(
                out,
                d.file,
                f"{derivation.calculator} gives a {kind} value: the item must be "
                f"a {expected[0].value}",
                d.node,
                where,
            )
        why = unit_problem(calculator.output_unit, d.item.unit, convert_units=convert_units)
        if why is not None and d.item.type in (ItemType.DECIMAL, ItemType.INTEGER):
            message = f"{derivation.calculator} gives a value that"
            _at(
                out,
                d.file,
                units_message(message, calculator.output_unit, d.item.unit, why),
                d.node,
                where,
            )
    _cycles(out, derivations)


def _input_problem(
    ref: ItemRef,
    form: str,
    forms: Mapping[str, Form],
    schedule: Schedule | None,
    spec: CalculatorInput,
    convert_units: bool,
) -> str:
    """What is wrong with feeding the item ``ref`` to the calculator input ``spec``."""
    if ref.form is not None and ref.form not in forms:
        return f"no form '{ref.form}' (forms/{ref.form}.yaml)"
    source_form = forms.get(ref.form or form)
    item = _resolve(ref, form, forms)
    if item is None:
        return f"no item '{ref.item}' on form {ref.form or form}"
    if source_form is not None and source_form.repeating and (ref.form or ref.baseline):
        return f"form {source_form.id} is a log form: it has no value per visit"
    if ref.baseline and (schedule is None or schedule.baseline_visit is None):
        return "a baseline: input needs the schedule's `baseline_visit:`"
    kind = str(spec.kind)
    numeric = item.type in (ItemType.INTEGER, ItemType.DECIMAL)
    if kind == "integer" and not (item.type is ItemType.INTEGER or _whole_codes(item)):
        return f"input {spec.name} takes a whole number: {ref} is a {item.type.value}"
    if kind == "decimal" and not numeric:
        return f"input {spec.name} takes a number: {ref} is a {item.type.value}"
    if kind == "boolean" and item.type is not ItemType.BOOLEAN:
        return f"input {spec.name} takes true or false: {ref} is a {item.type.value}"
    if kind == "choice":
        if item.type is not ItemType.CHOICE:
            return f"input {spec.name} takes a choice: {ref} is a {item.type.value}"
        extra = [c.code for c in item.choices if c.code not in spec.choices]
        if extra:
            return f"input {spec.name} takes {', '.join(spec.choices)}: {ref} offers {extra[0]}"
    if numeric:
        why = unit_problem(item.unit, spec.unit, convert_units=convert_units)
        if why is not None:
            return units_message(f"input {spec.name} reads {ref}, which", item.unit, spec.unit, why)
        if item.unit != spec.unit and not convert_units:
            return ""  # its bounds are compared in the input's unit by `study check`
    if kind in ("integer", "decimal") and item.derived is None:  # computed: trusted
        return _bounds_problem(ref, item, spec)
    return ""


def _bounds_problem(ref: ItemRef, item: Item, spec: CalculatorInput) -> str:
    """An item that accepts values its calculator input refuses (in the input's unit)."""
    codes = [float(c.code) for c in item.choices] if _whole_codes(item) else []
    low = min(codes) if codes else item.minimum
    high = max(codes) if codes else item.maximum
    if item.unit is not None and spec.unit is not None and item.unit != spec.unit:
        low = None if low is None else convert(low, item.unit, spec.unit)
        high = None if high is None else convert(high, item.unit, spec.unit)
    if spec.minimum is not None and (low is None or low < spec.minimum):
        return f"{ref} accepts values below {spec.minimum}, the least input {spec.name} takes"
    if spec.maximum is not None and (high is None or high > spec.maximum):
        return f"{ref} accepts values above {spec.maximum}, the most input {spec.name} takes"
    return ""


def _whole_codes(item: Item) -> bool:
    """A choice whose codes are whole numbers (a 0-3 answer scale)."""
    return item.type is ItemType.CHOICE and all(c.code.lstrip("-").isdigit() for c in item.choices)


def _cycles(out: ProtocolRead, derivations: list[DerivationRead]) -> None:
    """A derived item may not depend on itself through other derived items."""
    nodes = {(d.form, d.item.id): d for d in derivations}
    graph = {
        key: [(r.form or d.form, r.item) for _, r, _ in d.inputs if not r.baseline]
        for key, d in nodes.items()
    }
    state: dict[tuple[str, str], int] = {}  # 1: on the current path, 2: done

    def visit(key: tuple[str, str], path: list[tuple[str, str]]) -> None:
        state[key] = 1
        path = [*path, key]
        for nxt in graph[key]:
            if nxt not in nodes:
                continue
            if state.get(nxt) == 1:
                loop = " -> ".join(f"{f}.{i}" for f, i in [*path[path.index(nxt) :], nxt])
                d = nodes[key]
                where = f"items.{d.item.id}.derived"
                _at(out, d.file, f"derived items depend on each other: {loop}", d.node, where)
            elif nxt not in state:
                visit(nxt, path)
        state[key] = 2

    for key in graph:
        if key not in state:
            visit(key, [])


# -- endpoints -----------------------------------------------------------------------------


def _endpoint_refs(
    out: ProtocolRead,
    file: str,
    read: endpoints_file.EndpointsRead,
    schedule: Schedule | None,
    forms: Mapping[str, Form],
) -> None:
    visits = {v.id for v in schedule.visits} if schedule else set()
    for visit, node, where in read.visits:
        if visit not in visits:
            known = ", ".join(sorted(visits)) or "no schedule.yaml"
            _at(out, file, f"no visit '{visit}' in the schedule ({known})", node, where)
    for ref, node, where in read.reads:
        assert ref.form is not None  # endpoints read form.item
        if ref.form not in forms:
            _at(out, file, f"no form '{ref.form}' (forms/{ref.form}.yaml)", node, where)
        elif _resolve(ref, ref.form, forms) is None:
            _at(out, file, f"no item '{ref.item}' on form {ref.form}", node, where)
    needs_baseline = [e for e in read.endpoints if e.kind is EndpointKind.CHANGE_FROM_BASELINE]
    if needs_baseline and (schedule is None or schedule.baseline_visit is None):
        first = needs_baseline[0].id
        message = f"endpoint {first} is a change from baseline: the schedule needs its "
        message += "`baseline_visit:`"
        _at(out, file, message, read.nodes.get(first), f"endpoints.{first}.kind")
