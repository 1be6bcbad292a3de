"""Read a study's ``participant.yaml``: its date anchors and per-participant parameters.

Format in docs/criteria.md ("The participant"). The YAML is composed into nodes, as the
criteria file is (criteria/load.py), so every problem is reported with file, line and
column and the field it is about (``anchors.baseline.default``). A study folder without
the file reads as ``participant.default.yaml`` beside this module: screening, baseline
(screening + 14 days) and consent, no parameters.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from trialdesk.criteria.nodes import DURATION_UNITS, Anchor, Arith, Duration, Type
from trialdesk.criteria.parser import Names, Position, parse_rule
from trialdesk.criteria.participant import Anchor as DateAnchor
from trialdesk.criteria.participant import DateDefault, Participant, SideParameter
from trialdesk.criteria.signatures import SIGNATURES
from trialdesk.errors import CriteriaSyntaxError, StudyError
from trialdesk.facts.laterality import body_sites

__all__ = [
    "DEFAULT_FILE",
    "FILE",
    "check_participant",
    "load_participant",
    "participant_file",
    "read_participant",
]

FILE = "participant.yaml"
DEFAULT_FILE = Path(__file__).with_name("participant.default.yaml")

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# names the criteria language already uses
_RESERVED = frozenset(
    {"sex", "window", "before", "coalesce", "surely", *DURATION_UNITS, *SIGNATURES}
)
# Where parameters appear by name and dates as <anchor>_date beside fixed fields: a
# screening result's JSON (criteria/screening.schema.json), a candidate in the store's
# audit entries and the API, and the forms that set them (with their control fields).
_RESULT_KEYS = frozenset(
    {
        "patient", "study", "verdict", "criteria",
        "id", "study_id", "name", "birth_date", "sex", "record_number", "source",
        "source_ref", "lead_id", "upload_id", "patient_key", "possible_duplicates", "status",
        "outcome_reason", "failed_criteria", "version", "subject_number", "reason", "form",
        "csrf_token", "password", "concept", "outcome",
    }
)  # fmt: skip
# The compiled SQL binds its dates as d0, d1, ... beside each side parameter's own name.
_SQL_PARAMETER = re.compile(r"^d[0-9]+$")
_TOP_KEYS = frozenset({"anchors", "parameters"})
_ANCHOR_KEYS = frozenset({"label", "set_by", "by", "not_before", "default", "form", "item"})
_SIDE_KEYS = frozenset({"kind", "site", "label", "help", "if_missing"})


def participant_file(folder: Path) -> Path:
    """The study's participant.yaml, or the default when the folder has none."""
    own = folder / FILE
    return own if own.is_file() else DEFAULT_FILE


def load_participant(folder: Path) -> Participant:
    """The study's declarations; the first problem is raised (all: check_participant)."""
    found = check_participant(folder)
    if isinstance(found, Participant):
        return found
    first = found[0]
    if len(found) > 1:
        first.message += f" (and {len(found) - 1} more problem(s); run `trialdesk study check`)"
    raise first


def check_participant(folder: Path) -> Participant | list[StudyError]:
    """The study's declarations, or every problem in its participant.yaml."""
    participant, problems = read_participant(folder)
    return problems or participant


def read_participant(folder: Path) -> tuple[Participant, list[StudyError]]:
    """What could be read of the study's declarations, and every problem in them (so that
    `study check` can still check the criteria against the dates that were declared).
    A file that cannot be read at all gives the default declarations and its problem."""
    path = participant_file(folder)
    file = str(path)
    try:
        root = yaml.compose(path.read_text(encoding="utf-8"))
    except OSError as exc:
        problem = StudyError(f"cannot read the participant file: {exc.strerror}", file=file)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = StudyError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            file=file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        )
    else:
        reader = _Reader(file)
        return reader.read(root), reader.problems
    default = _Reader(str(DEFAULT_FILE)).read(yaml.compose(DEFAULT_FILE.read_text("utf-8")))
    return default, [problem]


