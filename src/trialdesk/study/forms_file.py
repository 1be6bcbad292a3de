"""Read one case report form, ``forms/<form id>.yaml`` (docs/protocol.md, "Forms").

An item has a type, and by its type a UCUM unit, a hard range (refused outside), an
expected range (a query outside), a code list; it may be required, feed a value set of
the study (``concept``: the value becomes a fact the criteria language reads), equal a
per-participant parameter (the injected knee), be derived by a calculator, and name its
SDTM target. Edit checks are rules of the criteria language, TRUE when the data are
wrong, parsed here against the study's names and the anchor ``visit``.

What needs every form (item references of derivations, the calculators, the schedule's
baseline visit) is checked by study/protocol.py: :class:`FormRead` keeps each derivation
with its nodes for the position of a problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import yaml

from trialdesk.clinical.units import canonical_unit, convert
from trialdesk.clinical.valuesets import ValueSet
from trialdesk.criteria.parser import Names, parse_rule
from trialdesk.criteria.participant import Participant
from trialdesk.errors import CriteriaSyntaxError, StudyError, UnitError
from trialdesk.study.forms import (
    Check,
    Choice,
    Derivation,
    Form,
    Item,
    ItemRef,
    ItemType,
    SdtmTarget,
    Severity,
)
from trialdesk.study.yaml_nodes import Fields, NodeReader, is_blank

__all__ = ["DerivationRead", "FormRead", "parse_ref", "read_form", "unit_problem", "units_message"]

SNAKE = re.compile(r"[a-z][a-z0-9_]*")
_REF = re.compile(
    r"(?P<baseline>baseline:)?(?:(?P<form>[a-z][a-z0-9_]*)\.)?(?P<item>[a-z][a-z0-9_]*)"
)
_FORM = ("id", "title", "help", "plain", "repeating", "items", "checks")
_ITEM = (
    "id",
    "label",
    "help",
    "type",
    "unit",
    "range",
    "expected",
    "choices",
    "required",
    "concept",
    "derived",
    "parameter",
    "sdtm",
    "reference",
)
_NUMERIC = (ItemType.INTEGER, ItemType.DECIMAL)
_SDTM = (
    "domain",
    "testcd",
    "test",
    "variable",
    "cat",
    "scat",
    "orresu",
    "loc",
    "lat",
    "method",
    "tpt",
    "sponsor_defined",
    "ct",
)
_DOMAIN = re.compile(r"[A-Z]{2}|SUPP[A-Z]{2}")
_TESTCD = re.compile(r"[A-Z][A-Z0-9_]{0,7}")  # SDTM --TESTCD: at most 8 characters
_TEST_MAX = 40  # --TEST: SDTMIG 3.4 §4.5.3.1
_VARIABLE = re.compile(r"[A-Z][A-Z0-9]{1,7}")
_CT = re.compile(r"C[0-9]+")


@dataclass(frozen=True)
class DerivationRead:
    """A derived item as written, for the checks that need every form."""

    form: str
    item: Item
    node: yaml.Node  # the derived: mapping
    calculator_node: yaml.Node
    inputs: tuple[tuple[str, ItemRef, yaml.Node], ...]
    file: str


@dataclass
class FormRead:
    form: Form | None
    derivations: list[DerivationRead] = field(default_factory=list)
    problems: list[StudyError] = field(default_factory=list)
    warnings: list[StudyError] = field(default_factory=list)


def parse_ref(text: str) -> ItemRef | None:
    """``item``, ``form.item``, ``baseline:item`` or ``baseline:form.item``; None if not."""
    m = _REF.fullmatch(text.strip())
    if m is None:
        return None
    return ItemRef(item=m["item"], form=m["form"], baseline=m["baseline"] is not None)


def unit_problem(
    have: str | None, want: str | None, analyte: str | None = None, *, convert_units: bool = True
) -> str | None:
    """None when a value in ``have`` converts to ``want`` (both UCUM, None for a count or
    a score; ``analyte`` a value set whose molar mass converts mass and substance, as for
    creatinine); else why not, in words ('' when one has a unit and the other none).
    Without ``convert_units`` two different units are taken to convert: checking it
    builds the UCUM registry, seconds that loading a study does not spend (`study check`
    does)."""
    if have == want or (_dimensionless(have) and _dimensionless(want)):
        return None
    if have is None or want is None:
        return ""
    if not convert_units:
        return None
    try:
        convert(1.0, have, want, analyte=analyte)
    except UnitError as exc:
        return exc.message
    return None


def units_message(what: str, have: str | None, want: str | None, why: str) -> str:
    """``what`` is in ``have``, which is not ``want`` (and why it does not convert)."""
    message = f"{what} is in {have or 'no unit'}, not {want or 'no unit'}"
    return f"{message} ({why})" if why else message


def _dimensionless(unit: str | None) -> bool:
    """No unit, or a UCUM unit of pure number: "1" or an annotation such as "{score}"."""
    return unit is None or unit == "1" or (unit.startswith("{") and unit.endswith("}"))


def read_form(
    root: yaml.Node | None,
    file: str,
    lines: list[str],
    form_id: str,
    *,
    names: Names,
    participant: Participant,
    valuesets: Mapping[str, ValueSet],
    convert_units: bool = True,
) -> FormRead:
    """One form file; ``names``: what its checks may name (the study's value sets,
    parameters and anchors, and ``visit``); ``valuesets`` those a ``concept:`` names;
    ``convert_units``: check that different units convert (:func:`unit_problem`)."""
    reader = _Reader(file, lines, names, participant, valuesets)
    reader.convert_units = convert_units
    form = reader.read(root, form_id)
    return FormRead(form, reader.derivations, reader.problems, reader.warnings)


class _Reader(NodeReader):
    def __init__(
        self,
        file: str,
        lines: list[str],
        names: Names,
        participant: Participant,
        valuesets: Mapping[str, ValueSet],
    ) -> None:
        super().__init__(file, lines)
        self.rule_names = names
        self.participant = participant
        self.valuesets = valuesets
        self.convert_units = True
        self.declared: set[str] = set()  # every item id declared, read or not
        self.derivations: list[DerivationRead] = []
        self.form_id = ""

    def read(self, root: yaml.Node | None, form_id: str) -> Form | None:
        top = self.mapping(root, "", "a form file")
        if top is None:
            return None
        self.form_id = form_id
        self.known(top, _FORM, "")
        declared = self.text(top, "id", "", root)
        if declared is not None and declared != form_id:
            self.problem(
                f"the form in {form_id}.yaml must have the id '{form_id}', not '{declared}'",
                top["id"],
                "id",
            )
        title = self.translatable(top, "title", "", root)
        help_text = self.translatable(top, "help", "")
        plain = self.translatable(top, "plain", "")
        repeating = self.flag(top, "repeating", "")
        items = self.items(top.get("items"), root)
        checks = self.checks(top.get("checks"), self.declared)  # even an item with a problem
        for item in items:  # reference limits name items of the same form
            self.references(item, items)
        if title is None:
            return None
        return Form(
            id=form_id,
            title=title,
            items=tuple(items),
            checks=tuple(checks),
            help=help_text,
            repeating=repeating,
            plain=plain,
        )

    # -- items ----------------------------------------------------------------------------
    def items(self, node: yaml.Node | None, root: yaml.Node | None) -> list[Item]:
        if is_blank(node):
            self.problem("a form needs `items:`", root, "items")
            return []
        out: list[Item] = []
        seen = self.declared
        self.reference_nodes: dict[str, yaml.Node] = {}
        for i, raw in enumerate(self.sequence(node, "items", "items") or ()):
            item = self.item(raw, f"items[{i}]", seen)
            if item is not None:
                out.append(item)
        return out

    def item(self, raw: yaml.Node, where: str, seen: set[str]) -> Item | None:
        fields = self.mapping(raw, where, "each item")
        if fields is None:
            return None
        iid = self.name(fields, "id", where, SNAKE, "snake_case", raw)
        if iid is not None:
            if iid in seen:
                self.problem(f"item {iid} is declared twice", fields["id"], f"{where}.id")
            seen.add(iid)
            where = f"items.{iid}"
        self.known(fields, _ITEM, where)
        label = self.translatable(fields, "label", where, raw)
        help_text = self.translatable(fields, "help", where)
        kind = self.item_type(fields, where, raw)
        numeric = kind in _NUMERIC
        for key in ("unit", "range", "expected"):
            if key in fields and kind is not None and not numeric:
                message = f"{key} is for integer and decimal items"
                self.problem(message, fields[key], f"{where}.{key}")
        unit = self.unit(fields, where) if numeric else None
        low, high = self.bounds(fields, "range", ("min", "max"), where, kind)
        exp_low, exp_high = self.bounds(fields, "expected", ("low", "high"), where, kind)
        if exp_low is not None and low is not None and exp_low < low:
            message = "expected.low is below range.min"
            self.problem(message, fields["expected"], f"{where}.expected")
        if exp_high is not None and high is not None and exp_high > high:
            message = "expected.high is above range.max"
            self.problem(message, fields["expected"], f"{where}.expected")
        choices = self.choices(fields, where, kind, raw)
        required = self.flag(fields, "required", where)
        concept = self.concept(fields, where, kind, unit)
        parameter = self.parameter(fields, where, kind, choices)
        sdtm = self.sdtm(fields.get("sdtm"), f"{where}.sdtm")
        derived = None
        if "derived" in fields and iid is not None:
            derived = self.derivation(fields["derived"], f"{where}.derived")
            if required:
                self.problem(
                    "a derived item is computed, never typed: it cannot be required "
                    "(require its inputs)",
                    fields["required"],
                    f"{where}.required",
                )
            if parameter is not None:
                self.problem("a derived item cannot be a parameter", fields["derived"], where)
        reference = self.reference(fields, where, kind)
        if iid is None or label is None or kind is None:
            return None
        item = Item(
            id=iid,
            label=label,
            type=kind,
            help=help_text,
            unit=unit,
            minimum=low,
            maximum=high,
            expected_low=exp_low,
            expected_high=exp_high,
            choices=choices,
            required=required,
            concept=concept,
            derived=derived[0] if derived else None,
            parameter=parameter,
            sdtm=sdtm,
            reference_low=reference[0],
            reference_high=reference[1],
        )
        if derived is not None:
            calculator_node, inputs = derived[1], derived[2]
            self.derivations.append(
                DerivationRead(
                    self.form_id, item, fields["derived"], calculator_node, inputs, self.file
                )
            )
        return item

    def item_type(self, fields: Fields, where: str, raw: yaml.Node) -> ItemType | None:
        text = self.text(fields, "type", where, raw)
        if text is None:
            return None
        try:
            return ItemType(text)
        except ValueError:
            kinds = ", ".join(t.value for t in ItemType)
            self.problem(f"type must be one of {kinds}", fields["type"], f"{where}.type")
            return None

    def unit(self, fields: Fields, where: str) -> str | None:
        text = self.text(fields, "unit", where)
        if text is None:
            return None
        try:
            return canonical_unit(text)
        except UnitError as exc:
            self.problem(f"unit: {exc.message}", fields["unit"], f"{where}.unit")
            return None

    def bounds(
        self,
        fields: Fields,
        key: str,
        names: tuple[str, str],
        where: str,
        kind: ItemType | None,
    ) -> tuple[float | None, float | None]:
        node = fields.get(key)
        if is_blank(node) or kind not in _NUMERIC:
            return None, None
        span = self.mapping(node, f"{where}.{key}", f"{key} ({{{names[0]}, {names[1]}}})")
        if span is None:
            return None, None
        self.known(span, names, f"{where}.{key}")
        integer = kind is ItemType.INTEGER
        low = self.number(span, names[0], f"{where}.{key}", integer=integer)
        high = self.number(span, names[1], f"{where}.{key}", integer=integer)
        if low is None and high is None:
            self.problem(f"{key} needs {names[0]} or {names[1]}", node, f"{where}.{key}")
        if low is not None and high is not None and low > high:
            self.problem(f"{key}: {names[0]} is above {names[1]}", node, f"{where}.{key}")
        return low, high

    def choices(
        self, fields: Fields, where: str, kind: ItemType | None, raw: yaml.Node
    ) -> tuple[Choice, ...]:
        node = fields.get("choices")
        if kind is ItemType.CHOICE and is_blank(node):
            self.problem("a choice item needs its `choices:`", raw, f"{where}.choices")
            return ()
        if is_blank(node):
            return ()
        if kind is not None and kind is not ItemType.CHOICE:
            self.problem("choices are for choice items", node, f"{where}.choices")
            return ()
        out: list[Choice] = []
        codes: set[str] = set()
        for i, entry in enumerate(self.sequence(node, f"{where}.choices", "choices") or ()):
            at = f"{where}.choices[{i}]"
            spec = self.mapping(entry, at, "each choice ({code, label})")
            if spec is None:
                continue
            self.known(spec, ("code", "label"), at)
            code = self.text(spec, "code", at, entry)
            label = self.translatable(spec, "label", at, entry)
            if code is not None and code in codes:
                self.problem(f"code '{code}' is listed twice", spec["code"], f"{at}.code")
            if code is not None and label is not None:
                codes.add(code)
                out.append(Choice(code, label))
        return tuple(out)

    def concept(
        self, fields: Fields, where: str, kind: ItemType | None, unit: str | None
    ) -> str | None:
        """A value set of the study; a number feeding it converts to its unit."""
        name = self.text(fields, "concept", where)
        if name is None:
            return None
        vs = self.valuesets.get(name)
        if vs is None:
            self.problem(f"unknown value set '{name}'", fields["concept"], f"{where}.concept")
            return None
        if kind is ItemType.TEXT:
            self.problem(
                "a text item cannot feed a value set (its value is no code and no number)",
                fields["concept"],
                f"{where}.concept",
            )
        elif kind in _NUMERIC:
            why = unit_problem(unit, vs.unit, name, convert_units=self.convert_units)
            if why is not None:
                message = units_message(f"the item feeds {name}: it", unit, vs.unit, why)
                self.problem(message, fields["concept"], f"{where}.concept")
        return name

    def parameter(
        self, fields: Fields, where: str, kind: ItemType | None, choices: tuple[Choice, ...]
    ) -> str | None:
        name = self.text(fields, "parameter", where)
        if name is None:
            return None
        declared = self.participant.parameters.get(name)
        if declared is None:
            known = ", ".join(self.participant.parameters) or "none declared"
            self.problem(
                f"unknown parameter '{name}' (participant.yaml: {known})",
                fields["parameter"],
                f"{where}.parameter",
            )
            return None
        codes = {c.code for c in choices}
        if kind is not ItemType.CHOICE or codes != set(declared.choices):
            self.problem(
                f"an item equal to {name} is a choice of exactly {', '.join(declared.choices)}",
                fields["parameter"],
                f"{where}.parameter",
            )
        return name

    def reference(
        self, fields: Fields, where: str, kind: ItemType | None
    ) -> tuple[str | None, str | None]:
        node = fields.get("reference")
        if is_blank(node):
            return None, None
        assert node is not None
        if kind not in _NUMERIC:
            self.problem("reference is for integer and decimal items", node, f"{where}.reference")
            return None, None
        spec = self.mapping(node, f"{where}.reference", "reference ({low: item, high: item})")
        if spec is None:
            return None, None
        self.known(spec, ("low", "high"), f"{where}.reference")
        low = self.name(spec, "low", f"{where}.reference", SNAKE, "an item id")
        high = self.name(spec, "high", f"{where}.reference", SNAKE, "an item id")
        if low is None and high is None:
            self.problem("reference needs low or high", node, f"{where}.reference")
        item = where.removeprefix("items.")
        for key, value in (("low", low), ("high", high)):
            if value is not None:
                self.reference_nodes[f"{item}.{key}"] = spec[key]
        return low, high

    def references(self, item: Item, items: list[Item]) -> None:
        """The reference limits an item names are numeric items of the form, in its unit."""
        by_id = {i.id: i for i in items}
        for key, target in (("low", item.reference_low), ("high", item.reference_high)):
            if target is None:
                continue
            node = self.reference_nodes.get(f"{item.id}.{key}")
            where = f"items.{item.id}.reference.{key}"
            limit = by_id.get(target)
            if limit is None and target in self.declared:
                continue  # declared with a problem of its own, reported there
            if limit is None:
                self.problem(f"no item '{target}' on this form", node, where)
            elif limit.type not in _NUMERIC or limit.unit != item.unit:
                self.problem(
                    f"the limit '{target}' must be a number in the result's unit "
                    f"({item.unit or 'no unit'})",
                    node,
                    where,
                )

    def derivation(
        self, node: yaml.Node, where: str
    ) -> tuple[Derivation, yaml.Node, tuple[tuple[str, ItemRef, yaml.Node], ...]] | None:
        spec = self.mapping(node, where, "derived ({calculator, inputs})")
        if spec is None:
            return None
        self.known(spec, ("calculator", "inputs", "constants"), where)
        calculator = self.text(spec, "calculator", where, node)
        constants = self.constants(spec.get("constants"), f"{where}.constants")
        inputs_node = self.needs(spec, "inputs", where, node)
        inputs: list[tuple[str, ItemRef, yaml.Node]] = []
        if inputs_node is not None:
            given = self.mapping(inputs_node, f"{where}.inputs", "inputs ({input: item})") or {}
            for name, ref_node in given.items():
                at = f"{where}.inputs.{name}"
                if not isinstance(ref_node, yaml.ScalarNode):
                    self.problem(
                        "an input names an item: item, form.item or baseline:...", ref_node, at
                    )
                    continue
                ref = parse_ref(str(ref_node.value))
                if ref is None:
                    self.problem(
                        f"'{ref_node.value}' is not an item reference "
                        "(item, form.item, baseline:item or baseline:form.item)",
                        ref_node,
                        at,
                    )
                    continue
                inputs.append((name, ref, ref_node))
        for name, _ in constants:
            if any(name == given for given, _, _ in inputs):
                message = f"input {name} is given both as an item and as a constant"
                self.problem(message, spec["constants"], f"{where}.constants.{name}")
        if calculator is None or inputs_node is None:
            return None
        derivation = Derivation(
            calculator, tuple((name, ref) for name, ref, _ in inputs), tuple(constants)
        )
        return derivation, spec["calculator"], tuple(inputs)

    def constants(self, node: yaml.Node | None, where: str) -> list[tuple[str, str | bool]]:
        """``{input: value}``: values the study fixes (checked against the calculator)."""
        if is_blank(node):
            return []
        out: list[tuple[str, str | bool]] = []
        for name, value in (self.mapping(node, where, "constants ({input: value})") or {}).items():
            if not isinstance(value, yaml.ScalarNode) or is_blank(value):
                self.problem(
                    "a constant is one value (text, a number, true or false)",
                    value,
                    f"{where}.{name}",
                )
                continue
            if value.tag == "tag:yaml.org,2002:bool":
                out.append((name, str(value.value).lower() in ("true", "yes", "on")))
            else:
                out.append((name, str(value.value)))
        return out

    # -- SDTM -----------------------------------------------------------------------------
    def sdtm(self, node: yaml.Node | None, where: str) -> SdtmTarget | None:
        if is_blank(node):
            return None
        spec = self.mapping(node, where, "sdtm ({domain, testcd, ...})")
        if spec is None:
            return None
        self.known(spec, _SDTM, where)
        domain = self.name(spec, "domain", where, _DOMAIN, "an SDTM domain (VS, LB, SUPPEX)", node)
        testcd = self.name(spec, "testcd", where, _TESTCD, "an SDTM test code (8 characters)")
        variable = self.name(spec, "variable", where, _VARIABLE, "an SDTM variable (EXDOSE)")
        ct = self.name(spec, "ct", where, _CT, "an NCI code (C25298)")
        sponsor = self.flag(spec, "sponsor_defined", where)
        if testcd is None and variable is None and domain is not None and "cat" not in spec:
            self.problem("sdtm needs a testcd, a variable or a cat", node, where)
        if sponsor and ct is not None:
            self.problem("a sponsor-defined target has no CDISC CT code", spec["ct"], f"{where}.ct")
        if domain is None:
            return None
        texts = {
            k: self.text(spec, k, where)
            for k in ("test", "cat", "scat", "orresu", "loc", "lat", "method", "tpt")
        }
        # --TEST is at most 40 characters (SDTMIG 3.4 §4.5.3.1): refused here, never cut at
        # export
        test = texts["test"]
        if test is not None and len(test) > _TEST_MAX:
            too_long = f"test is longer than {_TEST_MAX} characters"
            self.problem(too_long, spec["test"], f"{where}.test")
        return SdtmTarget(
            domain=domain,
            testcd=testcd,
            variable=variable,
            sponsor_defined=sponsor,
            ct=ct,
            **texts,
        )

    # -- checks ---------------------------------------------------------------------------
    def checks(self, node: yaml.Node | None, items: set[str]) -> list[Check]:
        if is_blank(node):
            return []
        out: list[Check] = []
        seen: set[str] = set()
        for i, raw in enumerate(self.sequence(node, "checks", "checks") or ()):
            where = f"checks[{i}]"
            fields = self.mapping(raw, where, "each check")
            if fields is None:
                continue
            cid = self.name(fields, "id", where, SNAKE, "snake_case", raw)
            if cid is not None:
                if cid in seen:
                    self.problem(f"check {cid} is declared twice", fields["id"], f"{where}.id")
                seen.add(cid)
                where = f"checks.{cid}"
            self.known(fields, ("id", "rule", "message", "items", "severity"), where)
            severity = self.severity(fields, where)
            rule_node = self.needs(fields, "rule", where, raw)
            source = self.text(fields, "rule", where) if rule_node is not None else None
            rule = None
            if source is not None and rule_node is not None:
                try:
                    rule = parse_rule(
                        str(rule_node.value), self.rule_names, position=self.position(rule_node)
                    )
                except CriteriaSyntaxError as exc:
                    exc.field = f"{where}.rule"
                    self.problems.append(exc)
            message = self.translatable(fields, "message", where, raw)
            shown = self.names(fields, "items", where, SNAKE, "an item id")
            if not shown and "items" not in fields:
                self.problem(
                    "a check names the `items:` its message is shown at", raw, f"{where}.items"
                )
            for iid, at in shown:
                if iid not in items:
                    self.problem(f"no item '{iid}' on this form", at, f"{where}.items")
            if cid is None or rule is None or source is None or message is None or not shown:
                continue
            out.append(
                Check(
                    id=cid,
                    rule=rule,
                    source=" ".join(str(rule_node.value).split()) if rule_node else source,
                    message=message,
                    items=tuple(iid for iid, _ in shown),
                    severity=severity,
                )
            )
        return out

    def severity(self, fields: Fields, where: str) -> Severity:
        text = self.text(fields, "severity", where)
        if text is None:
            return Severity.ERROR
        try:
            return Severity(text)
        except ValueError:
            kinds = " or ".join(s.value for s in Severity)
            self.problem(f"severity is {kinds}", fields["severity"], f"{where}.severity")
            return Severity.ERROR
