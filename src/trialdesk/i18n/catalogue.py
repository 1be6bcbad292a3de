"""Loading the message catalogues and answering ``gettext`` in the current reader's language.

The ``.po`` files are the source of truth and are read directly (compiled in memory once per
process), so a catalogue can never be older than its compiled form.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

__all__ = [
    "CATALOGUE_DIR",
    "DEFAULT_LOCALE",
    "LOCALES",
    "babel_locale",
    "catalogue_path",
    "current_locale",
    "gettext",
    "known_locale",
    "lazy_gettext",
    "ngettext",
    "pgettext",
    "translations",
    "using_locale",
]

# The tags people and browsers use (BCP 47), in the order a language picker shows them.
LOCALES = ("en", "zh-CN")
DEFAULT_LOCALE = "en"
DOMAIN = "messages"
CATALOGUE_DIR = Path(__file__).parent / "locale"

_reader: ContextVar[str] = ContextVar("trialdesk_reader_locale", default=DEFAULT_LOCALE)


def known_locale(value: str | None) -> str | None:
    """``value`` as one of LOCALES (case and ``_``/``-`` forgiven; ``zh``, ``zh-Hans`` → zh-CN)."""
    if not value:
        return None
    tag = value.strip().replace("_", "-").lower()
    for locale in LOCALES:
        if tag == locale.lower():
            return locale
    if tag == "zh" or tag.startswith("zh-hans") or tag.startswith("zh-cn"):
        return "zh-CN"
    if tag.startswith("en"):
        return "en"
    return None


def babel_locale(locale: str) -> str:
    """Babel's spelling of a tag: ``zh-CN`` → ``zh_CN``."""
    return locale.replace("-", "_")


def catalogue_path(locale: str) -> Path:
    return CATALOGUE_DIR / babel_locale(locale) / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue of ``locale``; English is the source language and needs none."""
    path = catalogue_path(locale)
    if locale == DEFAULT_LOCALE or not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=babel_locale(locale), domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def current_locale() -> str:
    return _reader.get()


@contextmanager
def using_locale(locale: str | None) -> Iterator[str]:
    """Texts made inside the block are in ``locale`` (English when it is not one we have)."""
    chosen = known_locale(locale) or DEFAULT_LOCALE
    token = _reader.set(chosen)
    try:
        yield chosen
    finally:
        _reader.reset(token)


def gettext(message: str, /, **values: object) -> str:
    """``message`` in the reader's language, ``%(name)s`` placeholders filled from ``values``.
    Always formatted, as Jinja's newstyle gettext does: a literal per cent sign is ``%%``."""
    return translations(_reader.get()).gettext(message) % values


def ngettext(singular: str, plural: str, n: int, /, **values: object) -> str:
    """The form for ``n`` (``%(num)d`` is ``n``); Chinese has one form, English two."""
    text = translations(_reader.get()).ngettext(singular, plural, n)
    return text % {"num": n, **values}


def pgettext(context: str, message: str, /, **values: object) -> str:
    """``message`` in a context that tells two uses of the same English apart."""
    return str(translations(_reader.get()).pgettext(context, message)) % values


def lazy_gettext(message: str, /, **values: object) -> LazyProxy:
    """A text translated when it is shown, for module-level constants."""
    return LazyProxy(gettext, message, enable_cache=False, **values)
