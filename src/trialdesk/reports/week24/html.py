"""The week-24 report as HTML: a standalone document (``report_html``) or the fragment a
staff page places in its layout (``report_fragment``). The report's own Jinja2 templates
(templates/ beside this file; reports never import the web app), autoescaped; every
text in the reader's language (``lang``: en or zh-CN, as study/texts.py LOCALES).

Every number that stands for participants links to an appendix entry listing them and the
ADaM records behind it; cells backed by the same people share one entry."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from trialdesk.errors import InputError
from trialdesk.reports.week24.cells import Cell
from trialdesk.reports.week24.report import Week24Report
from trialdesk.reports.week24.texts import W
from trialdesk.study.texts import LOCALES, Text

__all__ = [
    "STYLES",
    "Appendix",
    "check_lang",
    "image_svg",
    "inline_svg",
    "report_fragment",
    "report_html",
]

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def check_lang(lang: str) -> str:
    if lang not in LOCALES:
        raise InputError(f"must be one of {', '.join(LOCALES)}, not {lang!r}", field="lang")
    return lang


@dataclass
class Appendix:
    """The appendix entries: one per distinct set of participants and records."""

    ids: dict[tuple[tuple[str, ...], tuple[str, ...]], str]

    def of(self, cell: Cell) -> str | None:
        if not cell.subjects:
            return None
        key = (cell.subjects, cell.records)
        if key not in self.ids:
            self.ids[key] = f"who-{len(self.ids) + 1}"
        return self.ids[key]

    def entries(self) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
        return [(anchor, s, r) for (s, r), anchor in self.ids.items()]


def inline_svg(text: str) -> Markup:
    """An SVG file's text inlined in HTML: from its <svg> element on (the XML declaration
    and DOCTYPE matplotlib writes do not belong inside a document). Our own SVG only."""
    start = text.find("<svg")
    return Markup(text[start:] if start >= 0 else "")


def image_svg(text: str, caption: str) -> Markup:
    """An SVG as an <img> with a data: URI: a page whose Content-Security-Policy forbids
    inline styles (matplotlib's SVG styles its elements inline) still shows it."""
    start = text.find("<svg")
    data = base64.b64encode(text[max(start, 0) :].encode("utf-8")).decode("ascii")
    return Markup('<img src="data:image/svg+xml;base64,{}" alt="{}">').format(Markup(data), caption)


def _context(report: Week24Report, lang: str, inline: bool = True) -> dict[str, Any]:
    def tr(text: Text) -> str:
        return text.get(lang)

    appendix = Appendix({})
    # the appendix is filled while the tables are rendered: render them first
    tables = _ENV.get_template("week24_tables.html").render(
        report=report, tr=tr, w=W, link=appendix.of, lang=lang
    )
    return {
        "report": report,
        "tr": tr,
        "w": W,
        "lang": lang,
        "tables": Markup(tables),
        "appendix": appendix.entries(),
        "svg": inline_svg,
        "figure": (lambda body, caption: inline_svg(body)) if inline else image_svg,
    }


def report_fragment(report: Week24Report, lang: str, *, inline: bool = True) -> Markup:
    """The report's body (no <html>): for a page's layout; ``inline``: the figures as
    inline SVG (else as images, for a page under a strict style policy)."""
    check_lang(lang)
    return Markup(_ENV.get_template("week24_body.html").render(**_context(report, lang, inline)))


def report_html(report: Week24Report, lang: str) -> str:
    """A standalone HTML document (its styles inline)."""
    check_lang(lang)
    body = report_fragment(report, lang)
    return _ENV.get_template("week24.html").render(
        report=report, body=body, lang=lang, title=report.title.get(lang)
    )


STYLES = (Path(__file__).parent / "templates" / "week24.css").read_text(encoding="utf-8")
