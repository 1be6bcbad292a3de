"""The message catalogues: every marked text translated, nothing stale, placeholders kept,
and the reader's language chosen as the docs say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from trialdesk.i18n import _, format_date, ngettext, using_locale
from trialdesk.i18n.catalogue import LOCALES, catalogue_path, translations
from trialdesk.i18n.extract import marked_texts
from trialdesk.web.locale import chosen_locale

from .unmarked import unmarked_english

PACKAGE = Path(__file__).parents[2] / "src/trialdesk"
TEMPLATES = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("templates/**/*.html"))
# Templates still to move to the catalogues (issue 17, language): this list only shrinks.
NOT_YET_MARKED = {
    "web/templates/_fields.html",
    "web/templates/audit.html",
    "web/templates/base.html",
    "web/templates/cioms.html",
    "web/templates/crf.html",
    "web/templates/error.html",
    "web/templates/exports.html",
    "web/templates/home.html",
    "web/templates/lead.html",
    "web/templates/leads.html",
    "web/templates/login.html",
    "web/templates/participant.html",
    "web/templates/participants.html",
    "web/templates/password.html",
    "web/templates/proposals.html",
    "web/templates/safety_event.html",
    "web/templates/safety_events.html",
    "web/templates/safety_hold.html",
    "web/templates/safety_listing.html",
    "web/templates/safety_macros.html",
    "web/templates/safety_sae.html",
    "web/templates/safety_sae_macros.html",
    "web/templates/safety_sae_report.html",
    "web/templates/safety_sae_submit.html",
    "web/templates/screening_log.html",
    "web/templates/selfcheck.html",
    "web/templates/selfcheck_result.html",
    "web/templates/setup.html",
    "web/templates/staff.html",
    "web/templates/study.html",
    "web/templates/users.html",
    "web/templates/visit.html",
}
# Modules that still keep English/Chinese pairs of their own instead of the catalogue.
TEXT_TABLES_LEFT = {
    "web/error_texts.py",
    "web/footer_texts.py",
    "web/role_words.py",
    "web/rooms/dashboard/api_docs.py",
    "web/rooms/dashboard/queues.py",
    "web/rooms/public/texts.py",
    "web/rooms/screening/log_texts.py",
    "web/rooms/selfcheck/texts.py",
    "web/rooms/accounts/texts.py",
    "web/rooms/audit/texts.py",
    "web/rooms/exports/texts.py",
    "web/rooms/leads/texts.py",
    "web/rooms/notifications/words.py",
    "web/rooms/public/thanks_texts.py",
    "web/rooms/safety_proposals/texts.py",
    "web/rooms/screening/texts.py",
    "web/rooms/sdv/shown.py",
    "web/throttle.py",
    "reports/week24/texts.py",
}

_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]")


def _catalogue(locale: str):  # type: ignore[no-untyped-def]
    with catalogue_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale.replace("-", "_"))


@pytest.fixture(scope="module")
def marked():  # type: ignore[no-untyped-def]
    return marked_texts()


def _key(message) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return msgid, message.context


@pytest.mark.parametrize("locale", [loc for loc in LOCALES if loc != "en"])
def test_every_marked_text_has_its_translation(marked, locale: str) -> None:  # type: ignore[no-untyped-def]
    catalogue = _catalogue(locale)
    missing = []
    for message in marked:
        if not message.id:
            continue
        entry = catalogue.get(message.id, context=message.context)
        strings = entry.string if entry is not None else None
        if isinstance(strings, tuple):
            strings = strings if all(strings) else None
        if not strings or (entry is not None and entry.fuzzy):
            where = ", ".join(sorted({loc[0] for loc in message.locations}))
            missing.append(f"{_key(message)[0]!r} ({where})")
    assert not missing, (
        f"{len(missing)} texts without a {locale} translation (run `make messages`):\n"
        + "\n".join(missing)
    )


@pytest.mark.parametrize("locale", [loc for loc in LOCALES if loc != "en"])
def test_no_translation_is_kept_for_a_text_no_longer_used(marked, locale: str) -> None:  # type: ignore[no-untyped-def]
    used = {_key(m) for m in marked if m.id}
    stale = [_key(m)[0] for m in _catalogue(locale) if m.id and _key(m) not in used]
    assert not stale, f"stale entries in {catalogue_path(locale)} (run `make messages`): {stale}"


@pytest.mark.parametrize("locale", [loc for loc in LOCALES if loc != "en"])
def test_translations_keep_every_placeholder(locale: str) -> None:
    wrong = []
    for message in _catalogue(locale):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*(set(_PLACEHOLDER.findall(i)) for i in ids))
        for string in strings:
            have = set(_PLACEHOLDER.findall(string))
            # Chinese has one plural form: it may leave the count out where a word says it
            if have != wanted and not (len(ids) > 1 and have == wanted - {"num"}):
                wrong.append(f"{ids[0]!r} → {string!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_mark_every_english_text(name: str) -> None:
    if name in NOT_YET_MARKED:
        pytest.skip("not yet moved to the catalogues (issue 17)")
    found = unmarked_english((PACKAGE / name).read_text(encoding="utf-8"))
    assert not found, f"{name}: English not marked for translation:\n" + "\n".join(found)


def test_unmarked_english_is_found_and_marked_text_is_not() -> None:
    assert unmarked_english("<p>Sign out</p>") == ["text: 'Sign out'"]
    assert unmarked_english('<input placeholder="Search names">') == [
        "input[placeholder]: 'Search names'"
    ]
    assert unmarked_english('<p>{{ _("Sign out") }} · {{ user.name }}</p>') == []
    assert unmarked_english("<p>{% trans %}Sign out{% endtrans %}</p>") == []
    assert unmarked_english("<p>SDTM · CSV · NCT06947746 · trialdesk</p>") == []


def test_gettext_answers_in_the_readers_language() -> None:
    catalogue = translations("zh-CN")
    english = next(
        (
            m
            for m in _catalogue("zh-CN")
            if m.id and isinstance(m.id, str) and m.string and "%" not in m.id
        ),
        None,
    )
    if english is None:
        pytest.skip("the catalogue is empty")
    with using_locale("zh-CN"):
        assert _(english.id) == catalogue.gettext(english.id) == english.string
    with using_locale("en"):
        assert _(english.id) == english.id
    with using_locale("fr"):  # a language we do not have: English
        assert _(english.id) == english.id


def test_plural_forms_follow_the_language() -> None:
    with using_locale("en"):
        assert ngettext("%(num)d visit", "%(num)d visits", 1) == "1 visit"
        assert ngettext("%(num)d visit", "%(num)d visits", 3) == "3 visits"


def test_dates_are_written_the_readers_way() -> None:
    from datetime import date

    with using_locale("zh-CN"):
        assert format_date(date(2026, 12, 8)) == "2026年12月8日"
    with using_locale("en"):
        assert format_date(date(2026, 12, 8)) == "8 Dec 2026"


@pytest.mark.parametrize(
    ("query", "cookie", "header", "chosen"),
    [
        (None, None, "", "en"),
        (None, None, "zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        (None, None, "en-US,en;q=0.9,zh;q=0.8", "en"),
        (None, None, "fr;q=1, zh-Hans;q=0.5", "zh-CN"),
        (None, None, "en;q=0.2, zh;q=0.8", "zh-CN"),
        (None, "zh-CN", "en", "zh-CN"),
        ("en", "zh-CN", "zh", "en"),
        ("xx", None, "zh", "zh-CN"),
    ],
)
def test_the_readers_language_is_chosen_as_documented(query, cookie, header, chosen) -> None:  # type: ignore[no-untyped-def]
    assert chosen_locale(query, cookie, header) == chosen


def test_the_app_keeps_its_texts_in_the_catalogue_only() -> None:
    """One way to translate: a room's texts are marked English, not pairs of its own."""
    own = {
        str(p.relative_to(PACKAGE))
        for pattern in ("web/**/*.py", "reports/week24/*.py")
        for p in PACKAGE.glob(pattern)
        if "Text(" in p.read_text(encoding="utf-8")
    }
    assert own <= TEXT_TABLES_LEFT, (
        f"new text tables (use _() and the catalogue): {own - TEXT_TABLES_LEFT}"
    )
