"""Extract trialdesk's dated subset of CDISC SDTM controlled terminology.

Source: CDISC CT sdtmct-2025-03-28 as bundled in the usdm4 0.29.0 wheel (PyPI), file
usdm4/ct/cdisc/library_cache/library_cache_all.yaml (a cache of the CDISC Library API:
codelists keyed by NCI code, each with its submission value, name, extensible flag and
terms). usdm4 is only the place the facts are read from: trialdesk neither installs nor
imports it, and this script is not imported by the application.

Written: src/trialdesk/reports/cdisc/terminology/sdtmct-2025-03-28.yaml with, per code list,
its NCI code, short name (submission value), name, extensible flag and its terms as
submission value -> NCI code. No definitions, synonyms or preferred terms are copied.

Large code lists (anatomical locations, units, laboratory tests, methods, questionnaire
categories, routes, dosage forms, specimen types) are shipped in part: the terms this
project's forms and SDTM/ADaM variables use, marked ``complete: false`` with the number of
terms the source holds, so a reader knows that a value missing from them is "not shipped",
not "not in CDISC CT".

Usage:
    .venv/bin/pip download --no-deps -d /tmp/usdm usdm4==0.29.0
    .venv/bin/python tools/extract_ct.py /tmp/usdm/usdm4-0.29.0-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src/trialdesk/reports/cdisc/terminology/sdtmct-2025-03-28.yaml"
FORMS = ROOT / "src/trialdesk/study/studies"
CDISC = ROOT / "src/trialdesk/reports/cdisc"  # the SDTM/ADaM modules name code lists by C-code
MEMBER = "usdm4/ct/cdisc/library_cache/library_cache_all.yaml"
EFFECTIVE = "2025-03-28"

# Code lists shipped whole, by short name (SDTMIG 3.4 / SDTM CT codelist of the variable).
WHOLE = [
    # DM, SE, SV, trial design
    "SEX", "RACE", "ETHNIC", "AGEU", "ARMNULRS", "EPOCH", "DOMAIN", "CNTMODE",
    # AE, EX, CM
    "NY", "OUT", "ACN", "AESEV", "LAT", "FREQ", "STENRF",
    # DS
    "DSCAT", "DSSCAT", "NCOMPLT", "PROTMLST", "OTHEVENT",
    # findings: VS, LB, QS, MK, IE and their qualifiers
    "VSTESTCD", "VSTEST", "VSRESU", "POSITION", "NRIND", "ND", "EVAL", "IECAT",
    "HAQ01TC", "HAQ01TN", "HAQ02TC", "HAQ02TN", "MUSCTSCD", "MUSCTS",
    # TS parameters and their values; RELREC
    "TSPARMCD", "TSPARM", "STYPE", "TBLIND", "TCNTRL", "TPHASE", "SEXPOP", "TINDTP",
    "TTYPE", "INTMODEL", "INTTYPE", "DICTNAM", "SDTMIGRS", "SDTMVRS", "RELTYPE",
]  # fmt: skip

# Code lists shipped in part: the terms named here plus those the forms' sdtm targets use.
PART: dict[str, list[str]] = {
    "LOC": ["KNEE JOINT"],
    "UNIT": ["10^6 Therapeutic Cells", "mL", "YEARS", "%"],
    "ROUTE": [
        "INTRA-ARTICULAR", "ORAL", "SUBCUTANEOUS", "INTRAMUSCULAR", "INTRAVENOUS", "TOPICAL",
    ],
    "FRM": ["INJECTION", "INJECTION, SUSPENSION", "SUSPENSION", "TABLET"],
    "SPECTYPE": ["BLOOD", "SERUM", "PLASMA", "URINE"],
    "METHOD": [],
    "QSCAT": [
        "HAQ-DI WITH VAS", "HAQ-DI WITHOUT VAS",
        "WOMAC LK 3.1 INDEX", "WOMAC NRS 3.1 INDEX", "WOMAC VA 3.1 INDEX",
    ],
    "LBTESTCD": [],
    "LBTEST": [],
}  # fmt: skip

# A form item's variable -> the code list its choice codes belong to (SDTMIG 3.4)
CHOICE_CODELISTS = {"CMDOSU": "UNIT", "CMROUTE": "ROUTE", "EXDOSU": "UNIT"}


def load_cache(wheel: Path) -> dict[str, Any]:
    with zipfile.ZipFile(wheel) as archive, archive.open(MEMBER) as handle:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data: dict[str, Any] = yaml.load(handle, Loader=loader)  # noqa: S506 (safe loader)
    return data


def form_targets() -> list[dict[str, Any]]:
    """Every form item's sdtm target, with its choice codes, from the bundled studies."""
    targets = []
    for path in sorted(FORMS.glob("*/forms/*.yaml")):
        form = yaml.safe_load(path.read_text(encoding="utf-8"))
        for item in form.get("items", []):
            if isinstance(item.get("sdtm"), dict):
                choices = [str(c["code"]) for c in item.get("choices", [])]
                targets.append({**item["sdtm"], "_choices": choices, "_where": path.name})
    return targets


