"""Every claim's strength stored in the database (`StoredStrength`), so that a worker holding
nothing can show a debate's first screen from the few claims on it (first_screen.py) instead
of loading and scoring all of them: at 20,000 claims that whole load is 150 to 400 ms, most of
it reading rows and running DF-QuAD over the graph, and no row format or cache made it fit
in 60.

The stored values are a copy of what a process holding the debate computed, never computed
on their own: one DF-QuAD, in memory, decides every strength shown. The debate's row stamps
the copy with the structure and tally versions it is current with, and a reader uses it only
when the stamp is the debate's current versions.

- After a whole load, a process stores the strengths that differ from the values it read with
  the rows, if nobody stored since the stamp it read before them.
- After a catch-up from versions `since` (a write or a vote, arguments/structure/changes.py),
  it stores the claims it rescored, if the stamp lies between `since` and its new versions.
  Every claim whose strength changed after the stamp changed after `since` too, so it is
  among them: the copy ends exactly current.

Each store moves the stamp first, in one conditional UPDATE of the debate's row (the row
stays locked to the end of the short transaction), so two processes storing the same change
store it once and a store never lands on a copy it was not computed from. A process that
loses the race writes nothing; the stamp never moves back. The strengths are rows of their
own: a store holds the debate's row, and a vote locks its point's claim before the debate's,
so updating claims' rows here deadlocked (a PostgreSQL test races votes and writes). Nothing
else writes them: a write that no process catches up (an admin save, a merge or revert,
which every process reloads) queues the same task as an import once it commits
(`guards.store_strengths_later`); until it runs, or a reader stores first, the stamp is
behind. An import puts a task on the queue with its rows (`loader.store_strengths_task`):
the task worker loads the new debate and stores, so its first reader reads the slice, not
the whole debate (a background import stores before its job is done).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Q

from arguments import caches
from arguments.models import Debate, StoredStrength

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from arguments.structure.graph import DebateStructure

Versions = tuple[int, int]  # (structure version, tally version)

caches.register(
    "stored strengths",
    kept=caches.Kept.DATABASE,
    key="`StoredStrength` rows by claim, stamped on the debate's row with the structure and "
    "tally versions they are current with (`strengths_structure_version`, "
    "`strengths_tally_version`)",
    stale="the stamp differs from the debate's versions: a reader then loads or catches up "
    "the debate and stores what it computed",
)

# An upsert (PostgreSQL, and SQLite since 3.24): a claim's first store inserts its row.
UPSERT_SQL = (
    f"INSERT INTO {StoredStrength._meta.db_table} (claim_id, strength) VALUES (%s, %s) "
    "ON CONFLICT (claim_id) DO UPDATE SET strength = excluded.strength"
)


def stamp_of(debate: Debate) -> Versions | None:
    """The versions the debate's stored strengths are current with, as read with its row."""
    structure, tally = debate.strengths_structure_version, debate.strengths_tally_version
    return None if structure is None or tally is None else (structure, tally)


def current(debate: Debate) -> bool:
    """Whether the stored strengths are those of the debate as its row was read."""
    return stamp_of(debate) == (debate.structure_version, debate.tally_version)


def _versions(structure: DebateStructure) -> Versions:
    return structure.version[0], structure.tally_version


def store_loaded(
    structure: DebateStructure, *, seen: Versions | None, stored: Mapping[int, float | None]
) -> bool:
    """After a whole load: store the strengths that differ from `stored` (read with the rows),
    if the stamp is still `seen` (read before them). True when it stored."""
    now = _versions(structure)
    if seen == now:
        return False
    if seen is not None and (seen[0] > now[0] or seen[1] > now[1]):
        return False  # stored by a process that read newer versions: never move back
    strength = structure.strength
    changes = [
        (claim_id, strength.get(claim_id))
        for claim_id, value in stored.items()
        if strength.get(claim_id) != value
    ]
    unchanged = (
        Q(strengths_structure_version__isnull=True)
        if seen is None
        else Q(strengths_structure_version=seen[0], strengths_tally_version=seen[1])
    )
    return _store(structure.debate_id, unchanged, now, changes)


def store_caught_up(structure: DebateStructure, *, since: Versions, claims: Iterable[int]) -> bool:
    """After a catch-up from versions `since`: store the strengths of `claims` (every claim it
    rescored or changed) if the stamp lies between `since` and the structure's versions."""
    now = _versions(structure)
    between = Q(
        strengths_structure_version__gte=since[0],
        strengths_structure_version__lte=now[0],
        strengths_tally_version__gte=since[1],
        strengths_tally_version__lte=now[1],
    ) & ~Q(strengths_structure_version=now[0], strengths_tally_version=now[1])
    strength = structure.strength
    changes = [(claim_id, strength.get(claim_id)) for claim_id in sorted(set(claims))]
    return _store(structure.debate_id, between, now, changes)


def _store(
    debate_id: int, condition: Q, now: Versions, changes: list[tuple[int, float | None]]
) -> bool:
    # No savepoint inside a caller's transaction: two statements that either both land
    # with it or not at all.
    with transaction.atomic(savepoint=False):
        moved = (
            Debate.objects.filter(condition, pk=debate_id).update(
                strengths_structure_version=now[0], strengths_tally_version=now[1]
            )
            == 1
        )
        if moved and changes:
            with connection.cursor() as cursor:
                cursor.executemany(UPSERT_SQL, changes)
    return moved


def store_rescored(
    debate_id: int, *, since: Versions, now: Versions, changes: list[tuple[int, float | None]]
) -> bool:
    """After a catch-up of the stored copy itself (stored_catch_up.py), computed from the
    strengths stamped `since`: store `changes` if the stamp is still `since`."""
    unchanged = Q(strengths_structure_version=since[0], strengths_tally_version=since[1])
    return _store(debate_id, unchanged, now, changes)
