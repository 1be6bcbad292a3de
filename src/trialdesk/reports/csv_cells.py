"""Free text in a CSV export, kept from running as a spreadsheet formula (OWASP, "CSV
Injection": prefix a cell that begins with = + - @, a tab or a carriage return with a
single quote).

Also the look-alikes a spreadsheet might fold into those (security probe F15): the
fullwidth and small forms (＝ ＋ － ＠, ﹦ ﹢ ﹣ ﹫; NFKC folds them), the minus sign −, and
any of them behind invisible characters (a zero-width space, a byte-order mark, other
format characters and spaces) that a spreadsheet may drop before reading the cell.
"""

from __future__ import annotations

import unicodedata

__all__ = ["safe_cell"]

_TRIGGERS = frozenset("=+-@\t\r\u2212")
# what may be skipped before the first character a spreadsheet reads: format characters
# (ZWSP, ZWJ, BOM, bidi marks), spaces of every kind, and other control characters
_INVISIBLE = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc"})


def _first_visible(text: str) -> str:
    for c in text:
        if c in "\t\r":
            return c
        if unicodedata.category(c) not in _INVISIBLE:
            return unicodedata.normalize("NFKC", c)[:1]
    return ""


def safe_cell(text: str) -> str:
    """``text``, with a leading single quote if a spreadsheet could take it for a formula."""
    return "'" + text if _first_visible(text) in _TRIGGERS else text
