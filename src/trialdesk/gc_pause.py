"""Pause Python's cycle collector while a whole trial's data is read and turned into datasets.

An export of 1000 participants allocates millions of objects (a dict per record, its
strings and numbers) and keeps nearly all of them until it ends. The cycle collector runs
after every few hundred allocations and, in its full passes, walks every live object again,
looking for reference cycles these plain records do not form: about a tenth of the
export's CPU time (benchmarks/export.py, measured with ``gc.callbacks``). Reference
counting frees everything as usual while the collector is paused; it resumes when the last
paused block in the process ends, and then finds any cycle made meanwhile.

Used by the trial extract (trial/review/extract.py) and the CDISC and week-24 builders
(reports/); a root module because both layers use it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["cycle_collection_paused"]

_lock = threading.Lock()
_depth = 0  # paused blocks running now, in any thread
_resume = False  # whether the collector was on when the first of them began


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Run the block with the cycle collector paused (nested and concurrent blocks too: it
    resumes when the last one ends, and only if it was on before the first began)."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()
