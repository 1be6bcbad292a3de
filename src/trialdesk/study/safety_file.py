"""Read a study's ``safety.yaml``: the adverse events of special interest (AESIs) the study
declares, its stopping rules, and who a serious adverse event's alert reaches: the
investigator and the safety contact (docs/protocol.md style: a protocol assumption cites
its source). A file without an ``investigator:`` is warned of by ``study check``: its
alerts would reach the safety contact alone (trial/notify/alerts.py).

An AESI names CTCAE v5.0 terms, or whole system organ classes, that make an event one of
interest. Most are flagged by the term alone; one that the term cannot tell (an RA flare
*in the target knee*, coded to Arthritis) says ``confirm: true``, and staff tick it for an
event coded to one of its terms. A stopping rule is a conjunction of conditions on one
event (related to the product or the injection, of at least a grade, of an AESI, of a
term, serious) and a count of participants with such an event; the store evaluates it
(trial/safety/stopping.py). Every problem is reported with its file, line, column and
field, all at once.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from trialdesk.clinical.ctcae_terms import CtcaeTerm, CtcaeTerms, ctcae_terms
from trialdesk.errors import InputError, StudyError
from trialdesk.study.texts import Text
from trialdesk.study.yaml_nodes import Fields, NodeReader, compose_file, is_blank

__all__ = [
    "FILE",
    "EventFacts",
    "Safety",
    "SafetyContact",
    "SafetyRead",
    "SpecialInterest",
    "StoppingRule",
    "check_safety",
    "load_safety",
    "read_safety",
]

FILE = "safety.yaml"

_SNAKE = re.compile(r"[a-z][a-z0-9_]*")
# One address, no display name: enough to tell a typo from a placeholder (RFC 5321 shape).
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_TOP = (
    "assumption",
    "source",
    "single_administration",
    "contact",
    "investigator",
    "special_interest",
    "stopping_rules",
)
_CONTACT = ("role", "email", "assumption", "source")
_AESI = ("id", "name", "terms", "socs", "confirm")
_RULE = (
    "id",
    "name",
    "related",
    "grade_at_least",
    "special_interest",
    "terms",
    "serious",
    "participants_at_least",
)


@dataclass(frozen=True)
class SpecialInterest:
    """An adverse event of special interest: the CTCAE terms and SOCs that make it one."""

    id: str
    name: Text
    terms: frozenset[str] = frozenset()  # CTCAE term names, as the term list spells them
    socs: frozenset[str] = frozenset()
    confirm: bool = False  # the term alone does not tell: staff tick it

    def covers(self, term: CtcaeTerm) -> bool:
        return term.term in self.terms or term.soc in self.socs


@dataclass(frozen=True)
class EventFacts:
    """What a stopping rule reads of one adverse event."""

    grade: int
    term: str
    special_interest: Collection[str]
    serious: bool
    related: bool  # to the study product or to the injection procedure


@dataclass(frozen=True)
class StoppingRule:
    """Met when at least ``participants_at_least`` participants have an event meeting
    every condition given."""

    id: str
    name: Text
    related: bool = False
    grade_at_least: int | None = None
    special_interest: str | None = None
    terms: frozenset[str] = frozenset()
    serious: bool = False
    participants_at_least: int = 1

    def qualifies(self, event: EventFacts) -> bool:
        return (
            (not self.related or event.related)
            and (self.grade_at_least is None or event.grade >= self.grade_at_least)
            and (self.special_interest is None or self.special_interest in event.special_interest)
            and (not self.terms or event.term in self.terms)
            and (not self.serious or event.serious)
        )


@dataclass(frozen=True)
class SafetyContact:
    """Who receives the study's safety alerts: the safety contact (``contact:``), or the
    investigator (``investigator:``)."""

    role: Text
    email: str
    assumption: bool = False
    source: str | None = None


@dataclass(frozen=True)
class Safety:
    special_interest: tuple[SpecialInterest, ...] = ()
    stopping_rules: tuple[StoppingRule, ...] = ()
    contact: SafetyContact | None = None
    # the product is given once (day 1): nothing can be done with it for a later event
    single_administration: bool = False
    assumption: bool = False
    source: str | None = None
    # the site's investigator, who an SAE alert reaches with the contact
    investigator: SafetyContact | None = None

    def interest(self, aesi_id: str) -> SpecialInterest | None:
        return next((a for a in self.special_interest if a.id == aesi_id), None)


@dataclass
class SafetyRead:
    safety: Safety
    problems: list[StudyError] = field(default_factory=list)
    warnings: list[StudyError] = field(default_factory=list)


def read_safety(
    root: yaml.Node | None, file: str, lines: list[str], terms: CtcaeTerms | None = None
) -> SafetyRead:
    """The safety declarations of a composed ``safety.yaml`` (terms checked against
    ``terms``, by default the shipped CTCAE v5.0 list), with every problem in them."""
    reader = _Reader(file, lines, terms if terms is not None else ctcae_terms())
    safety = reader.read(root)
    return SafetyRead(safety, reader.problems, reader.warnings)


def check_safety(folder: Path) -> tuple[list[StudyError], list[StudyError]]:
    """Every problem and warning of the folder's ``safety.yaml`` (none when absent)."""
    path = folder / FILE
    if not path.is_file():
        return [], []
    root, lines, problem = compose_file(path)
    if problem is not None:
        return [problem], []
    read = read_safety(root, str(path), lines)
    return read.problems, read.warnings


