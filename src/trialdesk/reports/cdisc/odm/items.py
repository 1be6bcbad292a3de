"""A form's items as ODM 1.3.2 definitions: ItemDef, CodeList, MethodDef, RangeCheck.

What each carries and why (CDISC ODM 1.3.2 specification, §3.1.2 "Metadata"):
- ItemDef DataType from the item's type (a choice takes integer when every code is a whole
  number, as the questionnaires' 0..4 are, else text; its CodeList takes the same type);
  Length where the study folder fixes it (the longest code of a choice, the digits of an
  integer's hard range), SignificantDigits where the calculator fixes it (DAS28 to 2
  decimals); nothing is guessed for free text or typed decimals.
- Question: the label, in English and Chinese (xml:lang "en" and "zh-CN", the study
  folder's locales); Description: the help text, likewise.
- MeasurementUnitRef to the item's UCUM unit (BasicDefinitions, metadata.py).
- RangeCheck: the hard range (refused on entry) as SoftHard="Hard", GE min / LE max; the
  expected range (a query, the value kept) as SoftHard="Soft".
- CodeListRef -> CodeList: every choice a CodeListItem with its Decode in both languages.
- Derived items: Origin "Derived", a Comment naming the calculator and a MethodDef
  (Type "Computation") naming it, its version, inputs and source; typed items: Origin
  "Collected".
- Alias Context "SDTM" Name "<DOMAIN>.<TESTCD or variable>" (the item's SDTM target), and
  Context "nci:ExtCodeID" with the CDISC CT term's NCI code where the folder gives one.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import odmlib.odm_1_3_2.model as ODM

from trialdesk.clinical.calculators import calculator
from trialdesk.errors import FactError, InputError, TrialdeskError
from trialdesk.reports.cdisc.odm.oids import codelist_oid, item_oid, method_oid, unit_oid
from trialdesk.study.forms import Form, Item, ItemType
from trialdesk.study.texts import Text

__all__ = [
    "ODM_LANGS",
    "codelist",
    "data_type",
    "given",
    "item_def",
    "method_def",
    "translated",
]

# the study folder's two locales as xml:lang tags (study/texts.py LOCALES)
ODM_LANGS = ("en", "zh-CN")

_DATA_TYPES = {
    ItemType.INTEGER: "integer",
    ItemType.DECIMAL: "float",
    ItemType.TEXT: "text",
    ItemType.DATE: "date",
    ItemType.DATETIME: "datetime",
    ItemType.BOOLEAN: "boolean",
}


def given(**attributes: object) -> dict[str, object]:
    """The attributes that have a value: odmlib refuses None for an optional one."""
    return {k: v for k, v in attributes.items() if v is not None}


def translated(text: Text) -> list[ODM.TranslatedText]:
    """English always; Chinese where the folder has it (a missing translation is left out,
    never filled with the English under a Chinese tag)."""
    out = [ODM.TranslatedText(_content=text.en, lang=ODM_LANGS[0])]
    if text.zh_cn:
        out.append(ODM.TranslatedText(_content=text.zh_cn, lang=ODM_LANGS[1]))
    return out


def _whole(code: str) -> bool:
    try:
        return Decimal(code) == Decimal(code).to_integral_value() and code.strip() == code
    except InvalidOperation:
        return False


def data_type(item: Item) -> str:
    if item.type is ItemType.CHOICE:
        whole = item.choices and all(_whole(c.code) for c in item.choices)
        return "integer" if whole else "text"
    return _DATA_TYPES[item.type]


def _digits(value: float) -> int:
    return len(str(abs(int(value))))


def _length(item: Item, kind: str, decimals: int | None) -> tuple[int | None, int | None]:
    """(Length, SignificantDigits) where the folder or the calculator fixes them."""
    if item.type is ItemType.CHOICE:
        return max(len(c.code) for c in item.choices), None
    if kind == "integer" and item.minimum is not None and item.maximum is not None:
        sign = 1 if item.minimum < 0 else 0
        return max(_digits(item.minimum), _digits(item.maximum)) + sign, None
    if kind == "float" and decimals is not None:
        whole = _digits(item.maximum) if item.maximum is not None else None
        return (whole + decimals if whole is not None else None), decimals
    return None, None


def _number(value: float) -> str:
    """A range limit as ODM writes a number: 50, not 50.0."""
    return format(Decimal(repr(value)).normalize(), "f")


def _range_checks(item: Item) -> list[ODM.RangeCheck]:
    unit = f" {item.unit}" if item.unit else ""
    checks = []
    limits = (
        ("Hard", "GE", item.minimum, "at least", "不得低于"),
        ("Hard", "LE", item.maximum, "at most", "不得高于"),
        ("Soft", "GE", item.expected_low, "expected at least", "预期不低于"),
        ("Soft", "LE", item.expected_high, "expected at most", "预期不高于"),
    )
    for soft_hard, comparator, value, en, zh in limits:
        if value is None:
            continue
        number = _number(value)
        checks.append(
            ODM.RangeCheck(
                Comparator=comparator, SoftHard=soft_hard,
                CheckValue=[ODM.CheckValue(_content=number)],
                ErrorMessage=ODM.ErrorMessage(TranslatedText=translated(
                    Text(f"{item.label.en}: {en} {number}{unit}",
                         f"{item.label.zh_cn or item.label.en}：{zh}{number}{unit}"))),
            )
        )  # fmt: skip
    return checks


def _aliases(item: Item) -> list[ODM.Alias]:
    target = item.sdtm
    if target is None:
        return []
    name = target.testcd or target.variable
    aliases = [ODM.Alias(Context="SDTM", Name=f"{target.domain}.{name}" if name else target.domain)]
    if target.ct:
        aliases.append(ODM.Alias(Context="nci:ExtCodeID", Name=target.ct))
    return aliases


def item_def(form: Form, item: Item, problems: list[TrialdeskError]) -> ODM.ItemDef:
    kind = data_type(item)
    decimals, comment = None, None
    if item.derived is not None:
        try:
            calc = calculator(item.derived.calculator)
        except FactError as e:
            problems.append(InputError(e.message, field=f"{form.id}.{item.id}"))
        else:
            decimals = calc.decimals
            comment = f"derived by trialdesk calculator {calc.name} version {calc.version}"
    length, significant = _length(item, kind, decimals)
    return ODM.ItemDef(
        OID=item_oid(form.id, item.id),
        Name=item.id,
        DataType=kind,
        Origin="Derived" if item.derived is not None else "Collected",
        Question=ODM.Question(TranslatedText=translated(item.label)),
        MeasurementUnitRef=(
            [ODM.MeasurementUnitRef(MeasurementUnitOID=unit_oid(item.unit))] if item.unit else []
        ),
        RangeCheck=_range_checks(item),
        Alias=_aliases(item),
        **given(
            Length=length,
            SignificantDigits=significant,
            Comment=comment,
            Description=ODM.Description(TranslatedText=translated(item.help))
            if item.help
            else None,
            CodeListRef=ODM.CodeListRef(CodeListOID=codelist_oid(form.id, item.id))
            if item.choices
            else None,
        ),
    )


def codelist(form: Form, item: Item) -> ODM.CodeList:
    return ODM.CodeList(
        OID=codelist_oid(form.id, item.id),
        Name=f"{form.id}.{item.id}",
        DataType=data_type(item),
        CodeListItem=[
            ODM.CodeListItem(
                CodedValue=c.code, OrderNumber=n,
                Decode=ODM.Decode(TranslatedText=translated(c.label)),
            )
            for n, c in enumerate(item.choices, start=1)
        ],
    )  # fmt: skip


def method_def(form: Form, item: Item) -> ODM.MethodDef | None:
    """How a derived item is computed: the calculator, its version and source, and which
    item feeds each of its inputs (``form.item``; ``baseline:`` the baseline visit's).
    None for a typed item, or a calculator trialdesk does not know (item_def reports it)."""
    derived = item.derived
    if derived is None:
        return None
    try:
        calc = calculator(derived.calculator)
    except FactError:
        return None
    args = [f"{name}={ref}" for name, ref in derived.inputs]
    args += [f"{name}={value!r}" for name, value in derived.constants]
    call = f"{calc.name}({', '.join(args)})"
    assumption = ""
    if calc.assumption:  # the calculator's own text may already start with the words
        said = calc.assumption.removeprefix("protocol assumption: ")
        assumption = f" PROTOCOL ASSUMPTION: {said}"
    return ODM.MethodDef(
        OID=method_oid(form.id, item.id),
        Name=f"{calc.name} v{calc.version}",
        Type="Computation",
        Description=ODM.Description(TranslatedText=translated(Text(
            f"Computed on the server on every save by trialdesk calculator {calc.name} "
            f"(version {calc.version}): {call}. Source: {calc.source}.{assumption}",
            f"每次保存时由服务器上的trialdesk计算器 {calc.name}（版本{calc.version}）计算："
            f"{call}。来源：{calc.source}。{assumption}",
        ))),
        FormalExpression=[ODM.FormalExpression(Context="trialdesk calculator", _content=call)],
    )  # fmt: skip
