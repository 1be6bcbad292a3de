"""The conformance checker: a stated set of Pinnacle 21 / FDA Validator rules over a
directory of SDTM datasets and its define.xml (docs/cdisc-check.md lists them).

Families: dates (ISO 8601, start before end, study days), identifiers (DOMAIN, --SEQ,
USUBJID, DM's arms and age variable), subjects (SUBJID, age, death, DS/EX per subject,
arms in TA), visits (VISIT/VISITNUM, SV), findings (units, baselines, duplicates, NOT DONE,
test codes), events (AE end, seriousness, death, after disposition), design (TE, TS),
metadata (define.xml, required values, lengths). run.py loads and runs them; report.py
prints the result as text or JSON."""
