"""The application's own texts in the reader's language, through Babel's message catalogues.

Code and templates write English and mark it: ``_("Sign out")`` in Python and in templates
(Jinja2's i18n extension), ``ngettext`` where a count decides the form. The Chinese lives in
``locale/zh_CN/LC_MESSAGES/messages.po``; ``make messages`` extracts new strings into it
and a test refuses a marked string without its translation. The reader's language is set
once per request (``using_locale``) and read wherever a text is made.

A study folder's own texts (visit names, form labels, code lists) are translated in the
folder itself (``study.texts.Text``), not here.
"""

from __future__ import annotations

from trialdesk.i18n.catalogue import (
    DEFAULT_LOCALE,
    LOCALES,
    babel_locale,
    current_locale,
    gettext,
    known_locale,
    lazy_gettext,
    ngettext,
    pgettext,
    using_locale,
)
from trialdesk.i18n.formats import format_date, format_datetime, format_decimal, format_percent

_ = gettext

__all__ = [
    "DEFAULT_LOCALE",
    "LOCALES",
    "_",
    "babel_locale",
    "current_locale",
    "format_date",
    "format_datetime",
    "format_decimal",
    "format_percent",
    "gettext",
    "known_locale",
    "lazy_gettext",
    "ngettext",
    "pgettext",
    "using_locale",
]
