"""A debate's whole structure in a fixed number of queries, built in Python and kept in this
process's memory under the debate's versions; brought up to date with what changed since
(arguments/structure/changes.py) instead of reloaded.

The structure is the same for every reader, so it is kept; what depends on the reader (which
pending or hidden claims they may see, their votes, their role) is applied afterwards.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.db import connections, transaction
from django.tasks import task

from arguments import caches, replicas
from arguments.models import Claim, Debate, Relation
from arguments.structure import (
    changes,
    places,
    scoring,
    stored_gaps,
    stored_sizes,
    stored_strengths,
)
from arguments.structure.graph import (
    EDGE_COLUMNS,
    NODE_COLUMNS,
    PUBLISHED,
    STORED_STRENGTH,
    DebateStructure,
    Node,
    citation_rows,
    citations_from,
    dangling,
    drop_edges,
    edge_from,
    edge_indexes,
    node_from,
    note_rows,
    notes_from,
    raw_batches,
    raw_rows,
)
from arguments.structure.snapshot import snapshot

logger = logging.getLogger(__name__)


def _load_structure(debate: Debate) -> DebateStructure:
    """The whole structure, read from one snapshot (`snapshot.py`) with the debate's versions
    it is stamped with; its strengths stored when the stored ones are behind."""
    structure, now, stored = _read_whole(debate)
    unknown = dangling(structure)
    if unknown:
        # Never served: the tree would look up claims it does not hold. Read once more; if
        # still so (a caller's transaction that is no snapshot), serve it without them.
        logger.warning("debate %s: relations %s name unread claims", debate.pk, sorted(unknown))
        structure, now, stored = _read_whole(debate)
        unknown = dangling(structure)
        if unknown:
            logger.error("debate %s: relations %s left out", debate.pk, sorted(unknown))
            drop_edges(structure, unknown)
    structure.base, structure.strength = claim_strengths(structure)
    stored_strengths.store_loaded(structure, seen=stored_strengths.stamp_of(now), stored=stored)
    stored_sizes.store_loaded(structure, stamp=now.sizes_structure_version)
    return structure


def store_strengths(debate: Debate) -> bool:
    """Store the strengths of a debate written in bulk (an import: no process caught it up),
    computed from a whole load that this process does not keep. Nothing to do, and one query,
    when they are current already. True when it stored."""
    gaps = not stored_gaps.current(debate) and stored_gaps.bring_up_to_date(debate)
    gaps |= not places.unplaced_current(debate) and places.store_unplaced(debate)
    if stored_strengths.current(debate) and stored_sizes.current(debate):
        return gaps
    structure, now, stored = _read_whole(debate)
    if dangling(structure):
        return False  # a write meanwhile: its reader's catch-up or load stores instead
    structure.base, structure.strength = claim_strengths(structure)
    sizes = stored_sizes.store_loaded(structure, stamp=now.sizes_structure_version)
    strengths = stored_strengths.store_loaded(
        structure, seen=stored_strengths.stamp_of(now), stored=stored
    )
    return strengths or sizes or gaps


@task()
def store_strengths_task(debate_id: int) -> bool:
    """The queue's entry: a debate's stored strengths caught up in the task worker, so that
    its first reader after an import reads the first screen's slice instead of loading and
    scoring the whole debate in their request (first_screen.py)."""
    debate = Debate.objects.filter(pk=debate_id).first()
    return debate is not None and store_strengths(debate)


def _read_whole(debate: Debate) -> tuple[DebateStructure, Debate, dict[int, float | None]]:
    """The structure as one snapshot sees it, the debate's versions in that snapshot, and
    the strengths stored (stored_strengths.py)."""
    with snapshot():
        now = versions_now(debate)
        # Relations before claims: claims are never deleted, so every relation read has both
        # its claims in the later read even where there is no snapshot (a caller's
        # transaction at READ COMMITTED).
        relations = raw_rows(
            Relation.objects.filter(debate=debate)
            .active()
            .order_by("position", "id")
            .values_list(*EDGE_COLUMNS)
        )
        nodes: dict[int, Node] = {}
        theses: list[int] = []
        stored: dict[int, float | None] = {}
        # Equal values read in many rows held once (statuses, stances, authors' names,
        # tallies, an edge's ends as its nodes' ids): a quarter of a whole structure's bytes
        # otherwise (docs/PERFORMANCE.md, issue 35w: 1.34 KB a claim at 200,000 claims).
        same: dict[Any, Any] = {}
        # Built as fetched: the claims' rows are never all held at once, and the memory a
        # whole load peaks at stays with the worker (freed, not given back).
        claims = Claim.objects.filter(debate=debate).values_list(*NODE_COLUMNS, STORED_STRENGTH)
        for rows in raw_batches(claims):
            for *columns, strength in rows:
                node = node_from(columns, same)
                nodes[node.id] = node
                same[node.id] = node.id
                stored[node.id] = strength
                if node.is_thesis:
                    theses.append(node.id)
        citations = citations_from(citation_rows(claim__debate=debate))
        notes = notes_from(note_rows(claim__debate=debate))
    children, parents, original = edge_indexes(edge_from(row, same) for row in relations)
    del same
    structure = DebateStructure(
        debate_id=debate.pk,
        version=(now.structure_version, now.created_at),
        nodes=nodes,
        children=children,
        original=original,
        theses=theses,
        parents=parents,
        tally_version=now.tally_version,
        citations=citations,
        notes=notes,
    )
    return structure, now, stored


def versions_now(debate: Debate) -> Debate:
    """The debate's versions (and creation time and strengths' stamp) as the current
    snapshot sees them, on a row of their own: the request's `debate` was read before it.
    The request's row when the debate is gone meanwhile."""
    fresh = Debate.objects.filter(pk=debate.pk).only(*VERSION_FIELDS).first()
    return debate if fresh is None else fresh