def load_safety(folder: Path) -> Safety:
    """The folder's safety declarations (empty when it has no ``safety.yaml``).

    Raises:
        StudyError: at the first problem, listing every other with its line and column.
    """
    path = folder / FILE
    if not path.is_file():
        return Safety()
    root, lines, problem = compose_file(path)
    if problem is not None:
        raise problem
    read = read_safety(root, str(path), lines)
    if read.problems:
        first, *rest = read.problems
        if rest:
            listed = "; ".join(f"line {p.line}, column {p.column}: {p.message}" for p in rest)
            first.message += f" (and {len(rest)} more: {listed})"
        raise first
    return read.safety


class _Reader(NodeReader):
    def __init__(self, file: str, lines: list[str], terms: CtcaeTerms) -> None:
        super().__init__(file, lines)
        self.terms = terms
        self.socs = frozenset(t.soc for t in terms)

    def read(self, root: yaml.Node | None) -> Safety:
        top = self.mapping(root, "", "the safety file")
        if top is None:
            return Safety()
        self.known(top, _TOP, "")
        assumption, source = self.assumption(top, "", root, inherited=(False, None))
        single = self.flag(top, "single_administration", "")
        contact = self.contact(top.get("contact"), (assumption, source))
        investigator = self.contact(top.get("investigator"), (assumption, source), "investigator")
        if is_blank(top.get("investigator")):  # a bad one is a problem, reported above
            self.warn(
                "no `investigator:` (role, email): a serious adverse event's alert would "
                "not reach the investigator",
                root,
                "investigator",
            )
        interests = self.interests(top.get("special_interest"))
        rules = self.rules(top.get("stopping_rules"), {a.id for a in interests})
        return Safety(
            tuple(interests), tuple(rules), contact, single, assumption, source, investigator
        )

    def assumption(
        self, fields: Fields, field: str, at: yaml.Node | None, inherited: tuple[bool, str | None]
    ) -> tuple[bool, str | None]:
        """``assumption: true`` needs its ``source:``; a part says so, or takes the file's."""
        assumption = self.flag(fields, "assumption", field, default=inherited[0])
        source = self.text(fields, "source", field) or (inherited[1] if assumption else None)
        said = not field or "assumption" in fields  # an inherited one is reported once, above
        if assumption and source is None and said:
            where = f"{field}.source" if field else "source"
            self.problem("a protocol assumption must cite its source (`source:`)", at, where)
        return assumption, source

    def contact(
        self, node: yaml.Node | None, inherited: tuple[bool, str | None], key: str = "contact"
    ) -> SafetyContact | None:
        if is_blank(node):
            return None
        fields = self.mapping(node, key, key)
        if fields is None:
            return None
        self.known(fields, _CONTACT, key)
        role = self.translatable(fields, "role", key, node)
        email = self.text(fields, "email", key, node)
        if email is not None and not _EMAIL.fullmatch(email):
            self.problem(f"'{email}' is not an e-mail address", fields["email"], f"{key}.email")
            email = None
        assumption, source = self.assumption(fields, key, node, inherited)
        if role is None or email is None:
            return None
        return SafetyContact(role, email, assumption, source)

    def ids(
        self, fields: Fields, where: str, raw: yaml.Node, seen: set[str], what: str
    ) -> str | None:
        found = self.name(fields, "id", where, _SNAKE, "snake_case", raw)
        if found is not None:
            if found in seen:
                self.problem(f"{what} {found} is declared twice", fields["id"], f"{where}.id")
            seen.add(found)
        return found

    def term_names(self, fields: Fields, where: str) -> frozenset[str]:
        """``terms: [...]``: each a term of the list, kept as the list spells it."""
        out: set[str] = set()
        node = fields.get("terms")
        if is_blank(node):
            return frozenset()
        for i, item in enumerate(self.sequence(node, f"{where}.terms", "terms") or ()):
            text = str(item.value) if isinstance(item, yaml.ScalarNode) else ""
            try:
                out.add(self.terms.require(text).term)
            except InputError as unknown:  # names the closest terms
                self.problem(unknown.message, item, f"{where}.terms[{i}]")
        return frozenset(out)

    def interests(self, node: yaml.Node | None) -> list[SpecialInterest]:
        if is_blank(node):
            return []
        out: list[SpecialInterest] = []
        seen: set[str] = set()
        for i, raw in enumerate(self.sequence(node, "special_interest", "special_interest") or ()):
            where = f"special_interest[{i}]"
            fields = self.mapping(raw, where, "each adverse event of special interest")
            if fields is None:
                continue
            aesi = self.ids(fields, where, raw, seen, "adverse event of special interest")
            where = f"special_interest.{aesi}" if aesi else where
            self.known(fields, _AESI, where)
            name = self.translatable(fields, "name", where, raw)
            terms = self.term_names(fields, where)
            socs: set[str] = set()
            for text, item in self._texts(fields, "socs", where):
                if text not in self.socs:
                    self.problem(
                        f"'{text}' is not a system organ class of the {self.terms.source} list",
                        item,
                        f"{where}.socs",
                    )
                else:
                    socs.add(text)
            if not terms and not socs and "terms" not in fields and "socs" not in fields:
                self.problem("name the CTCAE `terms:` or `socs:` that make it one", raw, where)
            confirm = self.flag(fields, "confirm", where)
            if aesi is not None and name is not None:
                out.append(SpecialInterest(aesi, name, terms, frozenset(socs), confirm))
        return out

    def _texts(self, fields: Fields, key: str, where: str) -> list[tuple[str, yaml.Node]]:
        node = fields.get(key)
        if is_blank(node):
            return []
        out: list[tuple[str, yaml.Node]] = []
        for i, item in enumerate(self.sequence(node, f"{where}.{key}", key) or ()):
            if isinstance(item, yaml.ScalarNode) and str(item.value).strip():
                out.append((" ".join(str(item.value).split()), item))
            else:
                self.problem(f"each of {key} must be text", item, f"{where}.{key}[{i}]")
        return out

    def rules(self, node: yaml.Node | None, interests: set[str]) -> list[StoppingRule]:
        if is_blank(node):
            return []
        out: list[StoppingRule] = []
        seen: set[str] = set()
        for i, raw in enumerate(self.sequence(node, "stopping_rules", "stopping_rules") or ()):
            where = f"stopping_rules[{i}]"
            fields = self.mapping(raw, where, "each stopping rule")
            if fields is None:
                continue
            rid = self.ids(fields, where, raw, seen, "stopping rule")
            where = f"stopping_rules.{rid}" if rid else where
            self.known(fields, _RULE, where)
            name = self.translatable(fields, "name", where, raw)
            grade = self.whole(fields, "grade_at_least", where, 1, 5)
            count = self.whole(fields, "participants_at_least", where, 1, None)
            aesi = self.text(fields, "special_interest", where)
            if aesi is not None and aesi not in interests:
                known = ", ".join(sorted(interests)) or "none declared"
                self.problem(
                    f"special_interest '{aesi}' is not declared ({known})",
                    fields["special_interest"],
                    f"{where}.special_interest",
                )
            terms = self.term_names(fields, where)
            related = self.flag(fields, "related", where)
            serious = self.flag(fields, "serious", where)
            if not (related or serious or grade or aesi or terms):
                self.problem(
                    "a stopping rule needs a condition (related, grade_at_least, "
                    "special_interest, terms or serious): as written every event meets it",
                    raw,
                    where,
                )
            if rid is None or name is None:
                continue
            out.append(StoppingRule(rid, name, related, grade, aesi, terms, serious, count or 1))
        return out

    def whole(self, fields: Fields, key: str, where: str, low: int, high: int | None) -> int | None:
        value = self.number(fields, key, where, integer=True)
        if value is None:
            return None
        if value < low or (high is not None and value > high):
            span = f"{low} to {high}" if high is not None else f"at least {low}"
            self.problem(f"{key} must be {span}", fields[key], f"{where}.{key}")
            return None
        return int(value)
