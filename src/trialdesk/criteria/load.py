"""Read a criteria file (YAML) into checked criteria, keeping every position for errors.

The YAML is composed into nodes rather than loaded into plain dicts so each problem can be
reported at its line and column, with the criterion id.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import yaml

from trialdesk.criteria.model import CriteriaSet, Criterion, Kind, SelfCheckItem
from trialdesk.criteria.nodes import Parameter, Type, Window
from trialdesk.criteria.parser import Names, Position, parse_rule
from trialdesk.criteria.participant import Participant
from trialdesk.criteria.selfcheck_spec import read_selfcheck
from trialdesk.errors import CriteriaSyntaxError, StudyError

_ID = re.compile(r"^[IE][0-9]+[a-z]?$")
_CRITERION_KEYS = {
    "id",
    "kind",
    "text",
    "rule",
    "review",
    "judgment",
    "note",
    "heading",
    "plain",
}


def load_criteria(path: Path, valuesets: frozenset[str], participant: Participant) -> CriteriaSet:
    """Load and check a criteria file; collect every problem, then raise them together.

    ``participant``: the study's declared anchors and side parameters, which rules name."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise StudyError(f"cannot read the criteria file: {exc.strerror}", file=file) from None
    return parse_criteria(text, valuesets, participant, file=file)


def parse_criteria(
    text: str, valuesets: frozenset[str], participant: Participant, *, file: str | None = None
) -> CriteriaSet:
    problems = check_criteria(text, valuesets, participant, file=file)
    if isinstance(problems, CriteriaSet):
        return problems
    first = problems[0]
    if len(problems) > 1:
        first.message += f" (and {len(problems) - 1} more problem(s); run `trialdesk study check`)"
    raise first


def check_criteria(
    text: str, valuesets: frozenset[str], participant: Participant, *, file: str | None = None
) -> CriteriaSet | list[StudyError]:
    """Every problem in the file, or the loaded set when there are none."""
    reader = _Reader(file, text.splitlines(), participant)
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [
            StudyError(
                f"not valid YAML: {getattr(exc, 'problem', exc)}",
                file=file,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            )
        ]
    result = reader.read(root, valuesets)
    return reader.problems or result


