"""The reader's language for the texts a study folder writes in English and Chinese
(visit names, form labels, help, code lists): ``?lang=`` (remembered in a cookie), else
the cookie, else the browser's Accept-Language, else English."""

from __future__ import annotations

from datetime import datetime

from fastapi import Request, Response

from trialdesk.study.schedule import Schedule
from trialdesk.study.texts import LOCALES, Text
from trialdesk.study.windows import site_time
from trialdesk.web.pages import templates

__all__ = ["COOKIE", "at_site", "locale_of", "remember_locale", "translated"]

COOKIE = "lang"
ONE_YEAR = 365 * 24 * 3600


def _known(value: str | None) -> str | None:
    if not value:
        return None
    for locale in LOCALES:
        if value.lower() == locale.lower():
            return locale
    return None


def locale_of(request: Request) -> str:
    chosen = _known(request.query_params.get("lang")) or _known(request.cookies.get(COOKIE))
    if chosen:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return "en"


def remember_locale(request: Request, response: Response) -> Response:
    """Keep a language chosen with ``?lang=`` for the next pages (not personal data)."""
    chosen = _known(request.query_params.get("lang"))
    if chosen:
        response.set_cookie(
            COOKIE, chosen, max_age=ONE_YEAR, samesite="lax", httponly=True,
            secure=request.app.state.secure_cookies or request.url.scheme == "https",
        )  # fmt: skip
    return response


def translated(text: Text | str | None, locale: str = "en") -> str:
    """A study text in the reader's language (English where no translation is given)."""
    if text is None:
        return ""
    return text.get(locale) if isinstance(text, Text) else str(text)


def at_site(moment: datetime, schedule: Schedule | None) -> str:
    """A stored instant as the site's wall clock, with its zone: what staff there read."""
    local = site_time(schedule, moment)
    return f"{local.strftime('%Y-%m-%d %H:%M')} {local.tzname()}"


templates.env.filters["tr"] = translated
templates.env.filters["at_site"] = at_site