VERSION_FIELDS = (
    "created_at",
    "structure_version",
    "tally_version",
    "rebuilt_in",
    "strengths_structure_version",
    "strengths_tally_version",
    "sizes_structure_version",
)


def claim_strengths(structure: DebateStructure) -> tuple[dict[int, float], dict[int, float]]:
    """Base score and DF-QuAD strength of every published claim, from data already loaded.

    A thesis's base score comes from its truth votes; any other claim's from the impact votes
    on the place where it was written (its original relation).
    """
    base: dict[int, float] = {}
    original = structure.original
    for node in structure.nodes.values():
        if node.status != PUBLISHED:
            continue
        edge = original.get(node.id)
        v0, v1, v2, v3, v4 = edge.tally if edge else node.tally
        votes = v0 + v1 + v2 + v3 + v4
        # scoring.base_score, inlined: it runs once per claim on every cold load.
        base[node.id] = (v1 + 2 * v2 + 3 * v3 + 4 * v4) / (4 * votes) if votes else 0.5
    return base, scoring.strengths(base, structure.strength_edges())


# Structures live in this process's memory, not in the shared cache: a shared cache pickles,
# and unpickling tens of thousands of nodes on every request cost more than the page itself.
# Each worker loads a debate once per version (a few queries) and keeps the few debates it
# served last; the version on the debate row, read on every request, invalidates them all.
# Bounded by bytes (issue 35): about 1.3 KB a claim measured (tracemalloc, 5,000 claims), with
# room for the cruxes and gaps scans a structure keeps.
BYTES_PER_CLAIM = 1500
_STRUCTURES = caches.Bounded(
    "structures", sizer=lambda structure: BYTES_PER_CLAIM * len(structure.nodes), default_mb=96
)
_STRUCTURES_LOCK = threading.Lock()


def debate_structure(debate: Debate) -> DebateStructure:
    """The debate's claims, relations, citations and annotations: five queries, or none when
    this process already holds the debate's current version. When it holds an older one, it
    reads only what changed since: the claims a write changed (four queries) and the points
    voted on (one), see arguments/structure/changes.py. Either way, when the strengths stored
    in the database are behind, it stores what it computed (stored_strengths.py), and after a
    write the branch sizes it changed (stored_sizes.py)."""
    found = _caught_up(debate)
    if found is not None:
        since, caught_up = found
        structure, rescored = caught_up.structure, caught_up.rescored
        if (
            structure.version[0] > debate.structure_version
            or structure.tally_version > debate.tally_version
        ):
            # Held newer than the request's database shows (another request read the primary,
            # or a replica ahead of this one): served as it is, never taken back to older.
            replicas.served_newer()
        strengths = since != (debate.structure_version, debate.tally_version) and not (
            stored_strengths.current(debate)
        )
        # A write: the sizes of what it changed (the claims it rescored hold them all), if
        # they were current before it.
        sizes = since[0] != structure.version[0] and debate.sizes_structure_version == since[0]
        if strengths or sizes:
            # One transaction for both (on SQLite, a BEGIN and a COMMIT less a write).
            with transaction.atomic(savepoint=False):
                if strengths:
                    stored_strengths.store_caught_up(structure, since=since, claims=rescored)
                if sizes:
                    stored_sizes.store_caught_up(
                        caught_up.before,
                        structure,
                        changed=rescored,
                        stamp=debate.sizes_structure_version,
                        in_place=caught_up.in_place,
                    )
        return structure
    structure = _load_structure(debate)
    with _STRUCTURES_LOCK:
        _STRUCTURES.keep(debate.pk, structure)
    return structure


