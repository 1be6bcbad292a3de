"""Split a registry ``eligibilityCriteria`` text into numbered criteria.

The registry text is loosely formatted markdown: section headings in many spellings
(``Inclusion Criteria:``, ``**Key exclusion criteria**``, ``INCLUSION CRITERIA``), items
numbered (``1.`` ``1)`` ``(1)`` ``a.``) or bulleted (``*`` ``-`` ``•``), nested sub-items,
wrapped lines, intro sentences ("Subjects must meet all of the following ..."), remarks,
and sub-headings within a section ("For patients in Cohort A:").

Each top-level item becomes one :class:`SplitCriterion`: ``I1``, ``I2``... for inclusion and
``E1``... for exclusion, in registry order. Its text is the item's own text without its
marker; wrapped lines are joined with a space; sub-items and indented continuation
paragraphs follow on new lines with their own markers. Markdown backslash escapes
(``\\<``, ``\\[``), which the API adds and the public page does not show, are removed.
Text with no section heading is inclusion. Everything that is not a criterion (section
headings, intro sentences, remarks, unused sub-headings) is kept in
:attr:`EligibilitySplit.notes`, so no word of the registry text is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "EligibilitySplit",
    "Kind",
    "SplitCriterion",
    "split_criteria",
    "split_eligibility",
    "unescape_markdown",
]

Kind = Literal["inclusion", "exclusion"]


@dataclass(frozen=True, slots=True)
class SplitCriterion:
    id: str
    kind: Kind
    text: str
    heading: str | None = None


@dataclass(frozen=True, slots=True)
class EligibilitySplit:
    criteria: tuple[SplitCriterion, ...]
    notes: tuple[str, ...]
    """Registry text that is not a criterion, in order: headings, intros, remarks."""


def split_criteria(text: str) -> list[SplitCriterion]:
    """The criteria of a registry eligibility text, in registry order."""
    return list(split_eligibility(text).criteria)


# lines ---------------------------------------------------------------------------------

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")

_HEADING = re.compile(
    r"(?:(?:key|main|major|general|additional|principal|specific|study|patient|subject"
    r"|participant)\s+)*"
    r"(?P<word>inclusion|exclusion|eligibility|selection)"
    r"(?P<both>\s+(?:and|&|/)\s+exclusion)?"
    r"(?:\s+criteri(?:a|on|as))?"
    r"(?P<scope>\s+(?:for|in)\s+[^:]{1,80})?"
    r"\s*[*_]*\s*(?P<colon>:\s*(?P<rest>.*))?",
    re.IGNORECASE,
)
_NOTHING = re.compile(r"(?:none|n/?a|not applicable)\.?", re.IGNORECASE)

_BULLETS = "-*•·▪◦‣●○■□➢►–—+"
_ITEM = re.compile(
    r"(?P<marker>[" + re.escape(_BULLETS) + r"]"
    r"|\(?\d{1,3}[.)]|\d{1,3}、|\(?[a-zA-Z][.)]|\(?[ivxlIVXL]{2,6}[.)]|\([a-zA-Z]\))"
    r"(?:[ \t]+(?P<text>\S.*)|[ \t]*$)"
)
_GLUED = re.compile(r"(?P<marker>\d{1,3}[.)、]|•)(?P<text>[^\W\d_].*)")

_INTRO = re.compile(
    r"\bfollowing\b|\bmust (?:meet|fulfil|fulfill|satisfy|have all)\b"
    r"|\b(?:are|is|be) (?:not )?eligible\b|\bwill (?:not )?be (?:excluded|included|enrolled)\b"
    r"|\bexcluded from\b",
    re.IGNORECASE,
)
_ENDS_WRAPPED = re.compile(r"(?:[,(/\-]|\b(?:and|or|with|of|the|to|in|for|a|an|by|at))$", re.I)


def unescape_markdown(text: str) -> str:
    """Remove the markdown backslash escapes the registry API adds (``\\<`` -> ``<``)."""
    return _ESCAPE.sub(r"\1", text)


_unescape = unescape_markdown


@dataclass(frozen=True, slots=True)
class _Line:
    kind: Literal["blank", "heading", "item", "text"]
    indent: int = 0
    text: str = ""
    marker: str = ""
    section: Kind | None = None  # heading: the kind it opens (None: generic)
    scope: str | None = None  # heading: "Inclusion Criteria for Cohort A:" as a sub-heading


def _style(marker: str) -> str:
    core = marker.strip("()")
    if marker[0] in _BULLETS:
        return "bullet"
    if core[0].isdigit():
        return "number" + marker[-1]
    return "letter" + marker[-1]


def _heading(line: str) -> tuple[_Line, str] | None:
    """A section heading and the text after its colon, or None."""
    bare = _unescape(line).strip().lstrip("#").strip(" \t*_")
    match = _HEADING.fullmatch(bare)
    if match is None:
        return None
    rest = (match["rest"] or "").strip().strip("*_").strip()
    if _NOTHING.fullmatch(rest):  # "Exclusion criteria: none"
        rest = ""
    if match["colon"] is None and match["scope"] is not None:
        return None
    if len(bare) - len(match["rest"] or "") > 120:  # a sentence, not a heading
        return None
    word = match["word"].lower()
    section: Kind | None = None
    if not match["both"] and word in ("inclusion", "exclusion"):
        section = "inclusion" if word == "inclusion" else "exclusion"
    head = bare[: len(bare) - len(match["rest"] or "")].strip() if rest else line.strip()
    scope = head if match["scope"] else None
    return _Line("heading", text=head, section=section, scope=scope), rest


def _tokenize(text: str) -> list[_Line]:
    lines: list[_Line] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.expandtabs(4).rstrip()
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if not stripped:
            lines.append(_Line("blank"))
            continue
        found = _heading(stripped)
        if found is not None:
            head, rest = found
            lines.append(head)
            if rest:
                lines.append(_Line("text", indent, _unescape(rest)))
            continue
        match = _ITEM.fullmatch(stripped) or _GLUED.fullmatch(stripped)
        if match is not None:
            body = match["text"] or ""
            found = _heading(body) if body else None
            if found is not None:  # "1. Inclusion criteria:"
                head, rest = found
                lines.append(head)
                if rest:
                    lines.append(_Line("text", indent, _unescape(rest)))
                continue
            lines.append(_Line("item", indent, _unescape(body), match["marker"]))
            continue
        lines.append(_Line("text", indent, _unescape(stripped)))
    return lines


# sections ------------------------------------------------------------------------------


@dataclass
class _Item:
    indent: int
    style: str
    first: str
    heading: str | None
    extra: list[tuple[int, str]] = field(default_factory=list)

    def wrap(self, text: str) -> None:
        if self.extra:
            indent, last = self.extra[-1]
            self.extra[-1] = (indent, f"{last} {text}")
        else:
            self.first = f"{self.first} {text}"

    def render(self) -> str:
        if not self.extra:
            return self.first
        base = min(indent for indent, _ in self.extra)
        rest = "".join(f"\n{' ' * (indent - base)}{text}" for indent, text in self.extra)
        return self.first + rest


@dataclass
class _Section:
    kind: Kind
    scope: str | None
    lines: list[_Line] = field(default_factory=list)


class _Collector:
    def __init__(self) -> None:
        self.found: list[tuple[Kind, str, str | None]] = []
        self.notes: list[str] = []
        self.heading: str | None = None
        self.heading_used = True

    def criterion(self, kind: Kind, text: str) -> None:
        self.found.append((kind, text, self.heading))
        self.heading_used = True

    def set_heading(self, text: str | None) -> None:
        if self.heading is not None and not self.heading_used:
            self.notes.append(self.heading)
        self.heading = text
        self.heading_used = text is None

    def paragraph(self, text: str, seen_criterion: bool) -> None:
        """A free paragraph (no marker): a sub-heading, or a note."""
        if text.endswith(":") and (seen_criterion or not _INTRO.search(text)):
            self.set_heading(text)
        else:
            self.notes.append(text)


def _is_sub(line: _Line, item: _Item, top_style: str) -> bool:
    if line.indent >= item.indent + 2:
        return True
    if line.indent < item.indent - 1:
        return False
    style = _style(line.marker)
    if style == top_style:
        return False
    return bool(item.extra) or item.first.endswith(":")


def _itemised(section: _Section, out: _Collector) -> None:
    current: _Item | None = None
    para: list[str] | None = None
    top_style: str | None = None
    prev_blank = True
    seen = False

    def flush() -> None:
        nonlocal para
        if para is not None:
            out.paragraph(" ".join(para), seen)
            para = None

    def finish() -> None:
        nonlocal current
        if current is not None:
            out.criterion(section.kind, current.render())
            current = None

    for line in section.lines:
        if line.kind == "blank":
            flush()
            prev_blank = True
            continue
        if line.kind == "item":
            flush()
            if not line.text:  # an empty bullet carries no words
                prev_blank = False
                continue
            if current is not None and top_style and _is_sub(line, current, top_style):
                current.extra.append((line.indent, f"{line.marker} {line.text}"))
            else:
                finish()
                current = _Item(line.indent, _style(line.marker), line.text, out.heading)
                top_style = top_style or current.style
                seen = True
        elif para is not None and not prev_blank:
            para.append(line.text)
        elif current is not None and not prev_blank:
            current.wrap(line.text)
        elif current is not None and line.indent >= current.indent + 2:
            current.extra.append((line.indent, line.text))
        else:
            finish()
            para = [line.text]
        prev_blank = False
    flush()
    finish()


def _plain(section: _Section, out: _Collector) -> None:
    """A section without markers: one criterion per logical line."""
    logical: list[str] = []
    prev_blank = True
    for line in section.lines:
        if line.kind == "blank":
            prev_blank = True
            continue
        if not line.text:  # an empty bullet
            continue
        starts_lower = line.text[:1].islower()
        if logical and not prev_blank and (starts_lower or _ENDS_WRAPPED.search(logical[-1])):
            logical[-1] = f"{logical[-1]} {line.text}"
        else:
            logical.append(line.text)
        prev_blank = False
    seen = False
    for text in logical:
        if text.endswith(":") or (not seen and _INTRO.search(text)):
            out.paragraph(text, seen)
        else:
            out.criterion(section.kind, text)
            seen = True


def split_eligibility(text: str) -> EligibilitySplit:
    """The criteria of a registry eligibility text and the text that is not a criterion."""
    sections = [_Section("inclusion", None)]
    for line in _tokenize(text):
        if line.kind == "heading":
            kind = line.section or sections[-1].kind
            sections.append(_Section(kind, line.scope, [line]))
        else:
            sections[-1].lines.append(line)

    out = _Collector()
    for section in sections:
        out.set_heading(None)
        body = section.lines
        if body and body[0].kind == "heading":
            out.notes.append(body[0].text)
            body = body[1:]
        out.set_heading(section.scope)
        out.heading_used = True  # the section heading is already a note
        content = _Section(section.kind, section.scope, body)
        if any(line.kind == "item" and line.text for line in body):
            _itemised(content, out)
        else:
            _plain(content, out)
    out.set_heading(None)

    counters = {"inclusion": 0, "exclusion": 0}
    criteria = []
    for kind, item_text, heading in out.found:
        counters[kind] += 1
        prefix = "I" if kind == "inclusion" else "E"
        criteria.append(SplitCriterion(f"{prefix}{counters[kind]}", kind, item_text, heading))
    return EligibilitySplit(tuple(criteria), tuple(out.notes))
