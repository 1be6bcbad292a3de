"""DS, Disposition (SDTMIG 3.4 §6.2.3): for each person, the informed consent (a protocol
milestone, CT PROTMLST C114118 "INFORMED CONSENT OBTAINED"), and how taking part ended: a
screen failure (CT NCOMPLT C66727 "SCREEN FAILURE") or the end of participation the site
recorded (trial/conduct/disposition.py, its terms are NCOMPLT submission values). DSCAT
(CT DSCAT C74558) tells the milestone from the disposition event; EPOCH is the epoch the
event falls in. A participant still taking part has no disposition event yet."""

from __future__ import annotations

from datetime import date

from trialdesk.reports.cdisc.dataset import Dataset, Value, with_sequence
from trialdesk.reports.cdisc.sdtm.source import SdtmSource, Subject
from trialdesk.reports.cdisc.sdtm.timing import epoch_on, full_date, study_day_of
from trialdesk.reports.cdisc.sdtm.trial_design import ascii_text
from trialdesk.reports.cdisc.sdtm.variables import domain_variables

__all__ = ["ds_domain"]

VARIABLES = domain_variables(
    "DS",
    "STUDYID DOMAIN USUBJID DSSEQ DSTERM DSDECOD DSCAT EPOCH DSSTDTC DSSTDY",
    # DSDECOD takes NCOMPLT (C66727) for a disposition event and PROTMLST (C114118) for a
    # milestone (SDTMIG 3.4 DS; the IG lists both): one CodeListRef would call the other's
    # values sponsor extensions, and define.xml here has no value-level metadata
    # (ValueListDef/WhereClauseDef by DSCAT) to give each its own, so DSDECOD has none.
    codelists={"DSDECOD": None},
)


def ds_domain(source: SdtmSource) -> Dataset:
    schedule = source.study.schedule
    rows: list[dict[str, Value]] = []
    for subject in source.subjects:
        s = subject.screened
        day1 = subject.day1(schedule)

        def event(
            term: str, decod: str, cat: str, on: str, subject: Subject = subject,
            day1: date | None = day1,
        ) -> dict[str, Value]:  # fmt: skip
            return {
                "STUDYID": source.studyid, "DOMAIN": "DS", "USUBJID": subject.usubjid,
                "DSTERM": term, "DSDECOD": decod, "DSCAT": cat,
                "EPOCH": epoch_on(schedule, day1, full_date(on)) if schedule else "",
                "DSSTDTC": on, "DSSTDY": study_day_of(day1, on),
            }  # fmt: skip

        if s.consented_on is not None:
            consent = s.consented_on.isoformat()
            rows.append(event("INFORMED CONSENT OBTAINED", "INFORMED CONSENT OBTAINED",
                              "PROTOCOL MILESTONE", consent))  # fmt: skip
        if not subject.enrolled:
            on = s.outcome_on.isoformat() if s.outcome_on else ""
            # a screen failure, or a decline after consent (extract.py Screened.closing_decod)
            decod = s.closing_decod or "SCREEN FAILURE"
            term = ascii_text(s.outcome_reason or "") or decod
            rows.append(event(term[:200], decod, "DISPOSITION EVENT", on))
            continue
        ended = (subject.casebook or {}).get("disposition")
        if ended:
            term = ascii_text(ended.get("reason") or "") or ended["term"]
            rows.append(event(term[:200], ended["term"], "DISPOSITION EVENT", ended["ended_on"]))
    return Dataset(
        name="DS", label="Disposition", variables=VARIABLES,
        rows=tuple(with_sequence(rows, "DSSEQ")),
        keys=("STUDYID", "USUBJID", "DSDECOD", "DSSTDTC"),
        structure="One record per disposition status or protocol milestone per subject",
        dataset_class="EVENTS",
    )  # fmt: skip
