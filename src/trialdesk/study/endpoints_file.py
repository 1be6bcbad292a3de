"""Read a study's ``endpoints.yaml``: the primary and secondary endpoints, each with what
it measures, its time frame, the visit it is assessed at and the items it reads
(docs/protocol.md, "Endpoints"). Whether those visits and items exist is checked by
study/protocol.py, which has read the schedule and the forms: :class:`EndpointsRead`
keeps each with its node."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from trialdesk.errors import StudyError
from trialdesk.study.endpoints import Endpoint, EndpointKind
from trialdesk.study.forms import ItemRef
from trialdesk.study.forms_file import parse_ref
from trialdesk.study.yaml_nodes import NodeReader, is_blank

__all__ = ["FILE", "EndpointsRead", "read_endpoints"]

FILE = "endpoints.yaml"

_SNAKE = re.compile(r"[a-z][a-z0-9_]*")
_TOP = ("assumption", "source", "endpoints")
_ENDPOINT = (
    "id",
    "primary",
    "kind",
    "measure",
    "time_frame",
    "visit",
    "reads",
    "assumption",
    "source",
)


@dataclass
class EndpointsRead:
    endpoints: tuple[Endpoint, ...] = ()
    visits: list[tuple[str, yaml.Node, str]] = field(default_factory=list)  # id, node, field
    reads: list[tuple[ItemRef, yaml.Node, str]] = field(default_factory=list)
    nodes: dict[str, yaml.Node] = field(default_factory=dict)  # endpoint id -> its kind
    problems: list[StudyError] = field(default_factory=list)
    warnings: list[StudyError] = field(default_factory=list)


def read_endpoints(root: yaml.Node | None, file: str, lines: list[str]) -> EndpointsRead:
    """The endpoints of a composed ``endpoints.yaml``. A file-wide ``assumption: true``
    with its ``source:`` applies to every endpoint that does not say otherwise."""
    reader = NodeReader(file, lines)
    out = EndpointsRead()
    top = reader.mapping(root, "", "the endpoints file")
    if top is not None:
        reader.known(top, _TOP, "")
        assumption = reader.flag(top, "assumption", "")
        source = reader.text(top, "source", "")
        if assumption and source is None:
            reader.problem("a protocol assumption must cite its source (`source:`)", root, "source")
        node = top.get("endpoints")
        if is_blank(node):
            reader.problem("the file needs `endpoints:`", root, "endpoints")
        found: list[Endpoint] = []
        seen: set[str] = set()
        for i, raw in enumerate(reader.sequence(node, "endpoints", "endpoints") or ()):
            endpoint = _endpoint(reader, out, raw, f"endpoints[{i}]", seen, assumption, source)
            if endpoint is not None:
                found.append(endpoint)
        out.endpoints = tuple(found)
    out.problems, out.warnings = reader.problems, reader.warnings
    return out


def _endpoint(
    reader: NodeReader,
    out: EndpointsRead,
    raw: yaml.Node,
    where: str,
    seen: set[str],
    assumption: bool,
    source: str | None,
) -> Endpoint | None:
    fields = reader.mapping(raw, where, "each endpoint")
    if fields is None:
        return None
    eid = reader.name(fields, "id", where, _SNAKE, "snake_case", raw)
    if eid is not None:
        if eid in seen:
            reader.problem(f"endpoint {eid} is declared twice", fields["id"], f"{where}.id")
        seen.add(eid)
        where = f"endpoints.{eid}"
    reader.known(fields, _ENDPOINT, where)
    primary = reader.flag(fields, "primary", where)
    kind_text = reader.text(fields, "kind", where, raw)
    if eid is not None and "kind" in fields:
        out.nodes[eid] = fields["kind"]
    kind = None
    if kind_text is not None:
        try:
            kind = EndpointKind(kind_text)
        except ValueError:
            kinds = ", ".join(k.value for k in EndpointKind)
            reader.problem(f"kind must be one of {kinds}", fields["kind"], f"{where}.kind")
    measure = reader.translatable(fields, "measure", where, raw)
    time_frame = reader.translatable(fields, "time_frame", where, raw)
    visit = reader.text(fields, "visit", where)
    if visit is not None:
        out.visits.append((visit, fields["visit"], f"{where}.visit"))
    reads: list[ItemRef] = []
    node = fields.get("reads")
    if not is_blank(node):
        for j, item in enumerate(reader.sequence(node, f"{where}.reads", "reads") or ()):
            at = f"{where}.reads[{j}]"
            ref = parse_ref(str(item.value)) if isinstance(item, yaml.ScalarNode) else None
            if ref is None or ref.form is None or ref.baseline:
                reader.problem("an endpoint reads an item as form.item", item, at)
                continue
            reads.append(ref)
            out.reads.append((ref, item, at))
    if kind in (EndpointKind.CHANGE_FROM_BASELINE, EndpointKind.CATEGORY_AT_VISIT):
        if not reads:
            reader.problem(
                f"a {kind.value} endpoint names the items it `reads:`", raw, f"{where}.reads"
            )
        if visit is None:
            reader.problem(f"a {kind.value} endpoint names its `visit:`", raw, f"{where}.visit")
    own = reader.flag(fields, "assumption", where, default=assumption)
    own_source = reader.text(fields, "source", where) or (source if own else None)
    if own and own_source is None:
        reader.problem(
            "a protocol assumption must cite its source (`source:`)", raw, f"{where}.source"
        )
    if eid is None or kind is None or measure is None or time_frame is None:
        return None
    return Endpoint(
        id=eid,
        primary=primary,
        measure=measure,
        time_frame=time_frame,
        kind=kind,
        visit=visit,
        reads=tuple(reads),
        assumption=own,
        source=own_source,
    )
