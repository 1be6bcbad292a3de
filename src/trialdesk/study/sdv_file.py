"""Read a study's ``sdv.yaml``: the source data verification plan (docs/protocol.md style:
a protocol assumption cites its source).

Risk-based monitoring (ICH E6(R3) 3.11.4; TransCelerate, Position Paper: Risk-Based
Monitoring Methodology, 2013) verifies the data critical to participants' safety and the
trial's results in full, and the rest by a sample. The plan names the critical data:

- ``consent``: each informed consent record;
- ``eligibility``: the entered screening facts and the investigator's signed judgments;
- ``adverse_events``: each adverse event (serious ones included) as a whole record;
- ``forms``: whole case report forms, at every visit (the injection);
- ``endpoints``: endpoints of ``endpoints.yaml`` whose inputs are critical: the items each
  reads, at its visit and at the baseline visit (a change from baseline reads both); a
  derived score is replaced by the items it is computed from (the source holds those,
  not the score). Every primary endpoint must be named;
- ``items``: more items (``form.item``), at every visit;

and every other entered item is sampled at ``sample.rate_percent``, drawn per participant
and item by a hash of the study, subject, visit, form, row, item and ``sample.seed``: the
same draw on every read and every machine, independent of the order rows were entered.
Every problem is reported with its file, line, column and field, all at once.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from trialdesk.errors import StudyError
from trialdesk.study.endpoints import Endpoint, EndpointKind
from trialdesk.study.forms import Form, ItemRef
from trialdesk.study.protocol import Protocol
from trialdesk.study.schedule import Schedule
from trialdesk.study.yaml_nodes import Fields, NodeReader, compose_file

__all__ = [
    "FILE",
    "SdvPlan",
    "SdvRead",
    "check_sdv",
    "load_sdv",
    "read_sdv",
    "sample_draw",
]

FILE = "sdv.yaml"

_TOP = ("assumption", "source", "critical", "sample")
_CRITICAL = ("consent", "eligibility", "adverse_events", "forms", "endpoints", "items")
_SAMPLE = ("rate_percent", "seed")
_ID = re.compile(r"[a-z][a-z0-9_]*")
_ITEM = re.compile(r"[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*")
EVERY_VISIT: frozenset[str] = frozenset()  # an item critical wherever it is entered


@dataclass(frozen=True)
class SdvPlan:
    """What must be verified: the critical data in full, the rest by ``rate_percent``."""

    seed: str
    rate_percent: float
    consent: bool = False
    eligibility: bool = False
    adverse_events: bool = False
    forms: frozenset[str] = frozenset()
    endpoints: tuple[str, ...] = ()
    # (form, item) -> the visit ids where it is critical (EVERY_VISIT: all)
    critical_items: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    assumption: bool = False
    source: str | None = None

    def critical_item(self, visit_id: str, form_id: str, item_id: str) -> bool:
        if form_id in self.forms:
            return True
        visits = self.critical_items.get((form_id, item_id))
        return visits is not None and (visits == EVERY_VISIT or visit_id in visits)

    def sampled(
        self, study_id: str, subject: str, visit_key: str, form_id: str, row: int, item_id: str
    ) -> bool:
        """Whether a non-critical item falls in the sample (deterministic)."""
        draw = sample_draw(self.seed, study_id, subject, visit_key, form_id, row, item_id)
        return draw * 100 < self.rate_percent

    def sampled_items(
        self,
        study_id: str,
        subject: str,
        visit_key: str,
        form_id: str,
        row: int,
        item_ids: Iterable[str],
    ) -> set[str]:
        """Which of one form's non-critical items fall in the sample: ``sampled`` for each,
        with the part of the hashed key they share hashed once."""
        shared = _draw_hash(self.seed, study_id, subject, visit_key, form_id, row)
        out: set[str] = set()
        for item_id in item_ids:
            one = shared.copy()
            one.update(item_id.encode("utf-8"))
            if _fraction(one.digest()) * 100 < self.rate_percent:
                out.add(item_id)
        return out


def sample_draw(
    seed: str, study_id: str, subject: str, visit_key: str, form_id: str, row: int, item_id: str
) -> float:
    """A number in [0, 1) from SHA-256 of the item's identity and the plan's seed: uniform
    over items, the same for the same item on every read. The key hashed is the seed,
    study, subject, visit key, form, row and item joined by U+001F, in UTF-8."""
    one = _draw_hash(seed, study_id, subject, visit_key, form_id, row)
    one.update(item_id.encode("utf-8"))
    return _fraction(one.digest())


def _draw_hash(
    seed: str, study_id: str, subject: str, visit_key: str, form_id: str, row: int
) -> hashlib._Hash:
    shared = "\x1f".join((seed, study_id, subject, visit_key, form_id, str(row), ""))
    return hashlib.sha256(shared.encode("utf-8"))


def _fraction(digest: bytes) -> float:
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass
class SdvRead:
    plan: SdvPlan | None
    problems: list[StudyError] = field(default_factory=list)
    warnings: list[StudyError] = field(default_factory=list)


def read_sdv(
    root: yaml.Node | None,
    file: str,
    lines: list[str],
    forms: Mapping[str, Form],
    endpoints: tuple[Endpoint, ...],
    schedule: Schedule | None,
) -> SdvRead:
    """The plan of a composed ``sdv.yaml``, checked against the study's forms, endpoints
    and schedule, with every problem in it."""
    reader = _Reader(file, lines, forms, endpoints, schedule)
    plan = reader.read(root)
    problems = sorted(reader.problems, key=lambda p: (p.line or 0, p.column or 0))
    return SdvRead(plan if not problems else None, problems, reader.warnings)


def _read_file(folder: Path, protocol: Protocol) -> SdvRead:
    path = folder / FILE
    if not path.is_file():
        return SdvRead(None)
    root, lines, problem = compose_file(path)
    if problem is not None:
        return SdvRead(None, [problem])
    return read_sdv(root, str(path), lines, protocol.forms, protocol.endpoints, protocol.schedule)


def check_sdv(folder: Path, protocol: Protocol) -> tuple[list[StudyError], list[StudyError]]:
    """Every problem and warning of the folder's ``sdv.yaml`` (none when absent)."""
    read = _read_file(folder, protocol)
    return read.problems, read.warnings


