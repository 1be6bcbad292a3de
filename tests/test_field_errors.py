"""Several wrong fields of one form are reported at once, each at its field."""

from __future__ import annotations

import pytest

from trialdesk.errors import FieldErrors, InputError, Meaning
from trialdesk.web.problems import body


def test_every_field_is_named_and_the_first_leads() -> None:
    error = FieldErrors(
        [
            InputError("29 is impossible: it must be 0 to 28", field="tjc28"),
            InputError("expected a number, got 'x'", field="crp"),
            InputError("is required to mark the form complete", field="tjc28"),
        ],
        resource="form joint_counts",
    )
    assert error.meaning is Meaning.INVALID
    assert error.field == "tjc28"
    assert error.by_field == {
        "tjc28": ["29 is impossible: it must be 0 to 28", "is required to mark the form complete"],
        "crp": ["expected a number, got 'x'"],
    }
    assert "crp: expected a number" in str(error) and "form joint_counts" in str(error)


def test_an_empty_list_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        FieldErrors([])


def test_the_error_body_lists_them_only_when_there_are_several() -> None:
    single = body(422, "invalid_input", "bad", "crp")
    assert "errors" not in single["error"]
    several = body(422, "invalid_input", "bad", "crp", [{"field": "crp", "message": "bad"}])
    assert several["error"]["errors"] == [{"field": "crp", "message": "bad"}]
