"""Hypothesis: any sequence of appends verifies; any single edited field is detected."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from trialdesk.trial.store.audit import Action, append, verify
from trialdesk.trial.store.db import Store, open_store
from trialdesk.trial.store.models import AuditRecord

from .helpers import disable_audit_triggers

LOG = AuditRecord.__table__
FIXTURE_OK = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text PostgreSQL can store: no NUL (surrogates are already excluded by st.text()).
text = st.text(
    st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=20
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
entries = st.fixed_dictionaries(
    {
        "actor": st.text(
            st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
            min_size=1,
            max_size=64,
        ),
        "action": st.sampled_from(list(Action)),
        "entity": st.sampled_from(["lead", "user_account", "login_session"]),
        "entity_id": st.integers(0, 10**6).map(str),
        "changes": st.dictionaries(text, st.tuples(json_values, json_values), max_size=4),
        "reason": st.none() | text,
        "at": moments,
    }
)


@pytest.fixture
def tampered_store(db_url: str) -> Iterator[Store]:
    store = open_store(db_url)
    disable_audit_triggers(store.engine)
    yield store
    store.close()


def _check(store: Store) -> Any:
    with store.read() as session:
        return verify(session)


@FIXTURE_OK
@given(batches=st.lists(st.lists(entries, max_size=4), min_size=1, max_size=4))
def test_any_sequence_of_appends_verifies(
    tampered_store: Store, batches: list[list[dict[str, Any]]]
) -> None:
    before = _check(tampered_store).rows
    for batch in batches:
        with tampered_store.transaction() as session:
            for entry in batch:
                append(session, **entry)
    report = _check(tampered_store)
    assert report.ok, report.problems
    assert report.rows == before + sum(map(len, batches))


FIELDS = [
    "id",
    "at",
    "actor",
    "action",
    "entity",
    "entity_id",
    "changes",
    "reason",
    "prev_hash",
    "hash",
]


def _different(draw: st.DrawFn, field: str, old: Any) -> Any:
    if field == "id":
        return old + draw(st.integers(1000, 10**6))
    if field == "at":
        return old + draw(st.integers(1, 10**9).map(lambda us: timedelta(microseconds=us)))
    if field in ("prev_hash", "hash"):
        new = draw(st.text("0123456789abcdef", min_size=64, max_size=64))
    elif field == "changes":
        new = draw(st.dictionaries(text, st.lists(json_values, min_size=2, max_size=2)))
    elif field == "reason":
        new = draw(st.none() | text)
    else:
        new = draw(
            st.text(
                st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
                min_size=1,
                max_size=32,
            )
        )
    return new if new != old else draw(st.nothing())


@FIXTURE_OK
@given(data=st.data())
def test_any_single_edited_field_is_detected(tampered_store: Store, data: st.DataObject) -> None:
    # Always append a few entries, then tamper with one of them: the draws never depend
    # on what earlier examples left in the store.
    with tampered_store.transaction() as session:
        added = [append(session, **e) for e in data.draw(st.lists(entries, min_size=1, max_size=5))]
        ids = [r.id for r in added]
    row_id = ids[data.draw(st.integers(0, len(ids) - 1), label="row index")]
    field = data.draw(st.sampled_from(FIELDS), label="field")
    with tampered_store.engine.connect() as conn:
        old = conn.execute(select(LOG.c[field]).where(LOG.c.id == row_id)).scalar_one()
    new = _different(data.draw, field, old)
    moved_to = new if field == "id" else row_id
    with tampered_store.engine.begin() as conn:
        conn.execute(update(LOG).where(LOG.c.id == row_id).values({field: new}))
    report = _check(tampered_store)
    assert not report.ok
    named = {p.row_id for p in report.problems}
    assert moved_to in named, report.problems  # the edited row is named (at its new id)
    # Put it back: the chain must verify again (and stays usable for the next example).
    with tampered_store.engine.begin() as conn:
        conn.execute(update(LOG).where(LOG.c.id == moved_to).values({field: old}))
    assert _check(tampered_store).ok
