"""What a study declares about safety (safety.yaml), read with every problem at its file,
line and column, all at once; and the bundled study's declarations, as the protocol
assumption states them."""

from __future__ import annotations

from pathlib import Path

import pytest

from trialdesk.clinical.ctcae_terms import ctcae_terms
from trialdesk.errors import StudyError
from trialdesk.study.safety_file import EventFacts, check_safety, load_safety
from trialdesk.trial.safety.coding import grade_choices
from trialdesk.trial.safety.declared import safety_of
from trialdesk.trial.safety.models import SERIOUSNESS_COLUMNS
from trialdesk.trial.safety.terms import Seriousness

from .screening_helpers import STUDY

NEOPLASMS = "Neoplasms benign, malignant and unspecified (incl cysts and polyps)"


def test_the_study_declares_its_aesis_stopping_rules_and_contact_as_an_assumption() -> None:
    safety = safety_of(STUDY)
    assert safety.assumption and safety.source and "[i14]" in safety.source
    assert safety.single_administration
    assert [a.id for a in safety.special_interest] == [
        "injection_site_reaction", "joint_infection", "ra_flare", "hypersensitivity",
        "new_growth",
    ]  # fmt: skip
    terms = ctcae_terms()
    infection = safety.interest("joint_infection")
    assert infection is not None and infection.covers(terms.require("Joint infection"))
    flare = safety.interest("ra_flare")
    assert flare is not None and flare.confirm and flare.covers(terms.require("Arthritis"))
    growth = safety.interest("new_growth")
    assert growth is not None and growth.socs == {NEOPLASMS}
    assert growth.covers(terms.require("Skin papilloma"))  # any term of the SOC
    assert not growth.covers(terms.require("Arthritis"))
    assert [r.id for r in safety.stopping_rules] == [
        "related_grade_4_or_5", "related_joint_infection", "related_grade_3_in_2",
    ]  # fmt: skip
    assert safety.stopping_rules[2].participants_at_least == 2
    contact = safety.contact
    assert contact is not None and contact.assumption and contact.email.endswith("example.org")
    assert contact.role.get("zh-CN") != contact.role.get("en")
    investigator = safety.investigator  # an SAE alert reaches both (trial/notify/)
    assert investigator is not None and investigator.assumption and investigator.source
    assert investigator.email == "investigator@example.org"  # a placeholder, as the contact
    assert investigator.role.get("zh-CN") == "主要研究者"
    assert check_safety(STUDY.folder) == ([], [])  # every text has its Chinese


@pytest.mark.parametrize(
    ("facts", "met"),
    [
        (dict(grade=4, related=True), {"related_grade_4_or_5", "related_grade_3_in_2"}),
        (dict(grade=4, related=False), set()),
        (dict(grade=3, related=True), {"related_grade_3_in_2"}),
        (dict(grade=2, related=True, special_interest={"joint_infection"}),
         {"related_joint_infection"}),
        (dict(grade=2, related=False, special_interest={"joint_infection"}), set()),
    ],
)  # fmt: skip
def test_each_rule_reads_one_event(facts: dict[str, object], met: set[str]) -> None:
    event = EventFacts(
        grade=int(str(facts["grade"])),
        term="Joint infection",
        special_interest=facts.get("special_interest", set()),  # type: ignore[arg-type]
        serious=False,
        related=bool(facts["related"]),
    )
    assert {r.id for r in safety_of(STUDY).stopping_rules if r.qualifies(event)} == met


BAD = """\
assumption: true
contact:
  role: Safety desk
  email: not-an-address
special_interest:
  - id: joint_infection
    name: {en: Joint infection, zh-CN: 关节感染}
    terms: [Joint infektion]
  - id: joint_infection
    name: {en: Again, zh-CN: 再次}
    socs: [Knee disorders]
  - id: nothing
    name: {en: Nothing, zh-CN: 无}
stopping_rules:
  - id: everything
    name: {en: Every event, zh-CN: 所有事件}
  - id: too_high
    name: {en: Grade six, zh-CN: 六级}
    grade_at_least: 6
    special_interest: septic_arthritis
    participants_at_least: 0
    surprise: true
"""


