"""Finding English a template shows without marking it for translation.

Jinja's own syntax is cut away first (comments, statements, expressions: a marked text
lives in one of those); what is left is HTML, whose text and human-read attributes must
then hold no English words.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["unmarked_english"]

_JINJA = re.compile(
    r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}|\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL
)
_WORD = re.compile(r"[A-Za-z]*[a-z]{3,}[A-Za-z]*")
# Names that stay as they are in every language.
_NAMES = {"trialdesk", "English", "ClinicalTrials", "gov", "https", "http", "www"}
_READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "aria-description"}


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in _READ_ATTRIBUTES and value:
                self._check(value, f"{tag}[{name}]")
            if tag == "input" and name == "value" and value and ("type", "submit") in attrs:
                self._check(value, "input[value]")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._check(data, "text")

    def _check(self, text: str, where: str) -> None:
        words = [w for w in _WORD.findall(text) if w not in _NAMES]
        if words:
            self.found.append(f"{where}: {' '.join(text.split())[:80]!r}")


def unmarked_english(source: str) -> list[str]:
    """Each piece of English in ``source`` (a Jinja template) that is not marked."""
    collector = _Collector()
    collector.feed(_JINJA.sub(" ", source))
    collector.close()
    return collector.found