def named_codelists(cache: dict[str, Any]) -> set[str]:
    """Short names of the code lists the SDTM/ADaM modules (and their variable tables) name
    by NCI code: shipped whole unless PART ships them in part."""
    names = set()
    for path in sorted(CDISC.rglob("*")):
        if path.suffix not in {".py", ".csv"} or "terminology" in path.parts:
            continue
        for code in re.findall(r"\bC\d{4,6}\b", path.read_text(encoding="utf-8")):
            entry = cache.get(code)
            if entry is not None and entry["source"]["effective_date"] == EFFECTIVE:
                names.add(entry["submissionValue"])
    return names


def wanted_terms(cache: dict[str, Any], by_name: dict[str, str]) -> dict[str, set[str]]:
    """Short name of a part-shipped code list -> the submission values to ship."""
    wanted = {name: set(values) for name, values in PART.items()}
    by_code: dict[str, list[tuple[str, str]]] = {}
    for name in wanted:
        for term in cache[by_name[name]]["terms"]:
            by_code.setdefault(term["conceptId"], []).append((name, term["submissionValue"]))
    for target in form_targets():
        for key, codelist in (("orresu", "UNIT"), ("loc", "LOC"), ("method", "METHOD")):
            if target.get(key):
                wanted[codelist].add(str(target[key]))
        if target.get("cat") and target["domain"] == "QS":
            values = {t["submissionValue"] for t in cache[by_name["QSCAT"]]["terms"]}
            if target["cat"] in values:  # sponsor-defined categories stay out
                wanted["QSCAT"].add(target["cat"])
        for name, value in by_code.get(str(target.get("ct")), []):
            wanted[name].add(value)  # a test code and its test name share the C-code
        choice_list = CHOICE_CODELISTS.get(str(target.get("variable")))
        if choice_list:
            values = {t["submissionValue"] for t in cache[by_name[choice_list]]["terms"]}
            wanted[choice_list].update(c for c in target["_choices"] if c in values)
    return wanted


def subset(cache: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    by_name: dict[str, str] = {}
    for code, entry in cache.items():
        if entry["source"]["effective_date"] == EFFECTIVE:
            by_name.setdefault(entry["submissionValue"], code)
    problems = [f"code list {n} not in the source" for n in [*WHOLE, *PART] if n not in by_name]
    if problems:
        return {}, problems
    wanted = wanted_terms(cache, by_name)
    out: dict[str, Any] = {}
    shipped = {*WHOLE, *PART, *named_codelists(cache)}
    for name in sorted(shipped, key=lambda n: by_name[n]):
        entry = cache[by_name[name]]
        terms = {t["submissionValue"]: t["conceptId"] for t in entry["terms"]}
        if name in PART:
            missing = sorted(wanted[name] - set(terms))
            problems += [f"{name}: term {v!r} not in the source" for v in missing]
            kept = {v: terms[v] for v in sorted(wanted[name] & set(terms))}
        else:
            kept = dict(sorted(terms.items()))
        out[by_name[name]] = {
            "short_name": name,
            "name": entry["name"],
            "extensible": str(entry["extensible"]).lower() == "true",
            "package": entry["source"]["package"],
            "complete": name not in PART,
            "source_terms": len(terms),
            "terms": kept,
        }
    return out, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="usdm4-0.29.0-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    wheel: Path = args.wheel
    cache = load_cache(wheel)
    codelists, problems = subset(cache)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    document = {
        "source": {
            "terminology": "CDISC SDTM Controlled Terminology (NCI EVS)",
            "version": f"sdtmct-{EFFECTIVE}",
            "package": "usdm4",
            "package_version": "0.29.0",
            "wheel": wheel.name,
            "wheel_sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
            "file": MEMBER,
            "read": date.today().isoformat(),
            "extracted_by": "tools/extract_ct.py",
        },
        "codelists": codelists,
    }
    header = (
        "# CDISC SDTM controlled terminology, a dated subset (sdtmct-2025-03-28).\n"
        "# Generated by tools/extract_ct.py; do not edit by hand (see README.md here).\n"
        "# Per code list: NCI code, short name, name, extensible, the CT package the source\n"
        "# files it under, whether every term is shipped, and submission value -> NCI code.\n"
    )
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    args.out.write_text(header + text, encoding="utf-8")
    shipped = sum(len(c["terms"]) for c in codelists.values())
    print(f"{args.out}: {len(codelists)} code lists, {shipped} terms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