def _caught_up(debate: Debate) -> tuple[tuple[int, int], changes.CaughtUp] | None:
    """The versions this process held the debate at, and the structure it holds now brought
    up to the debate's versions (with the claims whose strength the catch-up set, and the
    structure as it was); None when it holds none it can catch up."""
    with _STRUCTURES_LOCK:
        held = _STRUCTURES.get(debate.pk)
        # The creation time guards against SQLite reusing a deleted debate's id.
        if held is None or held.version[1] != debate.created_at:
            return None
        since = (held.version[0], held.tally_version)
        caught_up = changes.CaughtUp(held, set(), held)
        if since[0] < debate.structure_version or since[1] < debate.tally_version:
            # Queries under the lock keep two threads from catching up the same change twice.
            found = _catch_up(held, debate)
            if found is None:
                return None
            caught_up = found
        _STRUCTURES.keep(debate.pk, caught_up.structure)
        return since, caught_up


def _catch_up(held: DebateStructure, debate: Debate) -> changes.CaughtUp | None:
    """`held` brought up to the debate's versions, with the claims whose strength it set and
    `held` as it was; None when it must be reloaded whole."""
    if held.version[0] >= debate.structure_version:
        # Votes only: one statement, a snapshot of its own. A vote committed since `debate`
        # was read is applied and read again by the next catch-up, which sets, never adds.
        return changes.CaughtUp(held, changes.catch_up_tallies(held, debate.tally_version), held)
    if debate.rebuilt_in > held.version[0]:
        return None  # a write that could not say what it changed: no catch-up to try
    # A write: several statements, so one snapshot, and the versions it is stamped with read
    # in it (they may be newer than `debate`, read earlier).
    with snapshot():
        now = versions_now(debate)
        if now.rebuilt_in > held.version[0]:
            return None  # a write that could not say what it changed
        caught_up = changes.catch_up(held, now, in_place=_read_by_this_thread_alone())
        if caught_up is None:
            return None
        structure = caught_up.structure
        if structure.tally_version < now.tally_version:
            # In place: a reader meanwhile sees each tally and strength either before or
            # after, never torn.
            caught_up.rescored.update(changes.catch_up_tallies(structure, now.tally_version))
    return caught_up


def _read_by_this_thread_alone() -> bool:
    """Whether this thread is the process's only one: then a catch-up after a write changes
    the held structure's indexes in place instead of copying them (a worker serving one
    request at a time, gunicorn's default). With other threads (the development server, a
    threaded worker, a library's own thread) it copies, as it always did: a dict that gains
    an entry while another thread walks it fails that walk."""
    return threading.active_count() == 1


def fits(debate: Debate) -> bool:
    """Whether the whole debate fits this process's budget for structures (one query, which
    stops counting at the budget's claims). A debate that fits is loaded whole and held
    when its stored copies are behind, so that its next changes cost a catch-up in memory;
    a bigger one is caught up in its stored copies from the rows around each change
    (stored_writes.py) and never loaded for a vote or a write (issue 35: 200,000 claims in
    a 250 MB worker)."""
    most = claims_held_at_most()
    return claims_up_to(debate, most) <= most


def claims_held_at_most() -> int:
    """How many claims this process's budget for structures holds (a 20,000-claim debate
    fits the default 32 MB, a 200,000-claim one does not)."""
    return _STRUCTURES.budget // BYTES_PER_CLAIM


def claims_up_to(debate: Debate, most: int) -> int:
    """The debate's claims counted, up to `most + 1`: one query that stops there, however
    many claims the debate has."""
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {Claim._meta.db_table} "
            "WHERE debate_id = %s LIMIT %s) AS counted",
            [debate.pk, most + 1],
        )
        (counted,) = cursor.fetchone()
    return counted


def holds(debate: Debate) -> bool:
    """Whether this process holds a structure of the debate (of any version)."""
    with _STRUCTURES_LOCK:
        held = _STRUCTURES.get(debate.pk)
    return held is not None and held.version[1] == debate.created_at


def held_first(debate_ids: list[int]) -> None:
    """Make the held structures of `debate_ids` the ones kept longest, the first of them
    last to go (the store evicts the structure used longest ago): a worker that loaded
    them most active first at its start keeps the most active through its first loads."""
    with _STRUCTURES_LOCK:
        for debate_id in reversed(debate_ids):
            _STRUCTURES.fetch(debate_id)


def forget_structures() -> None:
    """Drop every structure this process holds (tests start each case from the database)."""
    with _STRUCTURES_LOCK:
        _STRUCTURES.clear()


caches.register(
    "structures",
    kept=caches.Kept.PROCESS,
    key="the debate's id, checked against its creation time (SQLite reuses a deleted id)",
    stale="the debate's structure or tally version moves: caught up with what changed since "
    "(structure/changes.py), reloaded whole after a write that could not say what it changed "
    "(`rebuilt_in`); the cruxes and gaps scans kept inside a structure go with it",
    forget=forget_structures,
    holds=_STRUCTURES,
)
