"""IE, Inclusion/Exclusion Criteria Not Met (SDTMIG 3.4 §6.3.4): one record per criterion
that excluded the person at screening, from the eligibility engine's per-criterion results
on the record as it stood on the screening date, signed judgments applied
(trial/review/extract.py). Only exceptions are submitted (SDTMIG 3.4 IE assumption 1): an
inclusion criterion not met (IEORRES "N") or an exclusion criterion met (IEORRES "Y"), CT
NY; IECAT INCLUSION or EXCLUSION (CT C66797); IETESTCD the criterion id as in TI. An
enrolled participant has none unless the engine's result and the enrolment disagree (a
waiver), which is then visible here. Criteria still unknown or awaiting review are not
exceptions and are not submitted."""

from __future__ import annotations

from trialdesk.reports.cdisc.dataset import Dataset, Value, with_sequence
from trialdesk.reports.cdisc.sdtm.source import SdtmSource
from trialdesk.reports.cdisc.sdtm.timing import epochs, screening_visit, study_day_of
from trialdesk.reports.cdisc.sdtm.trial_design import ie_test
from trialdesk.reports.cdisc.sdtm.variables import domain_variables

__all__ = ["ie_domain"]

VARIABLES = domain_variables(
    "IE",
    "STUDYID DOMAIN USUBJID IESEQ IETESTCD IETEST IECAT IEORRES IESTRESC VISITNUM VISIT "
    "VISITDY EPOCH IEDTC IEDY",
)


def ie_domain(source: SdtmSource) -> Dataset:
    study = source.study
    schedule = study.schedule
    first_epoch = epochs(schedule)[0].name if schedule is not None and epochs(schedule) else ""
    rows: list[dict[str, Value]] = []
    for subject in source.subjects:
        s = subject.screened
        day1 = subject.day1(schedule)
        on = s.screened_on.isoformat() if s.screened_on else ""
        visits = screening_visit(schedule, s.screened_on) if schedule is not None else []
        visit: dict[str, Value] = (
            {"VISITNUM": visits[0].visitnum, "VISIT": visits[0].name, "VISITDY": visits[0].visitdy}
            if visits else {}
        )  # fmt: skip
        for c in s.criteria:
            if not c.excludes:
                continue
            criterion = study.criteria.get(c.id)
            result = "N" if c.inclusion else "Y"
            rows.append({
                "STUDYID": source.studyid, "DOMAIN": "IE", "USUBJID": subject.usubjid,
                "IETESTCD": c.id, "IETEST": ie_test(criterion.text) if criterion else c.id,
                "IECAT": "INCLUSION" if c.inclusion else "EXCLUSION",
                "IEORRES": result, "IESTRESC": result, **visit, "EPOCH": first_epoch,
                "IEDTC": on, "IEDY": study_day_of(day1, on),
            })  # fmt: skip
    return Dataset(
        name="IE", label="Inclusion/Exclusion Criteria Not Met", variables=VARIABLES,
        rows=tuple(with_sequence(rows, "IESEQ")), keys=("STUDYID", "USUBJID", "IETESTCD"),
        structure="One record per I/E criterion not met per subject", dataset_class="FINDINGS",
    )  # fmt: skip