Fields = dict[str, yaml.Node]


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[StudyError] = []

    def problem(self, message: str, node: yaml.Node | None, field: str) -> None:
        mark = node.start_mark if node is not None else None
        self.problems.append(
            StudyError(
                message,
                file=self.file,
                field=field or None,
                line=mark.line + 1 if mark else None,
                column=mark.column + 1 if mark else None,
            )
        )

    def mapping(self, node: yaml.Node | None, field: str, what: str) -> Fields | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(f"{what} must be a mapping", node, field)
            return None
        return {str(k.value): v for k, v in node.value}

    def text(
        self, fields: Fields, key: str, field: str, required: yaml.Node | None = None
    ) -> str | None:
        """``fields[key]`` as text; ``required``: the node to report its absence at."""
        node = fields.get(key)
        if node is None:
            if required is not None:
                self.problem(f"{field} needs `{key}:`", required, f"{field}.{key}")
            return None
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.problem(f"{key} must be non-empty text", node, f"{field}.{key}")
            return None
        return " ".join(str(node.value).split())

    def name(self, name: str, node: yaml.Node, field: str, taken: set[str]) -> bool:
        if not _NAME.match(name):
            self.problem(f"'{name}' must be snake_case", node, field)
        elif name in _RESERVED:
            self.problem(f"'{name}' is a word of the criteria language", node, field)
        elif name in taken:
            self.problem(f"'{name}' is declared twice", node, field)
        else:
            taken.add(name)
            return True
        return False

    def read(self, root: yaml.Node | None) -> Participant:
        top = self.mapping(root, "", "the participant file") or {}
        for key, node in top.items():
            if key not in _TOP_KEYS:
                self.problem(f"unknown field '{key}' (anchors, parameters)", node, key)
        taken: set[str] = set()
        anchors = self.anchors(top.get("anchors"), root, taken)
        parameters: dict[str, SideParameter] = {}
        if top.get("parameters") is not None and not (
            isinstance(top["parameters"], yaml.ScalarNode) and top["parameters"].value == ""
        ):
            parameters = self.parameters(top["parameters"], taken)
        return Participant(anchors=anchors, parameters=parameters)

    # -- anchors --------------------------------------------------------------------------
    def anchors(
        self, node: yaml.Node | None, root: yaml.Node | None, taken: set[str]
    ) -> dict[str, DateAnchor]:
        if node is None:
            self.problem("the file must declare its dates under `anchors:`", root, "anchors")
            return {}
        fields = self.mapping(node, "anchors", "anchors") or {}
        out: dict[str, DateAnchor] = {}
        staff: list[str] = []
        for name, raw in fields.items():
            if f"{name}_date" in _RESULT_KEYS:  # birth: birth_date is the candidate's own
                self.problem(
                    f"'{name}' would clash with the candidate's field {name}_date",
                    raw,
                    f"anchors.{name}",
                )
                continue
            if not self.name(name, raw, f"anchors.{name}", taken):
                continue
            anchor = self.anchor(name, raw, staff)
            if anchor is not None:
                out[name] = anchor
                if anchor.set_by == "staff":
                    staff.append(name)
        for name, anchor in out.items():  # a record date may be read by a later staff date
            if anchor.set_by == "record" and anchor.by is not None and anchor.by not in staff:
                self.problem(
                    f"by must name a date set by staff ({', '.join(staff) or 'none'})",
                    fields[name],
                    f"anchors.{name}.by",
                )
        if fields and not staff:
            self.problem("at least one date must be set by staff", node, "anchors")
        return out

    def anchor(self, name: str, raw: yaml.Node, staff: list[str]) -> DateAnchor | None:
        field = f"anchors.{name}"
        fields = self.mapping(raw, field, f"anchor {name}")
        if fields is None:
            return None
        for key, node in fields.items():
            if key not in _ANCHOR_KEYS:
                self.problem(f"unknown field '{key}'", node, f"{field}.{key}")
        label = self.text(fields, "label", field, raw)
        set_by = self.text(fields, "set_by", field, raw)
        if set_by not in (None, "staff", "record", "form"):
            self.problem("set_by is staff, record or form", fields["set_by"], f"{field}.set_by")
            return None
        if set_by == "form":
            return self.form_anchor(name, label, fields, raw)
        for key in ("form", "item"):
            if key in fields:
                self.problem(f"{key} is for dates set by a form", fields[key], f"{field}.{key}")
        by = self.text(fields, "by", field)
        not_before = self.text(fields, "not_before", field)
        default = None
        if set_by == "record":
            if by is None and "by" not in fields:
                self.problem("a date read from the record needs `by:`", raw, f"{field}.by")
            for key in ("not_before", "default"):
                if key in fields:
                    self.problem(f"{key} is for dates set by staff", fields[key], f"{field}.{key}")
        else:
            if "by" in fields:
                self.problem("by is for dates read from the record", fields["by"], f"{field}.by")
            if not_before is not None and not_before not in staff:
                self.problem(
                    f"not_before must name an earlier date set by staff "
                    f"({', '.join(staff) or 'none'})",
                    fields["not_before"],
                    f"{field}.not_before",
                )
            if "default" in fields:
                default = self.default(fields["default"], f"{field}.default", staff)
        if label is None or set_by is None:
            return None
        return DateAnchor(
            name=name,
            label=label,
            set_by="record" if set_by == "record" else "staff",
            by=by,
            not_before=not_before,
            default=default,
        )

    def form_anchor(
        self, name: str, label: str | None, fields: Fields, raw: yaml.Node
    ) -> DateAnchor | None:
        """``{set_by: form, form: injection, item: administered_at}``: the date a form item
        records (whether the form and item exist is checked with the forms)."""
        field = f"anchors.{name}"
        for key in ("by", "not_before", "default"):
            if key in fields:
                self.problem(f"{key} is not for dates set by a form", fields[key], f"{field}.{key}")
        form = self.text(fields, "form", field, raw)
        item = self.text(fields, "item", field, raw)
        if label is None or form is None or item is None:
            return None
        return DateAnchor(name=name, label=label, set_by="form", form=form, item=item)

    def default(self, node: yaml.Node, field: str, staff: list[str]) -> DateDefault | None:
        """``screening + days(14)``: an earlier staff date, moved by a duration or not."""
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.problem("default must be a date expression", node, field)
            return None
        line, column = node.start_mark.line + 1, node.start_mark.column + 1
        if getattr(node, "style", None) in ("'", '"'):
            column += 1
        try:
            built = parse_rule(
                str(node.value),
                Names(anchors=frozenset(staff)),
                position=Position(self.file, line, column),
                expect=Type.DATE,
            )
        except CriteriaSyntaxError as exc:
            exc.message = f"default: {exc.message} (earlier dates set by staff: "
            exc.message += f"{', '.join(staff) or 'none'})"
            exc.field = field
            self.problems.append(exc)
            return None
        if isinstance(built, Anchor):
            return DateDefault(built.name)
        if (
            isinstance(built, Arith)
            and isinstance(built.left, Anchor)
            and isinstance(built.right, Duration)
        ):
            return DateDefault(built.left.name, built.op, built.right)
        self.problem("default is an earlier date, e.g. screening + days(14)", node, field)
        return None

    # -- parameters -----------------------------------------------------------------------
    def parameters(self, node: yaml.Node, taken: set[str]) -> dict[str, SideParameter]:
        fields = self.mapping(node, "parameters", "parameters") or {}
        out: dict[str, SideParameter] = {}
        sites = body_sites()
        for name, raw in fields.items():
            field = f"parameters.{name}"
            if name in _RESULT_KEYS or name.endswith("_date") or _SQL_PARAMETER.match(name):
                self.problem(
                    f"'{name}' would clash with a field of the candidate, their forms or the "
                    "screening result (or a date the SQL binds)",
                    raw,
                    field,
                )
                continue
            if not self.name(name, raw, field, taken):
                continue
            spec = self.mapping(raw, field, f"parameter {name}")
            if spec is None:
                continue
            for key, value in spec.items():
                if key not in _SIDE_KEYS:
                    self.problem(f"unknown field '{key}'", value, f"{field}.{key}")
            kind = self.text(spec, "kind", field, raw)
            if kind is not None and kind != "side":
                message = "kind must be side (left or right of a body site)"
                self.problem(message, spec["kind"], f"{field}.kind")
                continue
            site = self.text(spec, "site", field, raw)
            if site is not None and site not in sites:
                self.problem(
                    f"unknown body site '{site}' (known: {', '.join(sites)})",
                    spec["site"],
                    f"{field}.site",
                )
                continue
            label = self.text(spec, "label", field, raw)
            if kind is None or site is None or label is None:
                continue
            out[name] = SideParameter(
                name=name,
                label=label,
                site=site,
                help=self.text(spec, "help", field),
                if_missing=self.text(spec, "if_missing", field),
            )
        return out
