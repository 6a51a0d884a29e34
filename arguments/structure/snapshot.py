"""One consistent view of the database for a read that assembles one answer from several
queries (a debate's structure, its catch-up, the first screen's slice, an export).

Outside a transaction, each query sees the database as it is when that query starts: a claim
and its relation committed between the query for claims and the query for relations gave a
relation to a claim the structure never read, and a page answered 500 (issue 38). Inside
`snapshot()` every query sees the database as it was at the first one:

- PostgreSQL: a read-only transaction at REPEATABLE READ (its snapshot is taken by the first
  query; a read-only one never fails to serialize), begun in one statement. Nothing may be
  written inside.
- SQLite: one deferred read transaction. The connection is configured to begin `IMMEDIATE`
  (a write takes the lock at once instead of failing later), which would make every read wait
  for the writer; a read snapshot begins `DEFERRED` and, in WAL mode, never blocks a writer.

Inside a caller's transaction, the reads join it: SQLite's transaction already is one
snapshot; PostgreSQL's is the caller's choice (the loaders also read in an order that cannot
dangle, relations before the claims at their ends, and refuse a structure that does anyway).
"""

from __future__ import annotations

import threading
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING

import psycopg
from django.db import connections, transaction

from arguments import replicas

if TYPE_CHECKING:
    from collections.abc import Iterator

    from django.db.backends.base.base import BaseDatabaseWrapper


_open = threading.local()  # per thread, as Django's connections are


def in_snapshot() -> bool:
    """Whether this thread's reads are inside `snapshot()`'s own transaction."""
    return getattr(_open, "snapshot", False)


@contextmanager
def snapshot() -> Iterator[None]:
    """Run the reads inside against one snapshot of the database (see the module's text):
    the one this request reads from (a replica's snapshot is as consistent as the primary's)."""
    alias = replicas.reads_from()
    connection = connections[alias]
    if connection.in_atomic_block:
        yield
        return
    with ExitStack() as stack:
        stack.callback(setattr, _open, "snapshot", False)
        if connection.vendor == "sqlite":
            with _sqlite_begins(connection, "DEFERRED"):
                stack.enter_context(transaction.atomic(using=alias))
        else:
            if connection.vendor == "postgresql":
                stack.enter_context(_postgresql_begins_repeatable_read(connection))
            stack.enter_context(transaction.atomic(using=alias))
        _open.snapshot = True
        yield


@contextmanager
def _sqlite_begins(connection: BaseDatabaseWrapper, mode: str) -> Iterator[None]:
    """Django's SQLite backend begins a transaction with the connection's `transaction_mode`
    (settings: IMMEDIATE); this one transaction begins with `mode` instead."""
    before = connection.transaction_mode  # type: ignore[attr-defined]
    connection.transaction_mode = mode  # type: ignore[attr-defined]
    try:
        yield
    finally:
        connection.transaction_mode = before  # type: ignore[attr-defined]


@contextmanager
def _postgresql_begins_repeatable_read(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """psycopg begins the next transaction with the connection's isolation level and
    read-only flag in its BEGIN: one statement, not a BEGIN and a SET TRANSACTION."""
    connection.ensure_connection()
    driver = connection.connection
    before = driver.isolation_level, driver.read_only
    driver.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    driver.read_only = True
    try:
        yield
    finally:
        if not driver.closed:
            driver.isolation_level, driver.read_only = before
