"""A Define-XML 2.1 document (odmlib's define_2_1 model) from the datasets themselves.

CDISC Define-XML 2.1.0 specification (2019): per dataset an ItemGroupDef (§5.3.5: Purpose
Tabulation or Analysis, def:Structure, def:Class, def:StandardOID, def:leaf to the file),
its ItemRefs in variable order with KeySequence (the dataset's keys) and Role (SDTM only),
an ItemDef per variable (§5.3.6: DataType, Length, SASFieldName, Description, def:Origin,
CodeListRef, def:ValueListRef, def:CommentOID), the value-level metadata of the Findings
results and SUPP-- QVAL with their MethodDefs (value_level.py, methods.py), the CodeLists
(codelists.py), the comments on how adverse events are coded (comments.py) and the
def:Standards (§5.3.2): the implementation guide and the CDISC CT package the code lists
come from.

Everything wrong is reported at once (FieldErrors naming dataset and variable); a document
that builds is then checked against the Define-XML 2.1 schema by write.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, cast

import odmlib.define_2_1.model as DEFINE

from trialdesk import __version__
from trialdesk.errors import FieldErrors, InputError, TrialdeskError
from trialdesk.reports.cdisc import terminology
from trialdesk.reports.cdisc.dataset import Dataset, Variable
from trialdesk.reports.cdisc.define.codelists import CT_STANDARD_OID, plan_codelists
from trialdesk.reports.cdisc.define.comments import AE_CODING, comment_defs, comment_oid
from trialdesk.reports.cdisc.define.lengths import number_length, text_length
from trialdesk.reports.cdisc.define.value_level import value_level

__all__ = [
    "DefineStudy",
    "StudyLike",
    "build_define",
    "define_study",
    "metadata_version_oid",
    "parse_standard",
]

IG_STANDARD_OID = "STD.IG"

# define-enumerations.xsd OriginType; the Source each Type takes here (§5.3.6.2: Source is
# who collected or assigned the value)
ORIGIN_SOURCE = {
    "Collected": "Investigator",
    "Assigned": "Sponsor",
    "Derived": "Sponsor",
    "Protocol": "Sponsor",
    "Predecessor": None,
    "Not Available": None,
    "Other": None,
}
# the Define-XML Class names of the SDTMIG 3.4 and ADaMIG observation classes whose data are
# reference data, not subject data (IsReferenceData="Yes"): the trial design datasets
REFERENCE_CLASSES = frozenset({"TRIAL DESIGN", "REFERENCE DATA STRUCTURE", "STUDY REFERENCE"})


@dataclass(frozen=True)
class DefineStudy:
    """What define.xml says of the study (ODM GlobalVariables)."""

    oid: str  # the STUDYID, e.g. "NCT06947746"
    name: str
    description: str
    protocol_name: str
    # external dictionaries and their versions. PROTOCOL ASSUMPTION (for the sponsor to
    # confirm): with no MedDRA loaded, AEDECOD/AEBODSYS are CTCAE v5.0 terms and their SOCs,
    # which are MedDRA 20.1 lowest level terms (NCI CTCAE v5.0, 27 Nov 2017, p. 1).
    dictionaries: Mapping[str, str] = field(default_factory=lambda: {"MedDRA": "20.1"})
    # def:CommentDef text by variable name, wherever the variable occurs; by default how
    # the adverse events are coded without MedDRA (comments.py, the same assumption)
    comments: Mapping[str, str] = field(default_factory=lambda: dict(AE_CODING))


class StudyLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...


def define_study(study: DefineStudy | StudyLike) -> DefineStudy:
    """A trialdesk Study (anything with an id and a title) as define.xml's study metadata."""
    if isinstance(study, DefineStudy):
        return study
    return DefineStudy(oid=study.id, name=study.id, description=study.title, protocol_name=study.id)


def metadata_version_oid(study_oid: str) -> str:
    """The MetaDataVersion OID of the study's define.xml, which each Dataset-JSON file
    names as its metaDataVersionOID (Dataset-JSON 1.1, "Dataset Attributes")."""
    return f"MDV.{study_oid}"


