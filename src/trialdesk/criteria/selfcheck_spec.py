"""Read the ``selfcheck:`` section of a criteria file (format: docs/criteria.md).

Called by criteria/load.py while the study loads, so a bad question is reported like a bad
rule: file, line and column, with the question id in the field (``selfcheck.<id>.<key>``).
The format is part of the criteria file, so it is read here; trialdesk.selfcheck asks the
questions and judges the answers.
Questions are read in two passes because a fact may take its date from a later question
(the "yes" to "diagnosed with RA?" is dated by the next question, "since when?").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

import yaml

from trialdesk.criteria.model import ANSWER_TYPES, Criterion, FactTemplate, SelfCheckItem, When
from trialdesk.criteria.selfcheck_facts import FACT_KINDS, FactReader, Fields, parse_span
from trialdesk.errors import StudyError

__all__ = ["FACT_KINDS", "parse_span", "read_selfcheck"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_QUESTION_KEYS = frozenset(
    {"id", "ask", "help", "answer", "criteria", "when", "site_checks", "facts"}
)
_ANSWER_KEYS = frozenset({"type", "unit", "min", "max", "options"})
_YES_NO = (("yes", "Yes"), ("no", "No"))
_DURATION_UNITS = ("days", "weeks", "months", "years")


def read_selfcheck(
    node: yaml.Node, file: str | None, valuesets: frozenset[str], criteria: Sequence[Criterion]
) -> tuple[tuple[SelfCheckItem, ...], list[StudyError]]:
    """The questions of a ``selfcheck:`` node, and every problem found in them."""
    reader = _Reader(file, valuesets, frozenset(c.id for c in criteria))
    return reader.read(node), reader.problems


class _Reader(FactReader):
    """Pass 1 reads each question's own fields; pass 2 (``links``) its ``when`` and facts,
    which may refer to questions later in the file."""

    def read(self, node: yaml.Node) -> tuple[SelfCheckItem, ...]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.problem("selfcheck must be a non-empty list of questions", node, "selfcheck")
            return ()
        found: list[tuple[SelfCheckItem, Fields]] = []
        for raw in node.value:
            head = self.question(raw)
            if head is not None:
                found.append(head)
                self.items[head[0].id] = head[0]
        order = [item.id for item, _ in found]
        return tuple(self.links(item, fields, order) for item, fields in found)

    def question(self, raw: yaml.Node) -> tuple[SelfCheckItem, Fields] | None:
        fields = self.mapping(raw, "selfcheck", "each question")
        if fields is None:
            return None
        qid = self.text(fields["id"], "selfcheck", "id") if "id" in fields else None
        if qid is None:
            self.problem("a question has no id", raw, "selfcheck")
            return None
        where = f"selfcheck.{qid}"
        if not _NAME.match(qid):
            self.problem(f"question id '{qid}' must be snake_case", fields["id"], where)
        if qid in self.items:
            self.problem(f"question id '{qid}' is used twice", fields["id"], where)
            return None
        for key, value in fields.items():
            if key not in _QUESTION_KEYS:
                self.problem(f"unknown field '{key}'", value, f"{where}.{key}")
        ask = self.text(fields["ask"], f"{where}.ask", "ask") if "ask" in fields else None
        if ask is None and "ask" not in fields:
            self.problem("a question needs `ask:` (what the patient reads)", raw, where)
        help_ = self.text(fields["help"], f"{where}.help", "help") if "help" in fields else None
        answer = self.answer(fields.get("answer"), raw, f"{where}.answer")
        criteria = self.criteria_of(fields.get("criteria"), raw, f"{where}.criteria")
        if ask is None or answer is None:
            return None
        kind, unit, low, high, options = answer
        item = SelfCheckItem(
            id=qid,
            ask=ask,
            answer=kind,
            criteria=criteria,
            help=help_,
            unit=unit,
            minimum=low,
            maximum=high,
            options=options,
            line=raw.start_mark.line + 1,
        )
        if "site_checks" in fields:
            node = fields["site_checks"]
            values = self.texts(node, f"{where}.site_checks", "site_checks")
            self.check_values(item, values, node, f"{where}.site_checks")
            item = replace(item, site_checks=values)
        return item, fields

    def criteria_of(self, node: yaml.Node | None, raw: yaml.Node, field: str) -> tuple[str, ...]:
        if node is None:
            self.problem("a question must name the criteria it informs", raw, field)
            return ()
        ids = self.texts(node, field, "criteria")
        for cid in ids:
            if cid not in self.criteria:
                self.problem(f"unknown criterion '{cid}'", node, field)
        return ids

    def answer(
        self, node: yaml.Node | None, raw: yaml.Node, field: str
    ) -> tuple[str, str | None, float | None, float | None, tuple[tuple[str, str], ...]] | None:
        if node is None:
            self.problem(f"a question needs `answer:` ({', '.join(ANSWER_TYPES)})", raw, field)
            return None
        fields: Fields = {}
        if isinstance(node, yaml.MappingNode):
            fields = self.mapping(node, field, "answer") or {}
            kind = self.text(fields["type"], field, "type") if "type" in fields else None
        else:
            kind = self.text(node, field, "answer")
        if kind not in ANSWER_TYPES:
            self.problem(f"unknown answer type '{kind}' ({', '.join(ANSWER_TYPES)})", node, field)
            return None
        allowed = {
            "yes_no": set(),
            "date": set(),
            "month_year": set(),
            "number": {"unit", "min", "max"},
            "duration": {"unit", "min", "max"},
            "choice": {"options"},
        }[kind] | {"type"}
        for key, value in fields.items():
            if key not in _ANSWER_KEYS or key not in allowed:
                self.problem(f"a {kind} answer has no field '{key}'", value, f"{field}.{key}")
        unit = self.text(fields["unit"], field, "unit") if "unit" in fields else None
        low = self.number(fields["min"], field, "min") if "min" in fields else None
        high = self.number(fields["max"], field, "max") if "max" in fields else None
        if kind == "number" and (unit is None or low is None or high is None):
            self.problem("a number answer needs unit, min and max", node, field)
        if kind == "duration" and unit not in _DURATION_UNITS:
            self.problem(f"a duration answer needs unit: {', '.join(_DURATION_UNITS)}", node, field)
        if low is not None and high is not None and low >= high:
            self.problem("min must be below max", node, field)
        options: tuple[tuple[str, str], ...] = _YES_NO if kind == "yes_no" else ()
        if kind == "choice":
            options = self.options(fields.get("options"), node, f"{field}.options")
        return kind, unit, low, high, options

    def options(
        self, node: yaml.Node | None, at: yaml.Node, field: str
    ) -> tuple[tuple[str, str], ...]:
        fields = self.mapping(node, field, "options") if node is not None else None
        if not fields:
            self.problem("a choice answer needs options: {value: label, ...}", node or at, field)
            return ()
        out = []
        for value, label_node in fields.items():
            if not _NAME.match(value):
                self.problem(f"option '{value}' must be snake_case", label_node, field)
            label = self.text(label_node, field, f"the label of option '{value}'")
            out.append((value, label or value))
        return tuple(out)

    def links(self, item: SelfCheckItem, fields: Fields, order: list[str]) -> SelfCheckItem:
        where = f"selfcheck.{item.id}"
        when = None
        if "when" in fields:
            when = self.when(item, fields["when"], order, f"{where}.when")
        facts: list[FactTemplate] = []
        if "facts" in fields:
            node = fields["facts"]
            if not isinstance(node, yaml.SequenceNode):
                self.problem("facts must be a list", node, f"{where}.facts")
            else:
                for i, raw in enumerate(node.value):
                    fact = self.fact(item, raw, f"{where}.facts[{i}]")
                    if fact is not None:
                        facts.append(fact)
        return replace(item, when=when, facts=tuple(facts))

    def when(
        self, item: SelfCheckItem, node: yaml.Node, order: list[str], field: str
    ) -> When | None:
        fields = self.mapping(node, field, "when")
        if fields is None or len(fields) != 1:
            self.problem("when names one earlier question: {question: answer}", node, field)
            return None
        ((target, values_node),) = fields.items()
        earlier = order[: order.index(item.id)]
        if target not in earlier:
            self.problem(f"when must name an earlier question, not '{target}'", node, field)
            return None
        value = self.text(values_node, field, "when")
        if value is None:
            return None
        self.check_values(self.items[target], [value], values_node, field)
        return When(target, value)
