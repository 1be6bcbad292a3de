"""The reader's language, chosen once per request, and the template helpers that use it.

``?lang=`` (remembered in a cookie), else the cookie, else the browser's Accept-Language,
else English. ``ReaderLocale`` sets it for the whole request (trialdesk.i18n), so Python code
and templates alike write ``_("...")`` and get the reader's language; pages that vary by
language say so (``Vary``), and the page caches key on it.
"""

from __future__ import annotations

from datetime import datetime
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from fastapi import Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trialdesk.i18n import (
    LOCALES,
    current_locale,
    format_date,
    format_datetime,
    format_decimal,
    known_locale,
    using_locale,
)
from trialdesk.i18n.catalogue import translations
from trialdesk.study.schedule import Schedule
from trialdesk.study.texts import Text
from trialdesk.study.windows import site_time
from trialdesk.web.pages import templates

__all__ = [
    "COOKIE",
    "ReaderLocale",
    "at_site",
    "chosen_locale",
    "locale_of",
    "remember_locale",
    "translated",
    "with_lang",
]

COOKIE = "lang"
ONE_YEAR = 365 * 24 * 3600


def _from_accept_language(header: str) -> str | None:
    weighted: list[tuple[float, int, str]] = []
    for order, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        locale = known_locale(tag)
        if locale and quality > 0:
            weighted.append((-quality, order, locale))
    return min(weighted)[2] if weighted else None


def chosen_locale(query_lang: str | None, cookie_lang: str | None, accept_language: str) -> str:
    return (
        known_locale(query_lang)
        or known_locale(cookie_lang)
        or _from_accept_language(accept_language)
        or "en"
    )


def locale_of(request: Request) -> str:
    """The language of this request's reader (set by ``ReaderLocale``)."""
    return current_locale()


def remember_locale(request: Request, response: Response) -> Response:
    """Kept for the pages that still call it: ``ReaderLocale`` remembers ``?lang=`` itself."""
    return response


class ReaderLocale:
    """Pure ASGI: the reader's language for the whole request, and ``?lang=`` remembered."""

    def __init__(self, app: ASGIApp, secure_cookies: bool = False) -> None:
        self.app = app
        self.secure_cookies = secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        asked = known_locale(request.query_params.get("lang"))
        locale = chosen_locale(
            asked, request.cookies.get(COOKIE), request.headers.get("accept-language", "")
        )
        secure = self.secure_cookies or scope.get("scheme") == "https"

        async def say_language(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"vary", b"Accept-Language, Cookie"))
                headers.append((b"content-language", locale.encode()))
                if asked:
                    headers.append((b"set-cookie", _cookie(asked, secure)))
                message["headers"] = headers
            await send(message)

        with using_locale(locale):
            await self.app(scope, receive, say_language)


def _cookie(locale: str, secure: bool) -> bytes:
    """The language choice, not personal data: kept a year, never sent cross-site."""
    cookie: SimpleCookie = SimpleCookie()
    cookie[COOKIE] = locale
    morsel = cookie[COOKIE]
    morsel["max-age"] = ONE_YEAR
    morsel["path"] = "/"
    morsel["samesite"] = "lax"
    morsel["httponly"] = True
    if secure:
        morsel["secure"] = True
    return morsel.OutputString().encode("latin-1")


def translated(text: Text | str | None, locale: str | None = None) -> str:
    """A study text in the reader's language (English where no translation is given)."""
    if text is None:
        return ""
    return text.get(locale or current_locale()) if isinstance(text, Text) else str(text)


def with_lang(request: Request | None, locale: str) -> str:
    """This page's own path and query in another language (no host: nothing reflected)."""
    params = getattr(request, "query_params", None)
    query = [(k, v) for k, v in params.multi_items() if k != "lang"] if params else []
    path = getattr(getattr(request, "url", None), "path", "")
    return f"{path}?{urlencode([*query, ('lang', locale)])}"


def at_site(moment: datetime, schedule: Schedule | None) -> str:
    """A stored instant as the site's wall clock, with its zone: what staff there read."""
    local = site_time(schedule, moment)
    return f"{local.strftime('%Y-%m-%d %H:%M')} {local.tzname()}"


# Jinja2's i18n extension: templates write {{ _("...") }} / {% trans %} and ngettext. The
# raw catalogue calls are installed (newstyle formats placeholders itself, escaping values).
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    lambda message: translations(current_locale()).gettext(message),
    lambda singular, plural, n: translations(current_locale()).ngettext(singular, plural, n),
    newstyle=True,
    pgettext=lambda context, message: translations(current_locale()).pgettext(context, message),
)


templates.env.globals["current_locale"] = current_locale
templates.env.globals["LOCALES"] = LOCALES
templates.env.globals["with_lang"] = with_lang
templates.env.filters["tr"] = translated
templates.env.filters["at_site"] = at_site
templates.env.filters["date"] = format_date
templates.env.filters["datetime"] = format_datetime
templates.env.filters["number"] = format_decimal
