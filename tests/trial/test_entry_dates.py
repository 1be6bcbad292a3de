"""The dates a form sets (the injection's day 1) are looked at once per save: with the
form's other problems when it has any, every one reported at once and in order, or as
they are set when it has none (conduct/entry.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from trialdesk.errors import FieldErrors
from trialdesk.trial.store.db import Store

from .conduct_helpers import enrolled, inject


@contextmanager
def _statements(store: Store) -> Iterator[list[str]]:
    seen: list[str] = []

    def note(_c: object, _cur: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", note)


def test_the_dates_problems_come_with_the_others_in_order(store: Store) -> None:
    _, (pid,) = enrolled(store)
    with pytest.raises(FieldErrors) as refused:
        inject(store, pid, administered_at="2026-02-20T10:00", dose="0")
    fields = [e.field for e in refused.value.errors]
    # the items read first (dose), then what setting day 1 on that date would break
    assert fields.index("dose") < fields.index("administered_at")
    messages = refused.value.by_field["administered_at"]
    assert any("before the informed consent was signed" in m for m in messages)
    assert any("before enrolment" in m for m in messages)


def test_day_1_is_checked_once_as_it_is_set(store: Store) -> None:
    _, (pid,) = enrolled(store)
    with _statements(store) as seen:
        record = inject(store, pid)
    assert record.id is not None
    consents = [s for s in seen if s.lstrip().startswith("SELECT") and "FROM consent" in s]
    assert len(consents) == 1  # the consent the injection must follow, read once
