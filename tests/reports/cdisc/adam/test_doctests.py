"""The worked example in each derivation's docstring runs as a test."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["dates", "occds", "bds", "findings", "adsl", "adae"]


@pytest.mark.parametrize("name", MODULES)
def test_worked_examples(name: str) -> None:
    module = importlib.import_module(f"trialdesk.reports.cdisc.adam.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