def parse_standard(standard: str) -> tuple[str, str, str]:
    """ "SDTMIG 3.4" -> ("SDTMIG", "3.4", "Tabulation"); "ADaMIG 1.3" -> (..., "Analysis")."""
    name, _, version = standard.strip().rpartition(" ")
    if not name or not version:
        raise InputError(
            f"standard {standard!r} is not '<name> <version>', e.g. 'SDTMIG 3.4'",
            field="standard",
        )
    purpose = "Analysis" if name.upper().startswith("ADAM") else "Tabulation"
    return name, version, purpose


def _text(content: str) -> DEFINE.Description:
    return DEFINE.Description(TranslatedText=[DEFINE.TranslatedText(_content=content, lang="en")])


def _length(dataset: Dataset, variable: Variable) -> tuple[int | None, int | None]:
    """Length and SignificantDigits (§5.3.6): bytes for text (XPT stores bytes), digits for
    numbers; None where the DataType takes none (dates and times)."""
    if variable.kind == "Char":
        if variable.data_type != "text":
            return None, None
        if variable.length is not None:
            return variable.length, None
        # a text column: all str
        return text_length(cast(list[str], dataset.column(variable.name))), None
    numbers = [v for v in dataset.column(variable.name) if not isinstance(v, str)]
    digits, decimals = number_length(numbers)
    if variable.data_type == "float":
        return digits, decimals
    return digits, None


def _item_def(
    dataset: Dataset, variable: Variable, problems: list[TrialdeskError]
) -> DEFINE.ItemDef:
    length, significant = _length(dataset, variable)
    item = DEFINE.ItemDef(
        OID=f"IT.{dataset.name}.{variable.name}",
        Name=variable.name,
        DataType=variable.data_type,
        Length=length,
        SignificantDigits=significant,
        SASFieldName=variable.name,
    )
    item.Description = _text(variable.label)
    if variable.origin is not None:
        if variable.origin not in ORIGIN_SOURCE:
            problems.append(
                InputError(
                    f"origin {variable.origin!r} is not a Define-XML 2.1 origin type"
                    f" ({', '.join(ORIGIN_SOURCE)})",
                    resource=dataset.name,
                    field=f"{dataset.name}.{variable.name}",
                )
            )
        else:
            item.Origin = [
                DEFINE.Origin(Type=variable.origin, Source=ORIGIN_SOURCE[variable.origin])
            ]
    return item


def _item_group(
    dataset: Dataset, purpose: str, leaf: str, problems: list[TrialdeskError]
) -> DEFINE.ItemGroupDef:
    for attribute, label in (("structure", "def:Structure"), ("dataset_class", "def:Class")):
        if not getattr(dataset, attribute):
            problems.append(
                InputError(
                    f"has no {attribute} ({label}, required by Define-XML 2.1)",
                    resource=dataset.name,
                    field=f"{dataset.name}.{attribute}",
                )
            )
    unknown_keys = [k for k in dataset.keys if k not in dataset.names]
    if unknown_keys:
        problems.append(
            InputError(
                f"keys {unknown_keys} are not variables of the dataset",
                resource=dataset.name,
                field=f"{dataset.name}.keys",
            )
        )
    one_per_subject = dataset.structure.lower().startswith("one record per subject")
    group = DEFINE.ItemGroupDef(
        OID=f"IG.{dataset.name}",
        Name=dataset.name,
        Repeating="No" if one_per_subject else "Yes",
        IsReferenceData="Yes" if dataset.dataset_class.upper() in REFERENCE_CLASSES else "No",
        SASDatasetName=dataset.name,
        Purpose=purpose,
        Structure=dataset.structure or "unknown",
        StandardOID=IG_STANDARD_OID,
        ArchiveLocationID=f"LF.{dataset.name}",
    )
    if purpose == "Tabulation":
        group.Domain = str(dataset.extra.get("domain", dataset.name))
    group.Description = _text(dataset.label)
    group.Class = DEFINE.Class(Name=dataset.dataset_class.upper() or "unknown")
    keys = {name: i for i, name in enumerate(dataset.keys, start=1)}
    for order, v in enumerate(dataset.variables, start=1):
        mandatory = v.core == "Req" or v.name in keys
        ref = DEFINE.ItemRef(
            ItemOID=f"IT.{dataset.name}.{v.name}",
            OrderNumber=order,
            Mandatory="Yes" if mandatory else "No",
            KeySequence=keys.get(v.name),
        )
        if purpose == "Tabulation" and v.role:
            ref.Role = v.role
        group.ItemRef.append(ref)
    group.leaf = DEFINE.leaf(ID=f"LF.{dataset.name}", href=leaf)
    group.leaf.title = DEFINE.title(_content=leaf)
    return group


