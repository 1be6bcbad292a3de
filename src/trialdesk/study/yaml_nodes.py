"""Reading a study file's YAML as nodes, so every problem names its file, line, column and
field, all of them at once (the style of study/participant.py and criteria/load.py).

:class:`NodeReader` collects problems (the file is unusable as written) and warnings (it
works, but something is missing: a text without its Chinese). Files are composed with
libyaml when it is there: the web app loads every study at start.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import yaml

from trialdesk.criteria.parser import Position
from trialdesk.errors import StudyError
from trialdesk.study.texts import LOCALES, Text

__all__ = ["Fields", "NodeReader", "compose_file", "is_blank"]

Fields = dict[str, yaml.Node]

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"


def compose_file(path: Path) -> tuple[yaml.Node | None, list[str], StudyError | None]:
    """The file's root node and lines, or the problem that kept it from being read."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, [], StudyError(f"cannot read the file: {exc.strerror}", file=file)
    try:
        return yaml.compose(text, Loader=_LOADER), text.splitlines(), None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = StudyError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            file=file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        )
        return None, [], problem


def is_blank(node: yaml.Node | None) -> bool:
    """An absent value: no node, ``~``/``null`` or nothing after the colon."""
    return node is None or (
        isinstance(node, yaml.ScalarNode) and (node.tag == _NULL or node.value == "")
    )


class NodeReader:
    """Typed access to a composed file's nodes; each problem is kept, never raised."""

    def __init__(self, file: str, lines: list[str] | None = None) -> None:
        self.file = file
        self.lines = lines or []
        self.problems: list[StudyError] = []
        self.warnings: list[StudyError] = []

    # -- reporting ------------------------------------------------------------------------
    def _error(self, message: str, node: yaml.Node | None, field: str) -> StudyError:
        mark = node.start_mark if node is not None else None
        return StudyError(
            message,
            file=self.file,
            field=field or None,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        )

    def problem(self, message: str, node: yaml.Node | None, field: str) -> None:
        self.problems.append(self._error(message, node, field))

    def warn(self, message: str, node: yaml.Node | None, field: str) -> None:
        self.warnings.append(self._error(message, node, field))

    # -- structure ------------------------------------------------------------------------
    def mapping(self, node: yaml.Node | None, field: str, what: str) -> Fields | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(f"{what} must be a mapping", node, field)
            return None
        return {str(k.value): v for k, v in node.value}

    def sequence(self, node: yaml.Node | None, field: str, what: str) -> list[yaml.Node] | None:
        if not isinstance(node, yaml.SequenceNode):
            self.problem(f"{what} must be a list", node, field)
            return None
        return list(node.value)

    def known(self, fields: Fields, allowed: Iterable[str], field: str) -> None:
        """A problem for each key not in ``allowed``."""
        names = tuple(allowed)
        for key, node in fields.items():
            if key not in names:
                where = f"{field}.{key}" if field else key
                self.problem(f"unknown field '{key}' ({', '.join(names)})", node, where)

    def needs(self, fields: Fields, key: str, field: str, at: yaml.Node | None) -> yaml.Node | None:
        """``fields[key]``, or a problem reported at ``at`` when it is missing."""
        node = fields.get(key)
        if is_blank(node):
            self.problem(f"{field or 'the file'} needs `{key}:`", at, _join(field, key))
            return None
        return node

    # -- scalars --------------------------------------------------------------------------
    def text(
        self, fields: Fields, key: str, field: str, required: yaml.Node | None = None
    ) -> str | None:
        """``fields[key]`` as one line of text; ``required``: where to report it missing."""
        node = self.needs(fields, key, field, required) if required else fields.get(key)
        if is_blank(node):
            return None
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.problem(f"{key} must be non-empty text", node, _join(field, key))
            return None
        return " ".join(str(node.value).split())

    def name(
        self,
        fields: Fields,
        key: str,
        field: str,
        pattern: re.Pattern[str],
        what: str,
        required: yaml.Node | None = None,
    ) -> str | None:
        """An identifier matching ``pattern`` (``what`` says how it must look)."""
        value = self.text(fields, key, field, required)
        if value is not None and not pattern.fullmatch(value):
            self.problem(f"'{value}' must be {what}", fields[key], _join(field, key))
            return None
        return value

    def names(
        self, fields: Fields, key: str, field: str, pattern: re.Pattern[str], what: str
    ) -> list[tuple[str, yaml.Node]]:
        """A list of identifiers (``[a, b]``), each with its node; absent is empty."""
        node = fields.get(key)
        if is_blank(node):
            return []
        items = self.sequence(node, _join(field, key), key)
        out: list[tuple[str, yaml.Node]] = []
        for i, item in enumerate(items or ()):
            where = f"{_join(field, key)}[{i}]"
            if not isinstance(item, yaml.ScalarNode) or not pattern.fullmatch(str(item.value)):
                self.problem(f"each of {key} must be {what}", item, where)
            else:
                out.append((str(item.value), item))
        return out

    def number(
        self,
        fields: Fields,
        key: str,
        field: str,
        required: yaml.Node | None = None,
        *,
        integer: bool = False,
    ) -> float | None:
        """A number (a whole number when ``integer``); text that looks like one is not."""
        node = self.needs(fields, key, field, required) if required else fields.get(key)
        if is_blank(node):
            return None
        assert node is not None
        tags = (_INT,) if integer else (_INT, _FLOAT)
        if not isinstance(node, yaml.ScalarNode) or node.tag not in tags:
            want = "a whole number" if integer else "a number"
            self.problem(f"{key} must be {want}", node, _join(field, key))
            return None
        value = float(str(node.value).replace("_", ""))
        if value != value or value in (float("inf"), float("-inf")):
            self.problem(f"{key} must be a finite number", node, _join(field, key))
            return None
        return value

    def flag(self, fields: Fields, key: str, field: str, default: bool = False) -> bool:
        """``true`` or ``false``; absent is ``default``."""
        node = fields.get(key)
        if is_blank(node):
            return default
        assert node is not None
        if not isinstance(node, yaml.ScalarNode) or node.tag != _BOOL:
            self.problem(f"{key} must be true or false", node, _join(field, key))
            return default
        return str(node.value).lower() in ("true", "yes", "on")

    def translatable(
        self, fields: Fields, key: str, field: str, required: yaml.Node | None = None
    ) -> Text | None:
        """A text a person reads: a plain string (English) or ``{en: ..., zh-CN: ...}``.
        A text without its Chinese is a warning: the site reads both languages."""
        node = self.needs(fields, key, field, required) if required else fields.get(key)
        if is_blank(node):
            return None
        assert node is not None
        where = _join(field, key)
        if isinstance(node, yaml.ScalarNode):
            text = " ".join(str(node.value).split())
            if not text:
                self.problem(f"{key} must be non-empty text", node, where)
                return None
            self.warn(f"{key} has no zh-CN translation", node, where)
            return Text(text)
        languages = self.mapping(node, where, f"{key} (a text, or {{en: ..., zh-CN: ...}})")
        if languages is None:
            return None
        for locale, value in languages.items():
            if locale not in LOCALES:
                self.problem(f"unknown language '{locale}' ({', '.join(LOCALES)})", value, where)
        en = self.text(languages, "en", where, node)
        zh = self.text(languages, "zh-CN", where)
        if en is None:
            return None
        if zh is None:
            self.warn(f"{key} has no zh-CN translation", node, where)
        return Text(en, zh)

    def position(self, node: yaml.Node) -> Position:
        """Where a scalar's text starts, for the criteria parser's positions."""
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


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key
