"""One exception root for everything trialdesk reports to a user.

Each error carries the context a user needs to find the problem (the file, the resource,
the field, the criterion) and what it means to a client (:class:`Meaning`): the thing
asked for does not exist, the request conflicts with the data as they are now (a stale
edit, a full study), the input is invalid, the caller may not do it, or the store failed.
The CLI prints ``str(error)`` on one line and exits 2; the web app answers each meaning
with one status (web/errors.py).
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar


class Meaning(StrEnum):
    """What an error means to whoever asked."""

    NOT_FOUND = "not_found"
    CONFLICT = "conflict"  # valid, but not against the data as they are now: reload, retry
    INVALID = "invalid_input"  # the input itself is wrong; ``field`` says where
    FORBIDDEN = "forbidden"  # this user may not do this
    STORE_FAULT = "store_fault"  # the store cannot be opened, migrated or read


class TrialdeskError(Exception):
    """Root of every error trialdesk raises on purpose."""

    meaning: ClassVar[Meaning] = Meaning.INVALID
    # the error's name for clients where one meaning is not enough (e.g. "study_locked");
    # None: the meaning's name
    code: ClassVar[str | None] = None

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        resource: str | None = None,
        field: str | None = None,
        criterion: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.resource = resource
        self.field = field
        self.criterion = criterion
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = []
        if self.file:
            pos = self.file
            if self.line is not None:
                pos += f":{self.line}"
                if self.column is not None:
                    pos += f":{self.column}"
            where.append(pos)
        if self.criterion:
            where.append(f"criterion {self.criterion}")
        if self.resource:
            where.append(self.resource)
        if self.field:
            where.append(f"field {self.field}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else self.message


class NotFoundError(TrialdeskError):
    """A record named by id or name (a user, a lead, a candidate, a study) does not exist."""

    meaning = Meaning.NOT_FOUND


class ConflictError(TrialdeskError):
    """The request was valid when the form was opened but no longer is: someone else
    changed the record, or the places ran out. Reload and decide again."""

    meaning = Meaning.CONFLICT


class ForbiddenError(TrialdeskError):
    """The signed-in user's role may not do this (e.g. a coordinator signing)."""

    meaning = Meaning.FORBIDDEN


class StoreError(TrialdeskError):
    """The trial store cannot be opened, migrated or read (bad URL, unreachable, unknown
    revision, a missing audit head)."""

    meaning = Meaning.STORE_FAULT


class StudyError(TrialdeskError):
    """A study folder, registry record or criteria file is unusable."""


class CriteriaSyntaxError(StudyError):
    """A rule in a criteria file does not parse or does not validate."""


class InputError(TrialdeskError):
    """Input data (a FHIR file, an attestation file, an option) is unusable as a whole."""


class FactError(TrialdeskError):
    """One clinical fact is unusable (bad unit, impossible value); the rest is fine."""


class UnitError(FactError):
    """A quantity's unit is unknown or cannot be converted to the unit a criterion needs."""


class FieldErrors(InputError):
    """Several fields of one form are wrong: every one is reported at once (each an
    :class:`InputError` naming its field), and nothing of the form is stored."""

    def __init__(self, errors: list[TrialdeskError], *, resource: str | None = None) -> None:
        if not errors:
            raise ValueError("FieldErrors needs at least one error")
        self.errors = tuple(errors)
        first = self.errors[0]
        message = "; ".join(f"{e.field}: {e.message}" if e.field else e.message for e in errors)
        super().__init__(message, resource=resource, field=first.field)

    @property
    def by_field(self) -> dict[str, list[str]]:
        """The messages per field, in order (the form shows each at its field)."""
        out: dict[str, list[str]] = {}
        for e in self.errors:
            out.setdefault(e.field or "", []).append(e.message)
        return out
