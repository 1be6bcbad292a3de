"""How a simulated store's commits reach the disk (and its reads come back) while the
simulation fills it.

A simulation commits thousands of small transactions (each step of each candidate, as a
site would), and on SQLite each commit waits for the disk by default (``synchronous``
FULL). While it runs, its SQLite connections use ``synchronous = NORMAL`` instead: in
WAL mode (db.py) a commit then survives the process crashing, a power loss may undo the
last commits, and the database is never corrupted (sqlite.org/pragma.html#pragma_synchronous,
sqlite.org/wal.html "Performance Considerations"). A simulated store is made anew into
an empty database (run.py refuses any other), so at worst it is made again. The store's
own setting is untouched: the connections are set as they are taken from the pool, and
the pool is emptied afterwards, so the next connections are made with the store's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from trialdesk.trial.store.db import Store

__all__ = ["quick_commits"]


_SET = "trialdesk.simulate.quick"  # the pool's record of a connection set so already


def _normal(dbapi_connection: Any, record: Any, _proxy: object) -> None:
    # once per connection (the settings last as long as it does; every step takes it
    # from the pool again): taken from the pool, not in a transaction, where SQLite
    # refuses to change it
    if record.info.get(_SET):
        return
    record.info[_SET] = True
    dbapi_connection.execute("PRAGMA synchronous = NORMAL")
    # and reads of the growing file through a memory map and a larger page cache than the
    # default 2 MB (sqlite.org/mmap.html, pragma.html#pragma_cache_size): each step reads
    # back what earlier steps wrote (measured: about a tenth less CPU for 150 participants)
    dbapi_connection.execute("PRAGMA mmap_size = 268435456")
    dbapi_connection.execute("PRAGMA cache_size = -65536")


@contextmanager
def quick_commits(store: Store) -> Iterator[None]:
    """SQLite stores: commits not waiting for the disk, for the duration of the block."""
    if store.engine.dialect.name != "sqlite":
        yield
        return
    event.listen(store.engine, "checkout", _normal)
    try:
        yield
    finally:
        event.remove(store.engine, "checkout", _normal)
        store.engine.dispose()  # no connection set so is used again
