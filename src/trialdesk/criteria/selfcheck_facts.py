"""The fact mappings of the ``selfcheck:`` section: which facts an answer puts on the record.

Shared YAML helpers for selfcheck_spec.py, and the reader of ``facts:`` entries (format in
docs/criteria.md). Problems are collected with file, line, column and the question id.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace

import yaml

from trialdesk.clinical.routes import ROUTES
from trialdesk.criteria.model import DateSpec, FactTemplate, SelfCheckItem
from trialdesk.criteria.nodes import Duration
from trialdesk.errors import StudyError
from trialdesk.facts.codesystems import SYSTEMS

__all__ = ["FACT_KINDS", "FactReader", "Fields", "parse_span"]

_SPAN = re.compile(r"^\s*(\d+)\s*(day|week|month|year)s?\s*$")
FACT_KINDS = (
    "birth_date",
    "sex",
    "condition",
    "medication",
    "procedure",
    "immunization",
    "device",
    "observation",
    "study",
)
_FACT_KEYS = frozenset(
    {"if", "code", "date", "status", "route", "dose", "changed", "value", "unit"}
)
# FHIR R4 status codes each kind of fact may carry (Condition.clinicalStatus, ...Status).
_STATUSES: dict[str, frozenset[str]] = {
    "condition": frozenset({"active", "resolved", "inactive", "remission"}),
    "medication": frozenset({"active", "completed", "stopped"}),
    "procedure": frozenset({"completed"}),
    "immunization": frozenset({"completed"}),
    "device": frozenset({"active", "inactive"}),
    "observation": frozenset({"final"}),
    "study": frozenset({"on-study", "off-study"}),
}
_SEXES = frozenset({"female", "male", "other", "unknown"})  # FHIR administrative gender


def parse_span(text: str) -> Duration | None:
    """ "8 weeks" -> Duration(8, "weeks"); None when it is not that shape."""
    m = _SPAN.match(text)
    return Duration(int(m.group(1)), m.group(2) + "s") if m else None


Fields = dict[str, yaml.Node]


class YamlReader:
    """Node helpers that record a problem (with its position) instead of raising."""

    def __init__(self, file: str | None, valuesets: frozenset[str], criteria: frozenset[str]):
        self.file = file
        self.valuesets = valuesets
        self.criteria = criteria
        self.problems: list[StudyError] = []
        self.items: dict[str, SelfCheckItem] = {}

    def problem(self, message: str, node: yaml.Node, field: str) -> None:
        mark = node.start_mark
        self.problems.append(
            StudyError(
                message, file=self.file, field=field, line=mark.line + 1, column=mark.column + 1
            )
        )

    def mapping(self, node: yaml.Node, field: str, what: str) -> Fields | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(f"{what} must be a mapping", node, field)
            return None
        return {str(k.value): v for k, v in node.value}

    def text(self, node: yaml.Node, field: str, what: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.problem(f"{what} must be non-empty text", node, field)
            return None
        return " ".join(str(node.value).split())

    def texts(self, node: yaml.Node, field: str, what: str) -> tuple[str, ...]:
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        out = tuple(t for i in items if (t := self.text(i, field, what)) is not None)
        return out

    def number(self, node: yaml.Node, field: str, what: str) -> float | None:
        if isinstance(node, yaml.ScalarNode):
            try:
                value = float(node.value)
            except ValueError:
                value = math.nan
            if math.isfinite(value):
                return value
        self.problem(f"{what} must be a number", node, field)
        return None

    # ------------------------------------------------------------------ pass 1: questions
    def check_values(
        self, item: SelfCheckItem, values: Sequence[str], node: yaml.Node, field: str
    ) -> None:
        if item.answer not in ("yes_no", "choice"):
            self.problem(f"only yes/no and choice answers can be matched ({item.id})", node, field)
            return
        known = {v for v, _ in item.options}
        for value in values:
            if value not in known:
                self.problem(f"'{value}' is not an answer of {item.id}", node, field)

    # ------------------------------------------------------------- pass 2: when, facts


class FactReader(YamlReader):
    """Reads one question's ``facts:`` entries."""

    def ref(self, node: yaml.Node, field: str, types: tuple[str, ...]) -> str | None:
        """``{answer: question}``: a question of one of ``types``."""
        fields = self.mapping(node, field, "an answer reference")
        if fields is None or set(fields) - {"answer", "within"} or "answer" not in fields:
            self.problem("expected {answer: <question id>}", node, field)
            return None
        qid = self.text(fields["answer"], field, "answer")
        target = self.items.get(qid or "")
        if target is None:
            self.problem(f"unknown question '{qid}'", node, field)
            return None
        if target.answer not in types:
            self.problem(f"question '{qid}' must have a {' or '.join(types)} answer", node, field)
            return None
        return target.id

    def span(self, node: yaml.Node, field: str) -> Duration | None:
        text = self.text(node, field, "a duration")
        found = parse_span(text) if text else None
        if found is None:
            self.problem(
                "a duration looks like '8 weeks' (days, weeks, months, years)", node, field
            )
        return found

    def date(self, node: yaml.Node, field: str) -> DateSpec:
        fields = self.mapping(node, field, "date") or {}
        unknown = set(fields) - {"answer", "ago", "within", "more_than"}
        if (
            unknown
            or ("ago" in fields and len(fields) > 1)
            or ("answer" in fields and len(fields) > 1)
        ):
            self.problem("date is {answer: q}, {ago: D}, or {within: D, more_than: D}", node, field)
            return DateSpec()
        if "answer" in fields:
            return DateSpec(answer=self.ref(node, field, ("date", "month_year", "duration")))
        spans = {k: self.span(v, f"{field}.{k}") for k, v in fields.items()}
        return DateSpec(
            ago=spans.get("ago"), within=spans.get("within"), more_than=spans.get("more_than")
        )

    def fact(self, item: SelfCheckItem, raw: yaml.Node, field: str) -> FactTemplate | None:
        fields = self.mapping(raw, field, "each fact")
        if fields is None:
            return None
        kinds = [k for k in fields if k in FACT_KINDS]
        if len(kinds) != 1:
            self.problem(f"a fact names exactly one of: {', '.join(FACT_KINDS)}", raw, field)
            return None
        kind = kinds[0]
        for key, value in fields.items():
            if key not in _FACT_KEYS and key != kind:
                self.problem(f"unknown field '{key}'", value, f"{field}.{key}")
        target = self.target(kind, fields[kind], f"{field}.{kind}")
        if target is None:
            return None
        fact = FactTemplate(kind=kind, target=target, line=raw.start_mark.line + 1)
        if "if" in fields:
            values = self.texts(fields["if"], f"{field}.if", "if")
            self.check_values(item, values, fields["if"], f"{field}.if")
            fact = replace(fact, if_answer=values)
        if "code" in fields:
            code = self.text(fields["code"], f"{field}.code", "code") or ""
            system, _, code_value = code.partition("|")
            if system not in SYSTEMS or not code_value:
                self.problem("code is 'system|code' (system: loinc, snomed, ...)", raw, field)
            fact = replace(fact, code=code)
        if "date" in fields:
            fact = replace(fact, date=self.date(fields["date"], f"{field}.date"))
        if "status" in fields:
            status = self.text(fields["status"], f"{field}.status", "status")
            if status not in _STATUSES.get(kind, frozenset()):
                self.problem(
                    f"a {kind} fact cannot have status '{status}'", fields["status"], field
                )
            fact = replace(fact, status=status)
        return self.details(fact, fields, field)

    def target(self, kind: str, node: yaml.Node, field: str) -> str | None:
        name = self.text(node, field, kind)
        if name is None:
            return None
        if kind in ("birth_date", "sex"):
            source = self.items.get(name)
            fits = source is not None and (
                source.answer in ("number", "date")
                if kind == "birth_date"
                else source.answer == "choice" and {v for v, _ in source.options} <= _SEXES
            )
            if not fits:
                need = "an age (number) or date" if kind == "birth_date" else "a choice of sexes"
                self.problem(f"{kind} needs a question giving {need}, not '{name}'", node, field)
                return None
        elif kind != "study" and name not in self.valuesets:
            self.problem(f"unknown value set '{name}'", node, field)
            return None
        return name

    def details(self, fact: FactTemplate, fields: Fields, field: str) -> FactTemplate:
        kind = fact.kind
        only = {"route": "medication", "dose": "medication", "changed": "medication"}
        only |= {"value": "observation", "unit": "observation"}
        for key, owner in only.items():
            if key in fields and kind != owner:
                self.problem(f"'{key}' is for {owner} facts", fields[key], f"{field}.{key}")
                return fact
        if "route" in fields:
            route = self.text(fields["route"], f"{field}.route", "route")
            if route not in ROUTES:
                self.problem(f"route is one of {', '.join(ROUTES)}", fields["route"], field)
            fact = replace(fact, route=route)
        if "dose" in fields:
            fact = replace(fact, dose=self.ref(fields["dose"], f"{field}.dose", ("number",)))
        if "changed" in fields:
            node = fields["changed"]
            within = (self.mapping(node, field, "changed") or {}).get("within")
            if within is None:
                self.problem("changed is {answer: <yes/no question>, within: D}", node, field)
            else:
                fact = replace(
                    fact,
                    changed=self.ref(node, f"{field}.changed", ("yes_no",)),
                    changed_within=self.span(within, f"{field}.changed.within"),
                )
        if kind == "observation":
            value = fields.get("value")
            if value is None or "unit" not in fields:
                self.problem("an observation needs value and unit", fields[kind], field)
            elif isinstance(value, yaml.MappingNode):
                fact = replace(fact, value_answer=self.ref(value, f"{field}.value", ("number",)))
            else:
                fact = replace(fact, value=self.number(value, f"{field}.value", "value"))
            if "unit" in fields:
                fact = replace(fact, unit=self.text(fields["unit"], f"{field}.unit", "unit"))
        return fact
