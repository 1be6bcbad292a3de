"""The study dates and participant parameters a command is given: the generic
``--date NAME=YYYY-MM-DD`` and ``--param NAME=VALUE`` and the default study's documented
shorthands (``--screening-date``, ``--baseline-date``, ``--target-knee``), each kept with
the option it came by so that an error names the option the user typed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from trialdesk.criteria.participant import Participant
from trialdesk.errors import InputError

__all__ = [
    "DATE_HELP",
    "DATE_SHORTHANDS",
    "KNEE_HELP",
    "PARAM_HELP",
    "PARAM_SHORTHANDS",
    "Given",
    "given_options",
    "parse_date",
]


def parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} '{value}' is not a date (YYYY-MM-DD)") from None


# The documented shorthands for the default study's dates and parameter (README): each
# stands for `--date NAME=...` or `--param NAME=...`.
DATE_SHORTHANDS = {"screening": "--screening-date", "baseline": "--baseline-date"}
PARAM_SHORTHANDS = {"--target-knee": "target_knee"}  # option -> the parameter it sets
KNEE_HELP = "The knee to be injected, left or right (a shorthand for --param)."

DATE_HELP = "A study date as NAME=YYYY-MM-DD (repeatable; the names: participant.yaml)."
PARAM_HELP = "A participant parameter as NAME=VALUE (repeatable; e.g. a side: left/right)."


class Given:
    """The study dates and parameters a command was given, each with the option it came
    by, so an error names the option the user typed."""

    def __init__(self) -> None:
        self.dates: dict[str, date] = {}
        self.parameters: dict[str, str] = {}
        self.options: dict[str, str] = {}

    def date(self, name: str, value: str | None, option: str) -> None:
        day = parse_date(value, option)
        if day is None:
            return
        if name in self.dates:
            raise InputError(f"{option}: the {name} date is given twice")
        self.dates[name], self.options[name] = day, option

    def parameter(self, name: str, value: str | None, option: str) -> None:
        if value is None:
            return
        if name in self.parameters:
            raise InputError(f"{option}: {name} is given twice")
        self.parameters[name], self.options[name] = value, option

    def pairs(self, values: list[str] | None, option: str, add: Callable[..., None]) -> None:
        for pair in values or ():
            name, sep, value = pair.partition("=")
            if not sep or not name.strip():
                raise InputError(f"{option} '{pair}' is not NAME=VALUE")
            add(name.strip(), value.strip(), f"{option} {name.strip()}")

    def named(self, name: str) -> str:
        """How to name a study date in an error: the option it came by (or would)."""
        return self.options.get(name) or DATE_SHORTHANDS.get(name) or f"--date {name}"

    def check(self, participant: Participant) -> None:
        """Every name given is declared by the study, and every parameter value parses."""
        for name in self.dates:
            if name not in {a.name for a in participant.staff}:
                known = ", ".join(a.name for a in participant.staff) or "none"
                raise InputError(f"{self.named(name)}: the study has no such date (dates: {known})")
        for name, value in self.parameters.items():
            option = self.options[name]
            p = participant.parameters.get(name)
            if p is None:
                known = ", ".join(participant.parameters) or "none"
                raise InputError(f"{option}: the study has no such parameter (parameters: {known})")
            try:
                p.parse(value)
            except InputError as exc:
                raise InputError(f"{option}: {exc.message}") from None


def given_options(
    dates: list[str] | None,
    params: list[str] | None,
    shorthand_dates: Mapping[str, str | None],
    shorthand_params: Mapping[str, str | None],
) -> Given:
    """What was given: ``shorthand_dates`` by date name, ``shorthand_params`` by option."""
    given = Given()
    for name, value in shorthand_dates.items():
        given.date(name, value, DATE_SHORTHANDS[name])
    given.pairs(dates, "--date", given.date)
    for option, value in shorthand_params.items():
        given.parameter(PARAM_SHORTHANDS[option], value, option)
    given.pairs(params, "--param", given.parameter)
    return given