def load_sdv(folder: Path, protocol: Protocol) -> SdvPlan | None:
    """The folder's plan (None when it has no ``sdv.yaml``: nothing is required).

    Raises:
        StudyError: at the first problem, listing every other with its line and column.
    """
    read = _read_file(folder, protocol)
    if read.problems:
        first, *rest = read.problems
        if rest:
            listed = "; ".join(f"line {p.line}, column {p.column}: {p.message}" for p in rest)
            first.message += f" (and {len(rest)} more: {listed})"
        raise first
    return read.plan


class _Reader(NodeReader):
    def __init__(
        self,
        file: str,
        lines: list[str],
        forms: Mapping[str, Form],
        endpoints: tuple[Endpoint, ...],
        schedule: Schedule | None,
    ) -> None:
        super().__init__(file, lines)
        self.forms = forms
        self.endpoints = {e.id: e for e in endpoints}
        self.schedule = schedule

    def read(self, root: yaml.Node | None) -> SdvPlan | None:
        top = self.mapping(root, "", "the SDV plan")
        if top is None:
            return None
        self.known(top, _TOP, "")
        assumption = self.flag(top, "assumption", "")
        source = self.text(top, "source", "")
        if assumption and source is None:
            self.problem("a protocol assumption must cite its source (`source:`)", root, "source")
        seed, rate = self.sample(self.needs(top, "sample", "", root))
        critical = self.needs(top, "critical", "", root)
        fields = self.mapping(critical, "critical", "critical") if critical is not None else None
        if fields is None:
            return None
        self.known(fields, _CRITICAL, "critical")
        forms = self.form_names(fields)
        endpoints, items = self.endpoint_items(fields, critical)
        flags = {k: self.flag(fields, k, "critical") for k in _CRITICAL[:3]}
        teae = [e for e in endpoints if self.endpoints[e].kind is EndpointKind.TEAE_COUNT]
        if teae and not flags["adverse_events"]:
            self.problem(
                f"endpoint {teae[0]} counts adverse events: set `adverse_events: true`",
                fields.get("adverse_events", critical),
                "critical.adverse_events",
            )
        for form_item in self.extra_items(fields):
            items[form_item] = EVERY_VISIT
        if seed is None or rate is None:
            return None
        return SdvPlan(
            seed, rate, flags["consent"], flags["eligibility"], flags["adverse_events"],
            frozenset(forms), tuple(endpoints), items, assumption, source,
        )  # fmt: skip

    def sample(self, node: yaml.Node | None) -> tuple[str | None, float | None]:
        if node is None:
            return None, None
        fields = self.mapping(node, "sample", "sample")
        if fields is None:
            return None, None
        self.known(fields, _SAMPLE, "sample")
        seed = self.text(fields, "seed", "sample", node)
        rate = self.number(fields, "rate_percent", "sample", node)
        if rate is not None and not 0 <= rate <= 100:
            self.problem(
                "rate_percent must be 0 to 100", fields["rate_percent"], "sample.rate_percent"
            )
            rate = None
        return seed, rate

    def form_names(self, fields: Fields) -> list[str]:
        out: list[str] = []
        for i, (name, node) in enumerate(self.names(fields, "forms", "critical", _ID, "a form id")):
            if name not in self.forms:
                known = ", ".join(sorted(self.forms)) or "none"
                self.problem(f"no form '{name}' ({known})", node, f"critical.forms[{i}]")
            else:
                out.append(name)
        return out

    def endpoint_items(
        self, fields: Fields, at: yaml.Node | None
    ) -> tuple[list[str], dict[tuple[str, str], frozenset[str]]]:
        named: list[str] = []
        items: dict[tuple[str, str], frozenset[str]] = {}
        for i, (name, node) in enumerate(
            self.names(fields, "endpoints", "critical", _ID, "an endpoint id")
        ):
            endpoint = self.endpoints.get(name)
            if endpoint is None:
                known = ", ".join(self.endpoints) or "none"
                self.problem(f"no endpoint '{name}' ({known})", node, f"critical.endpoints[{i}]")
                continue
            named.append(name)
            for (form_id, item_id), visits in self.inputs(endpoint).items():
                before = items.get((form_id, item_id))
                if before != EVERY_VISIT:
                    items[form_id, item_id] = (before or frozenset()) | visits
        for endpoint in self.endpoints.values():
            if endpoint.primary and endpoint.id not in named:
                self.problem(
                    f"the primary endpoint {endpoint.id} must be named: its data are critical "
                    "(ICH E6(R3))",
                    fields.get("endpoints", at),
                    "critical.endpoints",
                )
        return named, items

    def inputs(self, endpoint: Endpoint) -> dict[tuple[str, str], frozenset[str]]:
        """The entered items an endpoint rests on, with the visits: its own, and the
        baseline visit for a comparison with baseline."""
        visits = {endpoint.visit} if endpoint.visit else set()
        baseline = self.schedule.baseline_visit if self.schedule is not None else None
        if endpoint.kind is not EndpointKind.TEAE_COUNT and baseline is not None:
            visits.add(baseline)
        out: dict[tuple[str, str], frozenset[str]] = {}
        for ref in endpoint.reads:
            if ref.form is not None:
                self.sources(ref.form, ref.item, frozenset(visits), out, set())
        return out

    def sources(
        self,
        form_id: str,
        item_id: str,
        visits: frozenset[str],
        out: dict[tuple[str, str], frozenset[str]],
        seen: set[tuple[str, str]],
    ) -> None:
        """``form.item`` if it is entered, else (a derived score) the items it is
        computed from, followed down to entered ones."""
        if (form_id, item_id) in seen or form_id not in self.forms:
            return
        seen.add((form_id, item_id))
        try:
            item = self.forms[form_id].item(item_id)
        except KeyError:
            return  # endpoints.yaml's own check names it
        if item.derived is None:
            out[form_id, item_id] = out.get((form_id, item_id), frozenset()) | visits
            return
        for _, ref in item.derived.inputs:
            self.sources(*self._at(ref, form_id, visits), out, seen)

    def _at(
        self, ref: ItemRef, form_id: str, visits: frozenset[str]
    ) -> tuple[str, str, frozenset[str]]:
        baseline = self.schedule.baseline_visit if self.schedule is not None else None
        where = frozenset({baseline}) if ref.baseline and baseline else visits
        return ref.form or form_id, ref.item, where

    def extra_items(self, fields: Fields) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for i, (name, node) in enumerate(
            self.names(fields, "items", "critical", _ITEM, "form.item")
        ):
            form_id, item_id = name.split(".")
            form = self.forms.get(form_id)
            if form is None:
                self.problem(f"no form '{form_id}'", node, f"critical.items[{i}]")
            elif item_id not in {it.id for it in form.items}:
                self.problem(
                    f"form {form_id} has no item '{item_id}'", node, f"critical.items[{i}]"
                )
            elif form.item(item_id).derived is not None:
                self.problem(
                    f"{name} is derived: name the items it is computed from",
                    node,
                    f"critical.items[{i}]",
                )
            else:
                out.append((form_id, item_id))
        return out
