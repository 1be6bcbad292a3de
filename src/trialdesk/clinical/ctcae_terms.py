"""The CTCAE v5.0 term list: each term with its MedDRA code, system organ class and grades.

Source: NCI, Common Terminology Criteria for Adverse Events (CTCAE) Version 5.0, 27 Nov
2017 (``CTCAE_v5.0.xlsx``), shipped as ``ctcae/terms_v5.csv``; ``ctcae/SOURCE.md`` says
where it was read. 837 terms, each a MedDRA v20.1 Lowest Level Term, in 26 SOCs, with NCI's
text for grades 1-5 (``None`` where NCI prints "-": the grade is not defined for the term).

An adverse event is coded to one of these terms (:func:`require_term` refuses any other,
naming the closest ones); :func:`search_terms` serves a picker. A site that licenses MedDRA
can read its own file with the same columns (:func:`load_terms`, ``ctcae_terms(path)``, or
for the whole application the file named by ``TRIALDESK_AE_TERMS``); MedDRA itself is never
shipped.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import NoReturn

from trialdesk.errors import InputError

__all__ = [
    "COLUMNS",
    "TERMS_FILE",
    "CtcaeTerm",
    "CtcaeTerms",
    "ctcae_terms",
    "load_terms",
    "require_term",
    "search_terms",
    "term_named",
]

#: The term list shipped with trialdesk.
TERMS_FILE = Path(__file__).with_name("ctcae") / "terms_v5.csv"
#: The columns of a term file, in this order, on its first line.
COLUMNS = (
    "meddra_code",
    "soc",
    "term",
    "grade_1",
    "grade_2",
    "grade_3",
    "grade_4",
    "grade_5",
    "definition",
    "navigational_note",
)
_NOT_DEFINED = "-"  # NCI's mark for a grade (or definition) that does not exist
_MEDDRA_CODE = re.compile(r"\d{8}")
_WORD = re.compile(r"[^\W_]+")
_MAX_LISTED = 10  # problems spelled out in one error; the rest are counted


@dataclass(frozen=True, slots=True)
class CtcaeTerm:
    """One CTCAE term: ``grades`` maps 1..5 to NCI's text, or ``None`` when not defined."""

    term: str
    meddra_code: str  # the MedDRA LLT code, 8 digits
    soc: str  # the MedDRA system organ class
    grades: Mapping[int, str | None] = field(hash=False)
    definition: str | None = None
    navigational_note: str | None = None

    @property
    def defined_grades(self) -> tuple[int, ...]:
        """The grades this term has (e.g. ``(2, 3, 4, 5)`` for Joint infection)."""
        return tuple(g for g, text in self.grades.items() if text is not None)


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