class _Reader:
    def __init__(self, file: str | None, lines: list[str], participant: Participant) -> None:
        self.file = file
        self.lines = lines
        self.participant = participant
        self.problems: list[StudyError] = []

    def problem(
        self, message: str, node: yaml.Node | None, criterion: str | None = None, field: str = ""
    ) -> None:
        line = node.start_mark.line + 1 if node is not None else None
        column = node.start_mark.column + 1 if node is not None else None
        self.problems.append(
            StudyError(
                message,
                file=self.file,
                criterion=criterion,
                field=field or None,
                line=line,
                column=column,
            )
        )

    def mapping(self, node: yaml.Node | None, what: str) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            self.problem(f"{what} must be a mapping", node)
            return {}
        out: dict[str, yaml.Node] = {}
        for key, value in node.value:
            out[str(key.value)] = value
        return out

    def scalar(self, node: yaml.Node, what: str, criterion: str | None = None) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.value == "":
            self.problem(f"{what} must be non-empty text", node, criterion, what)
            return None
        return str(node.value)

    def read(self, root: yaml.Node | None, valuesets: frozenset[str]) -> CriteriaSet:
        top = self.mapping(root, "the criteria file")
        study = self.scalar(top["study"], "study") if "study" in top else None
        if "study" not in top:
            self.problem("the file must name its study (study: NCT...)", root, field="study")
        parameters = self.parameters(top.get("parameters"))
        names = Names(
            valuesets=valuesets,
            anchors=frozenset(a.name for a in self.participant.screening),
            sides=frozenset(self.participant.parameters),
            parameters=parameters,
            unreadable={
                a.name: f"is set by the form '{a.form}' once the trial is under way: "
                "eligibility rules cannot read it"
                for a in self.participant.forms
            },
        )
        windows = self.windows(top.get("windows"), names)
        names = replace(names, windows=windows)
        criteria = self.criteria(top.get("criteria"), names)
        selfcheck = self.selfcheck(top, valuesets, criteria)
        return CriteriaSet(
            study=study or "",
            criteria=tuple(criteria),
            windows=windows,
            parameters=parameters,
            file=self.file,
            selfcheck=selfcheck,
            participant=self.participant,
        )

    def declared(self, name: str, node: yaml.Node, what: str) -> bool:
        """Whether ``name`` is already a date or parameter of participant.yaml (a problem)."""
        if name in self.participant.anchors or name in self.participant.parameters:
            self.problem(f"{what} {name} is declared in participant.yaml already", node)
            return True
        return False

    def selfcheck(
        self, top: dict[str, yaml.Node], valuesets: frozenset[str], criteria: list[Criterion]
    ) -> tuple[SelfCheckItem, ...]:
        """The patient self-check questions, when the file has them (docs/criteria.md)."""
        if "selfcheck" not in top:
            return ()
        items, problems = read_selfcheck(top["selfcheck"], self.file, valuesets, criteria)
        self.problems.extend(problems)
        for c in criteria:
            if c.plain is None:
                # the self-check shows every criterion it cannot decide in plain words
                message = "a criterion needs `plain:` when the file has a selfcheck"
                self.problems.append(
                    StudyError(message, file=self.file, criterion=c.id, field="plain", line=c.line)
                )
        return items

    def parameters(self, node: yaml.Node | None) -> dict[str, Parameter]:
        out: dict[str, Parameter] = {}
        if node is None:
            return out
        for name, value in self.mapping(node, "parameters").items():
            if self.declared(name, value, "parameter"):
                continue
            fields = self.mapping(value, f"parameter {name}")
            try:
                number = float(fields["value"].value)
            except (KeyError, ValueError, TypeError):
                self.problem(f"parameter {name} needs a numeric value", value, field="value")
                continue
            source = fields.get("source")
            if source is None:
                self.problem(f"parameter {name} must cite its source", value, field="source")
                continue
            unit = fields.get("unit")
            assumption = fields.get("assumption")
            out[name] = Parameter(
                name=name,
                value=number,
                unit=str(unit.value) if unit is not None else None,
                source=str(source.value),
                assumption=assumption is not None and str(assumption.value).lower() == "true",
            )
        return out

    def windows(self, node: yaml.Node | None, names: Names) -> dict[str, Window]:
        out: dict[str, Window] = {}
        if node is None:
            return out
        for name, value in self.mapping(node, "windows").items():
            if self.declared(name, value, "window"):
                continue
            source = self.scalar(value, f"window {name}")
            if source is None:
                continue
            try:
                built = parse_rule(source, names, position=self.position(value), expect=Type.WINDOW)
            except CriteriaSyntaxError as exc:
                exc.message = f"window {name}: {exc.message}"
                self.problems.append(exc)
                continue
            assert isinstance(built, Window)
            out[name] = Window(built.start, built.end, name)
        return out

    def position(self, node: yaml.Node) -> Position:
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        style = getattr(node, "style", None)
        if style in ("|", ">"):
            # block scalars start on the next line, at that line's indentation
            line += 1
            content = self.lines[line - 1] if line - 1 < len(self.lines) else ""
            column = len(content) - len(content.lstrip(" ")) + 1
        elif style in ("'", '"'):
            column += 1
        return Position(self.file, line, column)

    def criteria(self, node: yaml.Node | None, names: Names) -> list[Criterion]:
        if not isinstance(node, yaml.SequenceNode):
            self.problem("criteria must be a list", node, field="criteria")
            return []
        out: list[Criterion] = []
        seen: set[str] = set()
        for item in node.value:
            criterion = self.criterion(item, names, seen)
            if criterion is not None:
                out.append(criterion)
        return out

    def criterion(self, item: yaml.Node, names: Names, seen: set[str]) -> Criterion | None:
        fields = self.mapping(item, "each criterion")
        cid = self.scalar(fields["id"], "id") if "id" in fields else None
        if cid is None:
            self.problem("a criterion has no id", item, field="id")
            return None
        if not _ID.match(cid):
            self.problem(f"id '{cid}' must look like I1 or E12", fields["id"], cid, "id")
        if cid in seen:
            self.problem(f"id {cid} is used twice", fields["id"], cid, "id")
        seen.add(cid)
        for key in fields:
            if key not in _CRITERION_KEYS:
                self.problem(f"unknown field '{key}'", fields[key], cid, key)
        kind_text = self.scalar(fields["kind"], "kind", cid) if "kind" in fields else None
        if kind_text not in ("inclusion", "exclusion"):
            self.problem(
                "kind must be inclusion or exclusion", fields.get("kind", item), cid, "kind"
            )
            return None
        if (cid.startswith("I")) != (kind_text == "inclusion"):
            self.problem(
                f"{cid} is named like an {'inclusion' if cid.startswith('I') else 'exclusion'}"
                f" but its kind is {kind_text}",
                fields["kind"],
                cid,
                "kind",
            )
        text = self.scalar(fields["text"], "text", cid) if "text" in fields else None
        if text is None:
            self.problem("a criterion needs its verbatim registry text", item, cid, "text")
            return None
        built = {}
        for key in ("rule", "review"):
            if key in fields:
                source = self.scalar(fields[key], key, cid)
                if source is None:
                    continue
                try:
                    built[key] = (
                        parse_rule(
                            source, names, criterion=cid, position=self.position(fields[key])
                        ),
                        source,
                    )
                except CriteriaSyntaxError as exc:
                    self.problems.append(exc)
        judgment = None
        if "judgment" in fields:
            judgment = self.scalar(fields["judgment"], "judgment", cid)
            if built or "rule" in fields or "review" in fields:
                self.problem(
                    "a criterion is either judgment or has a rule/review, not both",
                    fields["judgment"],
                    cid,
                    "judgment",
                )
        elif "rule" not in fields and "review" not in fields:
            self.problem("a criterion needs a rule, a review or a judgment", item, cid)
        note = fields.get("note")
        heading = fields.get("heading")
        plain = self.scalar(fields["plain"], "plain", cid) if "plain" in fields else None
        return Criterion(
            id=cid,
            kind=Kind(kind_text),
            text=text,
            rule=built["rule"][0] if "rule" in built else None,
            review=built["review"][0] if "review" in built else None,
            rule_source=built["rule"][1] if "rule" in built else None,
            review_source=built["review"][1] if "review" in built else None,
            judgment=judgment,
            note=str(note.value) if note is not None else None,
            heading=str(heading.value) if heading is not None else None,
            line=item.start_mark.line + 1,
            plain=" ".join(plain.split()).rstrip(".") if plain else None,
        )
