"""A form save killed part-way (SIGKILL, after its form row and audit entry are written
and while its scores are being recomputed) leaves nothing: no form, no audit entry, the
chain still verifying, and the same save succeeds afterwards."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from datetime import date

from trialdesk.trial.conduct.models import FormRecord
from trialdesk.trial.store import audit
from trialdesk.trial.store.db import Store
from trialdesk.trial.store.models import AuditRecord

from .conduct_helpers import enrolled, inject, save, visit_on
from .helpers import count

# Saves week 4's joint counts in one transaction, announcing once the form row and its
# audit entry are flushed (derive.recompute is next), then waits to be killed.
CHILD = """
import sys, time
from datetime import UTC, datetime
from trialdesk.study.loader import load_study
from trialdesk.trial.conduct import entry
from trialdesk.trial.store.db import open_store

url, pid = sys.argv[1], int(sys.argv[2])

def stall(*args, **kwargs):
    print("began", flush=True)
    time.sleep(120)

entry.derive.recompute = stall
store = open_store(url, migrate=False)
with store.transaction() as session:
    entry.save_form(
        session, actor="coord", study=load_study("NCT06947746"), enrolment_id=pid,
        form_id="joint_counts", visit_id="W4", now=datetime(2026, 9, 30, 9, tzinfo=UTC),
        entry=entry.FormEntry({"tjc28": 4, "sjc28": 2, "tjc68": 30, "sjc66": 20}, complete=True),
    )
print("committed", flush=True)
"""
JOINTS = {"tjc28": 4, "sjc28": 2, "tjc68": 30, "sjc66": 20}


def test_a_form_save_killed_part_way_leaves_nothing(store: Store, db_url: str) -> None:
    _, (pid,) = enrolled(store)
    inject(store, pid)
    visit_on(store, pid, "W4", date(2026, 4, 13))
    forms_before, audit_before = count(store, FormRecord), count(store, AuditRecord)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, db_url, str(pid)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 60)  # never hang the suite
        assert ready, "the child did not reach the recomputation within 60 s"
        line = child.stdout.readline()
        assert line == "began\n", f"the child did not start the save: {child.stderr.read()}"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        assert child.stdout is not None and child.stderr is not None
        child.stdout.close()
        child.stderr.close()
    assert count(store, FormRecord) == forms_before
    assert count(store, AuditRecord) == audit_before
    with store.read() as session:
        assert audit.verify(session).ok
    save(store, pid, "joint_counts", JOINTS, visit="W4")  # the participant is not locked out
    assert count(store, FormRecord) == forms_before + 1