class CtcaeTerms:
    """A term list read from one file: look-up by name or code, and search."""

    def __init__(self, terms: tuple[CtcaeTerm, ...], source: str) -> None:
        self.terms = terms
        self.source = source
        self._by_name = {_fold(t.term): t for t in terms}
        self._by_code = {t.meddra_code: t for t in terms}
        self._words = [tuple(_WORD.findall(_fold(t.term))) for t in terms]

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[CtcaeTerm]:
        return iter(self.terms)

    def named(self, text: str) -> CtcaeTerm | None:
        """The term spelled ``text`` (case and spacing aside), or ``None``."""
        return self._by_name.get(_fold(text))

    def coded(self, meddra_code: str) -> CtcaeTerm | None:
        """The term with this MedDRA code, or ``None``."""
        return self._by_code.get(meddra_code.strip())

    def search(self, text: str, limit: int = 20) -> list[CtcaeTerm]:
        """Terms matching ``text`` for a picker, best first: the exact name or MedDRA code,
        then names starting with it, then names with a word starting with each word typed,
        then names containing it; alphabetical within each rank."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InputError(f"limit must be a whole number >= 1, got {limit!r}", field="limit")
        query = _fold(text)
        if not query:
            return []
        typed = _WORD.findall(query)
        ranked: list[tuple[int, str, CtcaeTerm]] = []
        for term, words in zip(self.terms, self._words, strict=True):
            name = _fold(term.term)
            if name == query or term.meddra_code == query:
                rank = 0
            elif name.startswith(query):
                rank = 1
            elif typed and all(any(w.startswith(q) for w in words) for q in typed):
                rank = 2
            elif query in name:
                rank = 3
            else:
                continue
            ranked.append((rank, name, term))
        ranked.sort(key=lambda entry: entry[:2])
        return [term for _, _, term in ranked[:limit]]

    def require(self, text: str, *, field: str = "term") -> CtcaeTerm:
        """The term spelled ``text``, or an InputError at ``field`` naming the closest terms.

        Raises:
            InputError: ``text`` is not a term of this list.
        """
        found = self.named(text) if isinstance(text, str) else None
        if found is not None:
            return found
        if not isinstance(text, str) or not text.strip():
            raise InputError("choose a CTCAE term", field=field)
        close = [t.term for t in self.search(text, 3)]
        for name in difflib.get_close_matches(_fold(text), list(self._by_name), n=3):
            if self._by_name[name].term not in close:
                close.append(self._by_name[name].term)
        hint = f"; closest: {', '.join(close[:5])}" if close else ""
        raise InputError(
            f"{text.strip()!r} is not in the {self.source} term list{hint}", field=field
        )


def _raise(where: str, problems: list[tuple[int, int, str]]) -> NoReturn:
    """One InputError at the first problem, listing them all (up to ``_MAX_LISTED``)."""
    line, column, _ = problems[0]
    listed = "; ".join(f"line {n}, column {c}: {m}" for n, c, m in problems[:_MAX_LISTED])
    if len(problems) > _MAX_LISTED:
        listed += f"; and {len(problems) - _MAX_LISTED} more"
    count = f"{len(problems)} problems: " if len(problems) > 1 else ""
    raise InputError(
        f"not a CTCAE term file: {count}{listed}",
        file=where,
        line=line,
        column=column,
        field=COLUMNS[column - 1] if 1 <= column <= len(COLUMNS) else None,
    )


def _read_rows(where: str, text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, its cells) for each non-blank record after the header."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    end = 0
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num
            if cells:
                yield start, cells
    except csv.Error as exc:
        raise InputError(
            f"not a CTCAE term file: malformed CSV: {exc}", file=where, line=reader.line_num
        ) from exc


def _check_header(where: str, header: list[str]) -> None:
    found = [cell.strip() for cell in header]
    if tuple(found) == COLUMNS:
        return
    problems = [
        (1, i + 1, f"expected column {want!r}, found {got!r}")
        for i, (want, got) in enumerate(zip(COLUMNS, found, strict=False))
        if want != got
    ]
    if len(found) != len(COLUMNS):
        column = min(len(found), len(COLUMNS)) + 1
        expected = f"expected {len(COLUMNS)} columns ({', '.join(COLUMNS)})"
        problems.append((1, column, f"{expected}, found {len(found)}"))
    _raise(where, problems)


def _term(
    line: int, cells: list[str], seen: dict[str, int], problems: list[tuple[int, int, str]]
) -> CtcaeTerm | None:
    if len(cells) != len(COLUMNS):
        column = min(len(cells), len(COLUMNS)) + 1
        problems.append((line, column, f"expected {len(COLUMNS)} fields, found {len(cells)}"))
        return None
    code, soc, name, *grade_cells, definition, note = (cell.strip() for cell in cells)
    before = len(problems)
    if not _MEDDRA_CODE.fullmatch(code):
        problems.append((line, 1, f"meddra_code must be 8 digits, found {code!r}"))
    if not soc:
        problems.append((line, 2, "soc is empty"))
    if not name:
        problems.append((line, 3, "term is empty"))
    for column, label, key in ((3, "term", _fold(name)), (1, "meddra_code", code)):
        first = seen.setdefault(f"{label}:{key}", line) if key else line
        if first != line:
            problems.append((line, column, f"{label} {key!r} repeats line {first}"))
    for offset, cell in enumerate(grade_cells):
        if not cell:
            problems.append((line, 4 + offset, f'grade_{offset + 1} is empty (write "-")'))
    if all(cell == _NOT_DEFINED for cell in grade_cells):
        problems.append((line, 4, "no grade is defined"))
    if len(problems) > before:
        return None
    grades = {g: (None if cell == _NOT_DEFINED else cell) for g, cell in enumerate(grade_cells, 1)}
    return CtcaeTerm(
        term=name,
        meddra_code=code,
        soc=soc,
        grades=MappingProxyType(grades),
        definition=None if definition in ("", _NOT_DEFINED) else definition,
        navigational_note=note or None,
    )


def load_terms(path: str | Path, *, source: str | None = None) -> CtcaeTerms:
    """Read a CTCAE term file (UTF-8 CSV; the columns of :data:`COLUMNS` on line 1).

    ``source`` names the list in messages (default: the file's name).

    Raises:
        InputError: the file cannot be read, or is malformed; naming the file and the
            line and column of the first problem, and listing the others.
    """
    file = Path(path)
    where = str(file)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the CTCAE term file: {exc}", file=where) from exc
    rows = _read_rows(where, text)
    header = next(rows, None)
    if header is None:
        raise InputError("not a CTCAE term file: it is empty", file=where, line=1)
    _check_header(where, header[1])
    problems: list[tuple[int, int, str]] = []
    seen: dict[str, int] = {}
    terms = [term for line, cells in rows if (term := _term(line, cells, seen, problems))]
    if problems:
        _raise(where, problems)
    if not terms:
        raise InputError("not a CTCAE term file: it lists no terms", file=where, line=2)
    return CtcaeTerms(tuple(terms), source or file.name)


@functools.cache
def _cached(path: str) -> CtcaeTerms:
    if Path(path) == TERMS_FILE:
        return load_terms(TERMS_FILE, source="CTCAE v5.0")
    return load_terms(path)


TERMS_ENV = "TRIALDESK_AE_TERMS"  # a site's own term file (its MedDRA licence), for serve


def ctcae_terms(path: str | Path | None = None) -> CtcaeTerms:
    """The shipped CTCAE v5.0 list, or a site's own file (``path``, or else the file named
    by the environment variable ``TRIALDESK_AE_TERMS``: what every page and service codes
    events against); each read once, then cached."""
    if path is None:
        path = os.environ.get(TERMS_ENV) or TERMS_FILE
    return _cached(str(Path(path)))


def term_named(text: str, terms: CtcaeTerms | None = None) -> CtcaeTerm | None:
    """The CTCAE term spelled ``text`` (case-insensitive, exact), or ``None``."""
    return (terms if terms is not None else ctcae_terms()).named(text)


def search_terms(text: str, limit: int = 20, terms: CtcaeTerms | None = None) -> list[CtcaeTerm]:
    """Up to ``limit`` terms for a picker, best first (see :meth:`CtcaeTerms.search`)."""
    return (terms if terms is not None else ctcae_terms()).search(text, limit)


def require_term(text: str, terms: CtcaeTerms | None = None, *, field: str = "term") -> CtcaeTerm:
    """The CTCAE term spelled ``text``; an InputError at ``field`` for any other text.

    Raises:
        InputError: not a term of the list, naming the closest ones.
    """
    return (terms if terms is not None else ctcae_terms()).require(text, field=field)
