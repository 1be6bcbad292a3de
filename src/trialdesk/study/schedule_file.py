"""Read a study's ``schedule.yaml``: its visits, their study days and windows, and what is
done at each (docs/protocol.md, "The schedule").

Study days follow SDTM: day 1 is the day the ``day1`` anchor records (participant.yaml),
the day before it is day -1, there is no day 0. A window ``{before: n, after: m}`` is n
calendar days before the target day to m after it; screening writes its days directly
(``days: {from: -28, to: -1}``). Which forms exist is checked by the caller
(study/protocol.py), which has read them: :class:`ScheduleRead` keeps each form a visit
names with its node, for the position of a problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from trialdesk.criteria.participant import Participant
from trialdesk.errors import StudyError
from trialdesk.study.schedule import Schedule, Visit, VisitKind, shift_day
from trialdesk.study.texts import Text
from trialdesk.study.yaml_nodes import Fields, NodeReader, is_blank

__all__ = ["EPOCHS", "FILE", "ScheduleRead", "read_schedule"]

FILE = "schedule.yaml"

# CDISC EPOCH (C99079) submission values and their NCI codes (sdtmct 2025-03-28, read in the
# usdm4 0.29.0 library cache: /tmp/research/issue13.md section 7).
EPOCHS = {
    "SCREENING": "C202487",
    "TREATMENT": "C101526",
    "INTERVENTION": "C209541",
    "FOLLOW-UP": "C202578",
}

VISIT_ID = re.compile(r"[A-Z][A-Z0-9_]{0,15}")
SNAKE = re.compile(r"[a-z][a-z0-9_]*")
_TOP = ("assumption", "source", "day1", "baseline_visit", "time_zone", "procedures", "visits")
_VISIT = (
    "id",
    "name",
    "visitnum",
    "epoch",
    "kind",
    "day",
    "window",
    "days",
    "forms",
    "procedures",
    "anchor",
    "assumption",
    "source",
)
_UNTIMED = ("day", "window", "days", "anchor")  # not for early termination and unscheduled


@dataclass
class ScheduleRead:
    """The schedule as read, and the form ids its visits name (checked by the caller)."""

    schedule: Schedule | None
    forms: list[tuple[str, yaml.Node, str]] = field(default_factory=list)  # id, node, field
    problems: list[StudyError] = field(default_factory=list)
    warnings: list[StudyError] = field(default_factory=list)


def read_schedule(
    root: yaml.Node | None, file: str, lines: list[str], participant: Participant
) -> ScheduleRead:
    """The schedule of a composed ``schedule.yaml``, with every problem in it."""
    reader = _Reader(file, lines, participant)
    schedule = reader.read(root)
    return ScheduleRead(schedule, reader.form_refs, reader.problems, reader.warnings)


class _Reader(NodeReader):
    def __init__(self, file: str, lines: list[str], participant: Participant) -> None:
        super().__init__(file, lines)
        self.participant = participant
        self.form_refs: list[tuple[str, yaml.Node, str]] = []
        self.nodes: dict[str, yaml.Node] = {}  # visit id -> its node

    def read(self, root: yaml.Node | None) -> Schedule | None:
        top = self.mapping(root, "", "the schedule file")
        if top is None:
            return None
        self.known(top, _TOP, "")
        assumption, source = self.assumption(top, "", root)
        day1 = self.text(top, "day1", "", root)
        if day1 is not None:
            anchor = self.participant.anchors.get(day1)
            if anchor is None:
                known = ", ".join(self.participant.anchors) or "none"
                self.problem(
                    f"day1 must name a date of participant.yaml ({known})", top["day1"], "day1"
                )
            elif anchor.set_by == "record":
                self.problem(
                    f"day1 '{day1}' is read from the record: name a date set by staff or a form",
                    top["day1"],
                    "day1",
                )
        time_zone = self.time_zone(top)
        procedures, plain = self.procedures(top.get("procedures"))
        visits = self.visits(top.get("visits"), root, procedures, day1)
        baseline = self.text(top, "baseline_visit", "")
        if baseline is not None:
            chosen = next((v for v in visits if v.id == baseline), None)
            if chosen is None:
                self.problem(
                    f"baseline_visit '{baseline}' is not a visit of the schedule",
                    top["baseline_visit"],
                    "baseline_visit",
                )
            elif not chosen.scheduled:
                self.problem(
                    "baseline_visit must be a scheduled visit",
                    top["baseline_visit"],
                    "baseline_visit",
                )
        if day1 is None:
            return None
        return Schedule(
            visits=tuple(visits),
            day1=day1,
            baseline_visit=baseline,
            time_zone=time_zone,
            procedures=procedures,
            assumption=assumption,
            source=source,
            procedure_plain=plain,
        )

    def assumption(
        self, fields: Fields, field: str, at: yaml.Node | None
    ) -> tuple[bool, str | None]:
        """``assumption: true`` needs its ``source:`` (DESIGN.md: a protocol assumption is
        shown with its source for the site to confirm)."""
        assumption = self.flag(fields, "assumption", field)
        source = self.text(fields, "source", field)
        if assumption and source is None:
            where = f"{field}.source" if field else "source"
            self.problem("a protocol assumption must cite its source (`source:`)", at, where)
        return assumption, source

    def time_zone(self, top: Fields) -> str:
        name = self.text(top, "time_zone", "")
        if name is None:
            return "UTC"
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem(
                f"unknown time zone '{name}' (an IANA name, e.g. Asia/Shanghai)",
                top["time_zone"],
                "time_zone",
            )
            return "UTC"
        return name

    def procedures(self, node: yaml.Node | None) -> tuple[dict[str, Text], dict[str, Text]]:
        """``id: text`` or ``id: {name: text, plain: text}`` (what a participant is told)."""
        names: dict[str, Text] = {}
        plain: dict[str, Text] = {}
        if is_blank(node):
            return names, plain
        fields = self.mapping(node, "procedures", "procedures") or {}
        for pid, raw in fields.items():
            where = f"procedures.{pid}"
            if not SNAKE.fullmatch(pid):
                self.problem(f"procedure id '{pid}' must be snake_case", raw, where)
                continue
            spec = self.mapping(raw, where, f"procedure {pid}") if _named(raw) else None
            if spec is not None:
                self.known(spec, ("name", "plain"), where)
                text = self.translatable(spec, "name", where, raw)
                said = self.translatable(spec, "plain", where)
                if said is not None:
                    plain[pid] = said
            else:
                text = self.translatable({pid: raw}, pid, "procedures")
            if text is not None:
                names[pid] = text
        return names, plain

    def visits(
        self,
        node: yaml.Node | None,
        root: yaml.Node | None,
        procedures: dict[str, Text],
        day1: str | None,
    ) -> list[Visit]:
        if is_blank(node):
            self.problem("the schedule needs `visits:`", root, "visits")
            return []
        items = self.sequence(node, "visits", "visits") or []
        out: list[Visit] = []
        ids: set[str] = set()
        numbers: dict[float, str] = {}
        for i, raw in enumerate(items):
            visit = self.visit(raw, f"visits[{i}]", procedures, day1, ids, numbers)
            if visit is not None:
                out.append(visit)
                self.nodes[visit.id] = raw
        self.order(out)
        return out

    def visit(
        self,
        raw: yaml.Node,
        where: str,
        procedures: dict[str, Text],
        day1: str | None,
        ids: set[str],
        numbers: dict[float, str],
    ) -> Visit | None:
        fields = self.mapping(raw, where, "each visit")
        if fields is None:
            return None
        vid = self.name(fields, "id", where, VISIT_ID, "upper case, e.g. W4 or SCR", raw)
        if vid is not None:
            if vid in ids:
                self.problem(f"visit {vid} is declared twice", fields["id"], f"{where}.id")
            ids.add(vid)
            where = f"visits.{vid}"
        self.known(fields, _VISIT, where)
        name = self.translatable(fields, "name", where, raw)
        visitnum = self.number(fields, "visitnum", where, raw)
        if visitnum is not None:
            if visitnum <= 0:
                self.problem("visitnum must be positive", fields["visitnum"], f"{where}.visitnum")
            elif visitnum in numbers:
                self.problem(
                    f"visitnum {visitnum:g} is also visit {numbers[visitnum]}'s",
                    fields["visitnum"],
                    f"{where}.visitnum",
                )
            else:
                numbers[visitnum] = vid or "?"
        epoch = self.text(fields, "epoch", where, raw)
        if epoch is not None and epoch not in EPOCHS:
            self.problem(
                f"epoch '{epoch}' is not a CDISC EPOCH term trialdesk knows ({', '.join(EPOCHS)})",
                fields["epoch"],
                f"{where}.epoch",
            )
        kind = self.kind(fields, where)
        day, first, last = self.timing(fields, where, raw, kind)
        anchor = self.text(fields, "anchor", where)
        if anchor is not None:
            found = self.participant.anchors.get(anchor)
            if found is None or found.set_by == "record":
                dates = ", ".join(
                    a.name for a in self.participant.anchors.values() if a.set_by != "record"
                )
                self.problem(
                    f"anchor must name a date set by staff or a form ({dates or 'none'})",
                    fields["anchor"],
                    f"{where}.anchor",
                )
            elif anchor == day1 and day != 1:
                self.problem(
                    f"the visit dated by day1 ('{anchor}') must be on day 1",
                    fields["anchor"],
                    f"{where}.anchor",
                )
        forms = self.names(fields, "forms", where, SNAKE, "a form id (snake_case)")
        self.form_refs.extend((f, node, f"{where}.forms") for f, node in forms)
        done = self.names(fields, "procedures", where, SNAKE, "a procedure id (snake_case)")
        for pid, node in done:
            if pid not in procedures:
                known = ", ".join(procedures) or "none declared"
                self.problem(
                    f"unknown procedure '{pid}' (procedures: {known})", node, f"{where}.procedures"
                )
        for group, listed in (("forms", forms), ("procedures", done)):
            seen = [n for n, _ in listed]
            for n, node in listed:
                if seen.count(n) > 1:
                    self.problem(f"'{n}' is listed twice", node, f"{where}.{group}")
                    break
        assumption, source = self.assumption(fields, where, raw)
        if vid is None or name is None or visitnum is None or epoch is None or kind is None:
            return None
        return Visit(
            id=vid,
            name=name,
            visitnum=visitnum,
            epoch=epoch,
            kind=kind,
            day=day,
            first_day=first,
            last_day=last,
            forms=tuple(dict.fromkeys(n for n, _ in forms)),
            procedures=tuple(dict.fromkeys(n for n, _ in done)),
            anchor=anchor,
            assumption=assumption,
            source=source,
        )

    def kind(self, fields: Fields, where: str) -> VisitKind | None:
        text = self.text(fields, "kind", where)
        if text is None:
            return VisitKind.SCHEDULED
        try:
            return VisitKind(text)
        except ValueError:
            kinds = ", ".join(k.value for k in VisitKind)
            self.problem(f"kind must be one of {kinds}", fields["kind"], f"{where}.kind")
            return None

    def timing(
        self, fields: Fields, where: str, raw: yaml.Node, kind: VisitKind | None
    ) -> tuple[int | None, int | None, int | None]:
        """(target day, first day, last day) of the window, in study days."""
        if kind is None:  # its kind is wrong: what else it needs is not known
            return None, None, None
        if kind is not VisitKind.SCHEDULED:
            for key in _UNTIMED:
                if key in fields:
                    self.problem(
                        f"{key} is for scheduled visits: an {kind.value.replace('_', ' ')} "
                        "visit has no day and no window",
                        fields[key],
                        f"{where}.{key}",
                    )
            return None, None, None
        day = self.study_day(fields, "day", where)
        if "days" in fields:
            if "day" in fields or "window" in fields:
                self.problem(
                    "a visit has either days: {from, to} or a day with its window",
                    fields["days"],
                    f"{where}.days",
                )
            span = self.mapping(fields["days"], f"{where}.days", "days ({from: n, to: m})")
            if span is None:
                return day, None, None
            self.known(span, ("from", "to"), f"{where}.days")
            first = self.study_day(span, "from", f"{where}.days", fields["days"])
            last = self.study_day(span, "to", f"{where}.days", fields["days"])
            if first is not None and last is not None and first > last:
                self.problem("days: from must not be after to", fields["days"], f"{where}.days")
            return day, first, last
        if day is None:
            if "day" not in fields:
                self.problem(
                    "a scheduled visit needs a target `day:` and its `window:`, "
                    "or `days: {from, to}`",
                    raw,
                    f"{where}.day",
                )
            return None, None, None
        window = fields.get("window")
        if window is None:
            self.problem("a visit with a day needs its `window:`", raw, f"{where}.window")
            return day, None, None
        span = self.mapping(window, f"{where}.window", "window ({before: n, after: m})")
        if span is None:
            return day, None, None
        self.known(span, ("before", "after"), f"{where}.window")
        before = self.number(span, "before", f"{where}.window", window, integer=True)
        after = self.number(span, "after", f"{where}.window", window, integer=True)
        for key, value in (("before", before), ("after", after)):
            if value is not None and value < 0:
                self.problem(f"{key} must not be negative", span[key], f"{where}.window.{key}")
                return day, None, None
        if before is None or after is None:
            return day, None, None
        return day, shift_day(day, -int(before)), shift_day(day, int(after))

    def study_day(
        self, fields: Fields, key: str, where: str, required: yaml.Node | None = None
    ) -> int | None:
        value = self.number(fields, key, where, required, integer=True)
        if value is None:
            return None
        if value == 0:
            self.problem(
                "there is no study day 0: the day before day 1 is day -1",
                fields[key],
                f"{where}.{key}",
            )
            return None
        return int(value)

    def order(self, visits: list[Visit]) -> None:
        """Scheduled visits come in the order of their days; a window that overlaps the
        next one is a warning (a visit on such a day could be either)."""
        at = self.nodes
        timed = [v for v in visits if v.scheduled and v.first_day is not None]
        for before, after in zip(timed, timed[1:], strict=False):
            assert before.first_day is not None and after.first_day is not None
            assert before.last_day is not None and after.last_day is not None
            if after.first_day < before.first_day or (
                before.day is not None and after.day is not None and after.day <= before.day
            ):
                self.problem(
                    f"visit {after.id} comes before visit {before.id} in time: "
                    "list scheduled visits in the order of their days",
                    at.get(after.id),
                    f"visits.{after.id}",
                )
            elif after.first_day <= before.last_day:
                self.warn(
                    f"the window of visit {after.id} overlaps the window of {before.id}",
                    at.get(after.id),
                    f"visits.{after.id}.window",
                )


def _named(node: yaml.Node) -> bool:
    """A procedure written as ``{name: ..., plain: ...}`` rather than as a text."""
    return isinstance(node, yaml.MappingNode) and any(str(k.value) == "name" for k, _ in node.value)
