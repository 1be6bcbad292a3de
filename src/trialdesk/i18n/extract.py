"""Keep the catalogues in step with the code: ``python -m trialdesk.i18n.extract``
(``make messages``) finds every marked text in the package's Python and templates and
updates each catalogue — new texts added untranslated, texts no longer used dropped — so a
translator works through the empty entries. The tests use ``marked_texts`` to refuse a
text without its translation.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from trialdesk.i18n.catalogue import DEFAULT_LOCALE, DOMAIN, LOCALES, babel_locale, catalogue_path

__all__ = ["KEYWORDS", "fill_translations", "marked_texts", "update_catalogues"]

PACKAGE = Path(__file__).resolve().parent.parent  # src/trialdesk

KEYWORDS = {
    "_": None,
    "gettext": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
_METHODS = [
    ("i18n/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
]
_OPTIONS = {
    "**/templates/**.html": {
        "extensions": "jinja2.ext.i18n",
        "trim_blocks": "true",
        "lstrip_blocks": "true",
        "newstyle_gettext": "true",
    }
}


_HEADER = """\
# trialdesk: the application's own texts in {language}.
# Every translation here is a draft for the site to review (issue: language, zh-CN).
# Update with `make messages`; a test refuses a marked text without its translation."""


def marked_texts() -> Catalog:
    """Every text the package marks for translation, with the files that use it."""
    catalog = Catalog(domain=DOMAIN, project="trialdesk", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE, method_map=_METHODS, options_map=_OPTIONS, keywords=KEYWORDS
    ):
        catalog.add(
            message,
            None,
            [(f"trialdesk/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def update_catalogues() -> list[Path]:
    """Bring each language's catalogue up to date with ``marked_texts``; return the files."""
    template = marked_texts()
    written = []
    for locale in LOCALES:
        if locale == DEFAULT_LOCALE:
            continue
        path = catalogue_path(locale)
        if path.exists():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=babel_locale(locale), domain=DOMAIN)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=babel_locale(locale), domain=DOMAIN)
        created = catalog.creation_date
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.creation_date = created  # no churn in the file when nothing else changed
        catalog.header_comment = _HEADER.format(language=locale)
        catalog.project, catalog.version = "trialdesk", ""
        catalog.fuzzy = False
        catalog.last_translator = "trialdesk (a draft for the site to review)"
        catalog.language_team = f"trialdesk {locale}"
        catalog.obsolete.clear()  # a text no longer used is dropped, not kept commented out
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=True, include_lineno=False)
        written.append(path)
    return written


def fill_translations(locale: str, translations: dict[str, str | list[str]]) -> list[str]:
    """Write ``translations`` (English → text; a list for plural forms) into the catalogue of
    ``locale``; return the English texts the catalogue does not mark (nothing written)."""
    path = catalogue_path(locale)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=babel_locale(locale), domain=DOMAIN)
    unknown = []
    for english, text in translations.items():
        entry = catalog.get(english)
        if entry is None:
            unknown.append(english)
            continue
        entry.string = tuple(text) if isinstance(text, list) else text
        entry.flags.discard("fuzzy")
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, sort_output=True, include_lineno=False)
    return unknown


def main(argv: list[str]) -> int:
    """``extract`` updates the catalogues; ``extract --fill zh-CN FILE.json`` then writes
    the translations a JSON object holds (English → translation)."""
    for path in update_catalogues():
        sys.stdout.write(f"updated {path}\n")
    if argv[:1] == ["--fill"]:
        locale, *files = argv[1:]
        for file in files:
            unknown = fill_translations(locale, json.loads(Path(file).read_text("utf-8")))
            for english in unknown:
                sys.stderr.write(f"{file}: not a marked text: {english!r}\n")
            if unknown:
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