def test_every_problem_is_named_with_its_line_and_column_at_once(tmp_path: Path) -> None:
    (tmp_path / "safety.yaml").write_text(BAD, encoding="utf-8")
    problems, warnings = check_safety(tmp_path)
    where = {(p.line, p.field): p.message for p in problems}
    assert all(p.file == str(tmp_path / "safety.yaml") and p.column for p in problems)
    assert "cite its source" in where[(1, "source")]
    assert "not an e-mail address" in where[(4, "contact.email")]
    assert (
        "'Joint infektion' is not in the CTCAE v5.0 term list"
        in where[(8, "special_interest.joint_infection.terms[0]")]
    )
    assert "Joint infection" in where[(8, "special_interest.joint_infection.terms[0]")]  # closest
    assert "declared twice" in where[(9, "special_interest[1].id")]
    assert "not a system organ class" in where[(11, "special_interest.joint_infection.socs")]
    assert "`terms:` or `socs:`" in where[(12, "special_interest.nothing")]
    assert "every event meets it" in where[(15, "stopping_rules.everything")]
    assert "1 to 5" in where[(19, "stopping_rules.too_high.grade_at_least")]
    assert (
        "'septic_arthritis' is not declared"
        in where[(20, "stopping_rules.too_high.special_interest")]
    )
    assert "at least 1" in where[(21, "stopping_rules.too_high.participants_at_least")]
    assert "unknown field 'surprise'" in where[(22, "stopping_rules.too_high.surprise")]
    assert len(problems) == 11
    # a text without its Chinese; no investigator for the alerts to reach
    assert [w.field for w in warnings] == ["contact.role", "investigator"]
    assert "would not reach the investigator" in warnings[1].message

    with pytest.raises(StudyError) as refused:
        load_safety(tmp_path)
    message = str(refused.value)
    assert message.startswith(f"{tmp_path / 'safety.yaml'}:1:1")
    assert "(and 10 more: line 4, column 10: 'not-an-address'" in message


def test_an_investigator_is_read_like_the_contact_and_a_bad_one_is_named(
    tmp_path: Path,
) -> None:
    (tmp_path / "safety.yaml").write_text(
        "investigator:\n  role: {en: PI, zh-CN: 主要研究者}\n  email: pi@site\n"
        "  assumption: true\n",
        encoding="utf-8",
    )
    problems, warnings = check_safety(tmp_path)
    assert {(p.line, p.field) for p in problems} == {
        (3, "investigator.email"),  # not an address
        (2, "investigator.source"),  # an assumption without its source
    }
    assert warnings == []  # given, though wrong: the problem says so, not a warning
    (tmp_path / "safety.yaml").write_text(
        "investigator:\n  role: {en: PI, zh-CN: 主要研究者}\n  email: pi@site.example\n",
        encoding="utf-8",
    )
    read = load_safety(tmp_path)
    assert read.investigator is not None and read.investigator.email == "pi@site.example"
    assert not read.investigator.assumption
    assert check_safety(tmp_path) == ([], [])


def test_a_study_without_the_file_declares_nothing(tmp_path: Path) -> None:
    safety = load_safety(tmp_path)
    assert (safety.special_interest, safety.stopping_rules, safety.contact) == ((), (), None)
    assert check_safety(tmp_path) == ([], [])


def test_a_file_that_is_not_yaml_is_one_problem_at_its_place(tmp_path: Path) -> None:
    (tmp_path / "safety.yaml").write_text("stopping_rules: [\n  - id: x\n", encoding="utf-8")
    (problem,), _ = check_safety(tmp_path)
    assert "not valid YAML" in problem.message and problem.line is not None


def test_the_grades_a_term_defines_are_offered_with_their_text() -> None:
    offered = grade_choices("Joint infection")
    assert [g.grade for g in offered] == [2, 3, 4, 5]  # CTCAE prints "-" for grade 1
    assert offered[-1].text == "Death"
    assert [g.grade for g in grade_choices("arthralgia")] == [1, 2, 3]
    assert "Mild pain" in grade_choices("Arthralgia")[0].text


def test_each_seriousness_criterion_is_a_column() -> None:
    assert tuple(s.value for s in Seriousness) == SERIOUSNESS_COLUMNS
