"""Texts a person reads, in the study's languages: English and Simplified Chinese.

A study folder writes a text either as a plain string (English) or as
``{en: ..., zh-CN: ...}``. Pages ask for the reader's locale and fall back to English.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LOCALES", "Text"]

LOCALES = ("en", "zh-CN")


@dataclass(frozen=True)
class Text:
    en: str
    zh_cn: str | None = None

    def get(self, locale: str = "en") -> str:
        if locale == "zh-CN" and self.zh_cn:
            return self.zh_cn
        return self.en

    def __str__(self) -> str:
        return self.en
