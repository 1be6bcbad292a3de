"""The object identifiers of the ODM export: stable (they follow from the study folder's
ids alone, so two exports of the same folder agree and a site's EDC can match a later
data file to the definitions it imported) and readable (a person sees the visit, form and
item in them).

SE.<visit>, F.<form>, IG.<form>, I.<form>.<item>, CL.<form>.<item>, MT.<form>.<item> (the
MethodDef of a derived item), MU.<unit>. ODM 1.3.2 (ODM1-3-2-foundation.xsd, type "oid")
asks only for a non-empty string; a UCUM unit's brackets and slashes are spelled out so
the OID also suits systems that restrict OIDs to letters, digits, dots and underscores.
"""

from __future__ import annotations

import re

__all__ = [
    "LOG_EVENT",
    "codelist_oid",
    "event_oid",
    "form_oid",
    "group_oid",
    "item_oid",
    "method_oid",
    "unit_oid",
]

# the study event of log forms (concomitant medications): rows kept per participant,
# not per visit (trial/conduct/models.py LOG, the empty visit key)
LOG_EVENT = "LOG"

_UNIT_WORDS = {"/": "_per_", "*": "_pow_", "[": "_", "]": "_", "{": "_", "}": "_", "%": "pct"}


def event_oid(visit_id: str) -> str:
    return f"SE.{visit_id}"


def form_oid(form_id: str) -> str:
    return f"F.{form_id}"


def group_oid(form_id: str) -> str:
    return f"IG.{form_id}"


def item_oid(form_id: str, item_id: str) -> str:
    return f"I.{form_id}.{item_id}"


def codelist_oid(form_id: str, item_id: str) -> str:
    return f"CL.{form_id}.{item_id}"


def method_oid(form_id: str, item_id: str) -> str:
    return f"MT.{form_id}.{item_id}"


def unit_oid(ucum: str) -> str:
    """``mm[Hg]`` -> ``MU.mm_Hg``, ``10*9/L`` -> ``MU.10_pow_9_per_L``."""
    spelled = "".join(_UNIT_WORDS.get(c, c) for c in ucum)
    spelled = re.sub(r"[^A-Za-z0-9_.]", "_", spelled)
    return "MU." + re.sub(r"_+", "_", spelled).strip("_")
