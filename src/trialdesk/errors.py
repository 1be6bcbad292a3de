"""One exception root for everything trialdesk reports to a user.

Each subclass carries the context a user needs to find the problem: the file, the
resource, the field, the criterion. The CLI prints ``str(error)`` on one line and exits 2.
"""

from __future__ import annotations


class TrialdeskError(Exception):
    """Root of every error trialdesk raises on purpose."""

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
