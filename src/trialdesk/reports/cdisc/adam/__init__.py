"""ADaM: the analysis datasets, derived from the SDTM datasets by small named functions
(CDISC ADaMIG v1.3, ADaM OCCDS v1.1; pharmaverse admiral as the reference of behaviour).

- adsl.py: ADSL from DM, EX, DS (treatment dates, end of study, populations);
- adae.py: ADAE from AE (analysis dates with imputation, TRTEMFL, worst grade, first
  occurrences, relationship groups);
- adlb.py: ADLB from LB (BDS: baseline, change, CTCAE grade shifts);
- adeff.py: ADEFF, the efficacy scores the endpoints read (BDS with analysis windows);
- dates.py, occds.py, bds.py, findings.py: the derivations they share.

``adam_datasets(study, sdtm)`` builds them all from SDTM datasets by domain name.
"""

from __future__ import annotations

from collections.abc import Mapping

from trialdesk.reports.cdisc.adam.adae import adae
from trialdesk.reports.cdisc.adam.adeff import adeff, efficacy_parameters
from trialdesk.reports.cdisc.adam.adlb import adlb
from trialdesk.reports.cdisc.adam.adsl import adsl, derive_fasfl
from trialdesk.reports.cdisc.adam.bds import windows_from_schedule
from trialdesk.reports.cdisc.dataset import Dataset
from trialdesk.study.loader import Study

__all__ = ["adam_datasets"]


def adam_datasets(study: Study, sdtm: Mapping[str, Dataset]) -> list[Dataset]:
    """ADSL, ADAE, ADLB and ADEFF of the study from its SDTM datasets by domain name (DM
    required; AE, LB and the efficacy domains give their dataset when present). Analysis
    windows are the study schedule's visit windows."""
    if "DM" not in sdtm:
        raise KeyError(
            "ADaM needs the SDTM DM dataset (domains given: " + ", ".join(sorted(sdtm)) + ")"
        )
    windows = windows_from_schedule(study.schedule) if study.schedule is not None else ()
    subjects = adsl(sdtm)
    efficacy = adeff(sdtm, subjects, efficacy_parameters(study), windows)
    subjects = derive_fasfl(subjects, efficacy.rows)
    fas = {r["USUBJID"]: r["FASFL"] for r in subjects.rows}
    efficacy = efficacy.with_rows({**r, "FASFL": fas.get(r["USUBJID"], "N")} for r in efficacy.rows)
    out = [subjects]
    if "AE" in sdtm:
        out.append(adae(sdtm["AE"], subjects))
    if "LB" in sdtm:
        out.append(adlb(sdtm["LB"], subjects, windows))
    out.append(efficacy)
    return out
