"""define.html: define.xml rendered for people with CDISC's Define-XML 2.1 stylesheet.

The stylesheet (define2-1.xsl, version 2019-02-11, by Lex Jansen for the CDISC Data
Exchange Standards Team, MIT licence: define2-1.xsl.LICENSE beside it) is shipped as taken
from the defineutils 0.2.1 wheel (PyPI, MIT); README.md here records its source. It is
applied with lxml's XSLT 1.0 processor. The page is CDISC's own, in English, as reviewers
expect it; the study's texts in it are those of define.xml.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from trialdesk.errors import InputError

__all__ = ["STYLESHEET", "render_html", "write_html"]

STYLESHEET = Path(__file__).with_name("define2-1.xsl")


@cache
def _transform() -> Any:
    return etree.XSLT(etree.parse(str(STYLESHEET)))


def render_html(define_xml: str | bytes, *, code_list_items: int = 999) -> str:
    """The define.html page for a define.xml document. ``code_list_items``: how many terms
    the variable tables show per code list (the stylesheet's nCodeListItemDisplay)."""
    data = define_xml.encode("utf-8") if isinstance(define_xml, str) else define_xml
    try:
        document = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False))
        result = _transform()(document, nCodeListItemDisplay=str(code_list_items))
    except etree.XMLSyntaxError as e:
        raise InputError(f"define.xml is not well-formed XML: {e}", resource="define.html") from e
    except etree.XSLTApplyError as e:
        raise InputError(f"the stylesheet failed: {e}", resource="define.html") from e
    return str(result)


def write_html(define_xml: Path, path: Path) -> Path:
    """define.html for the define.xml file at ``define_xml``."""
    path.write_text(render_html(define_xml.read_bytes()), encoding="utf-8")
    return path
