"""A Study: the registry record, its computable criteria and value sets, from one folder.

A study folder holds ``ctgov.json`` (ClinicalTrials.gov API v2 record), ``criteria.yaml``,
``participant.yaml`` (the date anchors and per-participant parameters; the default when
absent) and optionally ``valuesets.yaml`` (study-specific value sets added to the bundled
ones). The conduct half is optional too (study/protocol.py, docs/protocol.md):
``schedule.yaml`` (the visits), ``forms/<form id>.yaml`` (the case report forms) and
``endpoints.yaml``; a study that only screens has none of them.
Bundled studies live in ``trialdesk/study/studies/<NCT id>/``; any other folder works too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from trialdesk.clinical.valueset_files import bundled_valuesets, load_valuesets
from trialdesk.clinical.valuesets import ValueSet
from trialdesk.criteria.load import check_criteria, load_criteria
from trialdesk.criteria.model import CriteriaSet
from trialdesk.criteria.participant import Participant
from trialdesk.criteria.screening import Screener
from trialdesk.errors import StudyError
from trialdesk.study.ctgov import CtgovRecord, load_ctgov_record
from trialdesk.study.endpoints import Endpoint
from trialdesk.study.forms import Form
from trialdesk.study.participant import load_participant, read_participant
from trialdesk.study.protocol import read_protocol
from trialdesk.study.safety_file import Safety, check_safety, load_safety
from trialdesk.study.schedule import Schedule
from trialdesk.study.sdv_file import SdvPlan, check_sdv, load_sdv

BUNDLED = Path(__file__).with_name("studies")
DEFAULT_STUDY = "NCT06947746"


@dataclass(frozen=True)
class Study:
    id: str
    folder: Path
    record: CtgovRecord
    criteria: CriteriaSet
    valuesets: dict[str, ValueSet]
    # the conduct half (schedule.yaml, forms/, endpoints.yaml): none for a screening study
    schedule: Schedule | None = None
    forms: Mapping[str, Form] = field(default_factory=dict)
    endpoints: tuple[Endpoint, ...] = ()
    # safety.yaml: adverse events of special interest, stopping rules, the safety contact
    safety: Safety = field(default_factory=Safety)
    sdv: SdvPlan | None = None  # sdv.yaml: the source data verification plan

    @cached_property
    def screener(self) -> Screener:
        """The study's one Screener: its code matcher caches what it has matched, so the
        self-check, the screening pages and the CLI share it for the life of the study."""
        return Screener(self.criteria, self.valuesets, self.id)

    @property
    def participant(self) -> Participant:
        """The study's date anchors and per-participant parameters (participant.yaml)."""
        return self.criteria.participant

    @property
    def title(self) -> str:
        return self.record.title

    @property
    def target_enrollment(self) -> int | None:
        design = self.record.protocolSection.designModule
        info = design.enrollmentInfo if design else None
        return info.count if info else None


def bundled_study_ids() -> list[str]:
    return sorted(p.name for p in BUNDLED.iterdir() if (p / "ctgov.json").is_file())


def study_folder(id_or_path: str) -> Path:
    """A bundled study by NCT id, or a study folder by path."""
    bundled = BUNDLED / id_or_path
    if (bundled / "ctgov.json").is_file():
        return bundled
    path = Path(id_or_path)
    if path.is_dir():
        return path
    known = ", ".join(bundled_study_ids())
    raise StudyError(f"no study '{id_or_path}': not a bundled study ({known}) nor a folder")


def _valuesets(folder: Path) -> dict[str, ValueSet]:
    merged = dict(bundled_valuesets())
    extra = folder / "valuesets.yaml"
    if extra.is_file():
        for name, vs in load_valuesets(extra).items():
            if name in merged:
                raise StudyError(f"value set '{name}' is already bundled", file=str(extra))
            merged[name] = vs
    return merged


@lru_cache(maxsize=16)
def _load(folder: Path) -> Study:
    record = load_ctgov_record(folder / "ctgov.json")
    valuesets = _valuesets(folder)
    participant = load_participant(folder)
    criteria_file = folder / "criteria.yaml"
    if not criteria_file.is_file():
        raise StudyError("the study has no criteria file", file=str(criteria_file))
    criteria = load_criteria(criteria_file, frozenset(valuesets), participant)
    if criteria.study != record.nct_id:
        raise StudyError(
            f"the criteria file is for {criteria.study} but the record is {record.nct_id}",
            file=str(criteria_file),
            field="study",
        )
    # units that differ are checked to convert by `study check` (check_study), not here:
    # that builds the UCUM registry, seconds at the web app's start
    protocol = read_protocol(
        folder, participant, valuesets, criteria.parameters, convert_units=False
    )
    if protocol.problems:
        _raise_first(protocol.problems)
    return Study(
        record.nct_id,
        folder,
        record,
        criteria,
        valuesets,
        schedule=protocol.protocol.schedule,
        forms=protocol.protocol.forms,
        endpoints=protocol.protocol.endpoints,
        safety=load_safety(folder),
        sdv=load_sdv(folder, protocol.protocol),
    )


def _raise_first(problems: list[StudyError]) -> None:
    first = problems[0]
    if len(problems) > 1:
        first.message += f" (and {len(problems) - 1} more problem(s); run `trialdesk study check`)"
    raise first


def load_study(id_or_path: str = DEFAULT_STUDY) -> Study:
    return _load(study_folder(id_or_path).resolve())


def check_study(folder: Path) -> list[StudyError]:
    """Every problem in a study folder (empty when it is sound)."""
    return check_study_all(folder)[0]


def check_study_all(folder: Path) -> tuple[list[StudyError], list[StudyError]]:
    """Every problem in a study folder, and every warning (it loads, but something is
    missing a site should see: a text without its Chinese, a form due at no visit)."""
    problems: list[StudyError] = []
    record = None
    try:
        record = load_ctgov_record(folder / "ctgov.json")
    except StudyError as exc:
        problems.append(exc)
    try:
        valuesets = _valuesets(folder)
    except StudyError as exc:
        problems.append(exc)
        valuesets = dict(bundled_valuesets())
    participant, found_problems = read_participant(folder)
    problems.extend(found_problems)
    criteria_file = folder / "criteria.yaml"
    parameters = {}
    if not criteria_file.is_file():
        problems.append(StudyError("missing criteria file", file=str(criteria_file)))
    else:
        found = check_criteria(
            criteria_file.read_text(encoding="utf-8"),
            frozenset(valuesets),
            participant,
            file=str(criteria_file),
        )
        if isinstance(found, list):
            problems.extend(found)
        else:
            parameters = found.parameters
            if record is not None and found.study != record.nct_id:
                problems.append(
                    StudyError(
                        f"criteria are for {found.study}, the record is {record.nct_id}",
                        file=str(criteria_file),
                        field="study",
                    )
                )
    protocol = read_protocol(folder, participant, valuesets, parameters)
    safety_problems, safety_warnings = check_safety(folder)
    sdv_problems, sdv_warnings = check_sdv(folder, protocol.protocol)
    return (
        problems + protocol.problems + safety_problems + sdv_problems,
        protocol.warnings + safety_warnings + sdv_warnings,
    )