def build_define(
    datasets: Sequence[Dataset],
    *,
    study: DefineStudy | StudyLike,
    standard: str = "SDTMIG 3.4",
    leaf_suffix: str = ".xpt",
    created: datetime | None = None,
) -> DEFINE.ODM:
    """The define.xml 2.1 document for these datasets (files named <dataset>.xpt, lower
    case, beside it). Raises FieldErrors with every problem found."""
    meta = define_study(study)
    name, version, purpose = parse_standard(standard)
    problems: list[TrialdeskError] = []
    names = [d.name for d in datasets]
    if len(set(names)) != len(names):
        problems.append(InputError(f"a dataset is listed twice: {names}", field="datasets"))

    mdv = DEFINE.MetaDataVersion(
        OID=metadata_version_oid(meta.oid),
        Name=f"{meta.oid} {name} {version} define.xml",
        Description=f"Data definitions for {meta.oid} ({name} {version})",
        DefineVersion="2.1.0",
    )
    ct_date = terminology.version.removeprefix("sdtmct-")
    mdv.Standards = DEFINE.Standards(
        Standard=[
            DEFINE.Standard(
                OID=IG_STANDARD_OID, Name=name, Type="IG", Version=version, Status="Final"
            ),
            DEFINE.Standard(
                OID=CT_STANDARD_OID,
                Name="CDISC/NCI",
                Type="CT",
                PublishingSet="SDTM",
                Version=ct_date,
                Status="Final",
            ),
        ]
    )
    for dataset in datasets:
        leaf = f"{dataset.name.lower()}{leaf_suffix}"
        mdv.ItemGroupDef.append(_item_group(dataset, purpose, leaf, problems))
    used, codelist_problems = plan_codelists(datasets)
    problems += codelist_problems
    # a variable names its code list when a value of it occurs (the value level may add
    # values to a list later: a variable does not name it for those)
    shown = {key: plan.oid for key, plan in used.items() if not plan.empty}
    plans = {plan.oid: plan for plan in used.values()}
    values = value_level(datasets, plans)
    commented: set[str] = set()
    for dataset in datasets:
        for variable in dataset.variables:
            item = _item_def(dataset, variable, problems)
            if (oid := shown.get((dataset.name, variable.name))) is not None:
                item.CodeListRef = DEFINE.CodeListRef(CodeListOID=oid)
            if (oid := values.refs.get((dataset.name, variable.name))) is not None:
                item.ValueListRef = DEFINE.ValueListRef(ValueListOID=oid)
            if variable.name in meta.comments:
                item.CommentOID = comment_oid(variable.name)
                commented.add(variable.name)
            mdv.ItemDef.append(item)
    mdv.ValueListDef = values.value_lists
    mdv.WhereClauseDef = values.where_clauses
    mdv.ItemDef.extend(values.items)
    for oid in sorted(plans):
        if not plans[oid].empty:
            mdv.CodeList.append(plans[oid].to_model(meta.dictionaries))
    mdv.MethodDef = [values.methods[oid] for oid in sorted(values.methods)]
    mdv.CommentDef = comment_defs(meta.comments, commented)
    if problems:
        raise FieldErrors(problems, resource="define.xml")

    study_model = DEFINE.Study(OID=meta.oid)
    study_model.GlobalVariables = DEFINE.GlobalVariables(
        StudyName=DEFINE.StudyName(_content=meta.name),
        StudyDescription=DEFINE.StudyDescription(_content=meta.description),
        ProtocolName=DEFINE.ProtocolName(_content=meta.protocol_name),
    )
    study_model.MetaDataVersion = mdv
    when = (created or datetime.now(UTC)).isoformat(timespec="seconds")
    return DEFINE.ODM(
        FileOID=f"{meta.oid}.define",
        FileType="Snapshot",
        CreationDateTime=when,
        ODMVersion="1.3.2",
        Originator="trialdesk",
        SourceSystem="trialdesk",
        SourceSystemVersion=__version__,
        Context="Submission",
        Study=study_model,
    )
