"""Errors a person reads, said in English and Simplified Chinese.

A patient who gets an answer wrong, or a coordinator who types a record number wrongly,
reads the error in their own language. :class:`SaidError` carries the sentence as a
:class:`~trialdesk.study.texts.Text` with the values that fill it; its ``message`` is the
English, so logs, the CLI and the API (which speak English) are unchanged, and a page asks
:func:`said_in` for the reader's language. :func:`raise_all` reports every error of one
form at once (:class:`~trialdesk.errors.FieldErrors`).
"""

from __future__ import annotations

from collections.abc import Iterable

from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.study.texts import Text

__all__ = ["SaidError", "messages_by_field", "raise_all", "said_in"]

Value = str | int | float | Text


class SaidError(InputError):
    """An invalid input, in words a person can act on, in both languages. ``values`` fill
    the text's ``{placeholders}``; a value that is itself a Text (a unit) is said in the
    same language as the sentence."""

    def __init__(
        self, text: Text, *, field: str | None = None, resource: str | None = None, **values: Value
    ) -> None:
        self.text = text
        self.values = values
        super().__init__(self.said("en"), field=field, resource=resource)

    def said(self, locale: str) -> str:
        filled = {k: v.get(locale) if isinstance(v, Text) else v for k, v in self.values.items()}
        return self.text.get(locale).format(**filled)


def said_in(error: TrialdeskError, locale: str) -> str:
    """The error's message in ``locale`` when it has one there, else its (English) message."""
    return error.said(locale) if isinstance(error, SaidError) else error.message


def _each(error: TrialdeskError) -> tuple[TrialdeskError, ...]:
    return error.errors if isinstance(error, FieldErrors) else (error,)


def messages_by_field(error: TrialdeskError, locale: str, default: str = "form") -> dict[str, str]:
    """Every message of a refused form by the field it belongs to (``default`` for one that
    names none), in ``locale``; two messages for one field are joined into one paragraph."""
    out: dict[str, str] = {}
    for each in _each(error):
        key = each.field or default
        text = said_in(each, locale)
        out[key] = f"{out[key]} {text}" if key in out else text
    return out


def raise_all(errors: Iterable[TrialdeskError], resource: str | None = None) -> None:
    """Raise nothing for no error, the error itself for one, FieldErrors for several."""
    found = [e for error in errors for e in _each(error)]
    if len(found) == 1:
        raise found[0]
    if found:
        raise FieldErrors(found, resource=resource)
