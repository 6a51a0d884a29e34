"""Read replicas (issue 36): which database a request's reads go to.

With `DATABASE_REPLICA_URL` set (one or several streaming replicas, comma-separated), the
settings name them `replica1`, `replica2`… and install `Router` and
`views/replicas.ReadReplicasMiddleware`. Unset, `Router` is not installed and every read goes
to `default` as before.

One rule gives both read-your-writes and monotonic reads: a reader carries the WAL position
(LSN) of the newest database state they were shown (a signed cookie, `views/replicas.py`);
a request reads from a replica whose replay position has reached it, else from the primary.
A reader's write (any request that writes, whatever its method) moves their position to the
primary's, so their next request sees their write wherever it lands.

A request reads from ONE database, whole: the kept copies (structures, visitor pages) are
stamped with versions read from the same database as what they hold, so an older replica can
never stamp a stale copy with a newer version. A process may hold a structure newer than
the request's replica (caught up by another reader's request on the primary); it serves that
newer one (`served_newer()`), never keeps a visitor page made with it, and moves the
reader's position to the primary's so their next page is no older.

Writes, reads inside a transaction, the rate limits' fallback cache table and the task queue
always use the primary.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# Tables whose reads must see the latest write from any server: rate-limit counts in the
# cache's fallback table, the task queue's claims.
PRIMARY_ONLY_APPS = frozenset({"django_cache", "django_tasks_db"})


@dataclass(slots=True)
class Reads:
    """Where this request reads, and what it saw."""

    alias: str
    wrote: bool = False  # it wrote: its reads went to the primary from then on
    newer: bool = False  # it was served a kept structure newer than its replica


_request: ContextVar[Reads | None] = ContextVar("arguments.replicas.request", default=None)


def aliases() -> list[str]:
    """The replicas' database aliases (none when `DATABASE_REPLICA_URL` is unset)."""
    return list(getattr(settings, "DATABASE_REPLICAS", ()))


def reads_from() -> str:
    """The database this thread reads from now: the request's choice, or the primary outside
    a request, inside a transaction on the primary, and after the request wrote."""
    reads = _request.get()
    if reads is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return reads.alias


def reading_replica() -> bool:
    return reads_from() != DEFAULT_DB_ALIAS


@contextmanager
def reading(alias: str) -> Iterator[Reads]:
    """Run a request's reads against `alias` (the middleware, and tests)."""
    reads = Reads(alias)
    token = _request.set(reads)
    try:
        yield reads
    finally:
        _request.reset(token)


def wrote() -> None:
    """The request writes: its later reads go to the primary, and the reader's position
    moves to the primary's."""
    reads = _request.get()
    if reads is not None:
        reads.wrote = True
        reads.alias = DEFAULT_DB_ALIAS


def served_newer() -> None:
    """The request was served a kept structure newer than its replica's state."""
    reads = _request.get()
    if reads is not None and reads.alias != DEFAULT_DB_ALIAS:
        reads.newer = True


def was_served_newer() -> bool:
    reads = _request.get()
    return reads is not None and reads.newer


def choose(
    seen: int | None,
    *,
    safe: bool,
    pool: Sequence[str],
    replayed: Callable[[str], int | None],
    pick: Callable[[Sequence[str]], str] = random.choice,
) -> str:
    """Where a request reads: a replica that has replayed the reader's position `seen`
    (any replica when they carry none), else the primary; the primary for an unsafe method.
    `replayed(alias)` is the replica's replay LSN (None when it cannot tell)."""
    if not safe or not pool:
        return DEFAULT_DB_ALIAS
    alias = pick(pool)
    if seen is None:
        return alias
    position = replayed(alias)
    return alias if position is not None and position >= seen else DEFAULT_DB_ALIAS


def position_after(
    reads: Reads,
    seen: int | None,
    *,
    pool: Sequence[str],
    current: Callable[[], int],
    replayed: Callable[[str], int | None],
) -> int | None:
    """The reader's position once the request is answered (None: they need none).

    After a read on the primary (a write, a replica behind them, a structure newer than the
    replica), the primary's current position, taken after everything the request read. With
    one replica, a reader read there needs none: its replay position only moves forward.
    With several, the replica's position after the request, so the next one, on another
    replica, is no older."""
    if reads.alias == DEFAULT_DB_ALIAS or reads.newer:
        return current()
    if len(pool) == 1:
        return None
    position = replayed(reads.alias)
    if position is None:
        return seen
    return position if seen is None else max(seen, position)


def primary_position() -> int:
    """The primary's current WAL position, in bytes."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
        return int(cursor.fetchone()[0])


def replay_position(alias: str) -> int | None:
    """How far the replica has replayed the primary's WAL, in bytes (None on a primary)."""
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn")
        value = cursor.fetchone()[0]
    return None if value is None else int(value)


class Router:
    """Django's database router when replicas are configured (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return reads_from()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        wrote()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, first: Any, second: Any, **hints: Any) -> bool:
        return True  # the replicas are copies of the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
