"""The stored strengths and branch sizes brought up to date after claims are written, by a
process that holds nothing of the debate (issue 35, 35x: a 200,000-claim debate in a worker
of 250 MB).

Until this, only a process holding the whole debate kept the stored copies current after a
write: a claim written in a worker that held nothing loaded all of the debate (3 to 6 s and
~270 MB at 200,000 claims) in the write's own request, to check the parent and to render
its answer, and so did the next reader anywhere whose worker held nothing. A held
structure's catch-up (`changes.catch_up`, `strengths.rescore`, `stored_sizes.store_caught_up`)
needs only the claims a write named (`StructureChange`), the claims above them and the
stored values of their other pros and cons; the stored copies hold those values, so the
same rules run on rows read around the change:

- **Strengths.** The claims named since the stamp's structure version and those voted on
  since its tally version, and every published claim above them over the standing
  relations between published claims, links included (one recursive query, with each one's
  base score's tally: its original place's, else its own); the standing relations beneath
  them to published claims with those claims' stored strengths; `scoring.strengths` on that
  small graph, every other child entering at its stored strength (`strengths.rescore`'s
  rule). A named claim that is not published stores None. Why the named claims are enough:
  a write names both ends of every relation it adds, hides or moves, and a move its old
  parent (`guards.bump_version`), so every claim whose base score, status or pros and cons
  changed is named, and strength flows only upward from those.
- **Branch sizes** (a visitor's, `stored_sizes.py`). The claims whose size can change are
  the named claims, the claims above them, and the claims that link to a claim whose
  visibility may have changed: one beneath a named claim that a visitor sees now and did
  not then, or the other way (it has a stored size exactly when a visitor saw it at the
  stamp), or whose written place may have moved (it has none now, or it was named by one
  write with its parent now: a relation added, hidden, restored or moved names both ends).
  Their way up is read (`placing.placed`), then their pros and cons with the stored sizes
  of the others, and `stored_sizes.visitors_sizes` applies the one rule. The claims above
  a named claim before a move are covered too: its old parent was named.

Each store moves its stamp from the one read, by one conditional UPDATE (`store_rescored`,
`store_changes`): a process that stored first wins, the other stores nothing. Left behind
for a whole load (or the task queue), as before: a write that could not say what it
changed since the stamp (`rebuilt_in`: merges, reverts, imports, deletions), more than
`CHANGES_MAX` claims named, more than `ROWS_MAX` read around them (a hidden branch
of thousands of claims), or a stored value the change needs missing. Gap places and the
claims with no place have catch-ups of their own (stored_gaps.py, places.py), run by their
readers.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.db import connections, transaction

from arguments import replicas
from arguments.models import Claim, Relation, StoredBranchSize, StructureChange
from arguments.structure import (
    placing,
    stored_catch_up,
    stored_sizes,
    stored_strengths,
)
from arguments.structure.graph import (
    EDGE_COLUMNS,
    NODE_COLUMNS,
    PUBLISHED,
    DebateStructure,
    edge_from,
    node_from,
    raw_rows,
)
from arguments.structure.loader import fits, versions_now
from arguments.structure.snapshot import in_snapshot, snapshot

# One base score's arithmetic and one read beneath the claims rescored, with the votes'
# catch-up (which this one extends to writes).
from arguments.structure.stored_catch_up import _BENEATH_SQL, _base

if TYPE_CHECKING:
    from collections.abc import Sequence

    from arguments.models import Debate
    from arguments.structure.graph import Edge, Node

# More claims named since a stamp than this, and the copy is left for a whole load: a catch-up
# costs its change, and a change this big is most of a debate's worth of queries anyway.
CHANGES_MAX = 500
# More claims read around the change than this (a hidden branch of thousands, a thesis's
# pros and cons by the thousand): left behind too. Also keeps the lists of ids passed as
# parameters far below SQLite's limit (32,766).
ROWS_MAX = 10_000

_CLAIMS = Claim._meta.db_table
_RELATIONS = Relation._meta.db_table
_SIZES = StoredBranchSize._meta.db_table
_CHANGES = StructureChange._meta.db_table
_RELATION_COLUMNS = {field.attname: field.column for field in Relation._meta.concrete_fields}
_EDGE_SQL_COLUMNS = ", ".join(f"r.{_RELATION_COLUMNS[name]}" for name in EDGE_COLUMNS)
_TALLY = ", ".join(f"{{t}}.{field}" for field in Claim.TALLY_FIELDS)

# The named and voted claims (each part by its own index: an OR of them read the debate's
# claims), and every published claim above them over the relations
# strength runs on (UNION, not ALL: a claim reached twice is walked once, and a cycle through
# links ends); with each one's status and base score's tallies: its own, and its original
# place's (two standing original places, never made so: the last in sibling order, as
# `graph.edge_indexes` keeps it).
_AFFECTED_SQL = f"""
    WITH RECURSIVE up(id) AS (
        SELECT id FROM (
            SELECT id FROM {_CLAIMS} WHERE id IN ({{named}}) AND debate_id = %(debate)s
            UNION ALL
            SELECT child_id FROM {_RELATIONS}
            WHERE debate_id = %(debate)s AND tallied_in > %(tally)s
                AND NOT is_link AND NOT is_hidden
            UNION ALL
            SELECT id FROM {_CLAIMS}
            WHERE debate_id = %(debate)s AND tallied_in > %(tally)s AND is_thesis
        ) seeds
        UNION
        SELECT r.parent_id FROM {_RELATIONS} r
        JOIN up ON r.child_id = up.id
        JOIN {_CLAIMS} p ON p.id = r.parent_id
        WHERE NOT r.is_hidden AND p.status = %(published)s
    )
    SELECT c.id, c.status, {_TALLY.format(t="c")}, {_TALLY.format(t="o")}
    FROM up JOIN {_CLAIMS} c ON c.id = up.id
    LEFT JOIN {_RELATIONS} o ON o.child_id = c.id AND NOT o.is_link AND NOT o.is_hidden
    ORDER BY c.id, o.position, o.id
"""  # names from the models; values are parameters

# The claims that link to a claim beneath (or at) `moved`, over standing written relations.
_LINKING_SQL = f"""
    WITH RECURSIVE down(id) AS (
        SELECT id FROM {_CLAIMS} WHERE id IN ({{ids}})
        UNION
        SELECT r.child_id FROM {_RELATIONS} r JOIN down ON r.parent_id = down.id
        WHERE NOT r.is_link AND NOT r.is_hidden
    )
    SELECT DISTINCT l.parent_id FROM {_RELATIONS} l
    WHERE l.is_link AND NOT l.is_hidden AND l.child_id IN (SELECT id FROM down)
"""


def _marks(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


def caught_up_if_too_big(debate: Debate, *, sizes: bool = False) -> bool:
    """For a worker holding nothing of `debate`, whose stored copies are behind: whether
    they are now current, brought up to date from rows (`after_writes`) when the debate is
    too big to hold (`loader.fits`). False when they were never stored, a write since could
    not say what it changed, or the debate fits: the caller then loads it whole and holds
    it, and its next changes cost a catch-up in memory."""
    stamp = stored_strengths.stamp_of(debate)
    if stamp is None or debate.rebuilt_in > stamp[0]:
        return False  # never stored, or a write since that could not say what it changed
    return not fits(debate) and after_writes(debate, sizes=sizes)


def after_writes(debate: Debate, *, sizes: bool = False) -> bool:
    """Whether the stored strengths (and with `sizes`, the stored branch sizes) are current
    for `debate` as its row was read, after bringing both up to date with the writes and
    votes since their stamps from rows around the change (see the module's text). False
    when they cannot be: the caller loads the debate whole, as before. Never writes inside
    a read snapshot (a read-only transaction on PostgreSQL)."""
    for _attempt in range(stored_catch_up.ATTEMPTS):
        ok, raced = _brought_up_to_date(debate, sizes=sizes)
        if ok or not raced:
            return ok
        # Another process stored first, maybe only as far as an older row (a vote's catch-up
        # while this write committed): again from where it left the stamps.
    return False


def _brought_up_to_date(debate: Debate, *, sizes: bool) -> tuple[bool, bool]:
    """`after_writes` once: whether the copies are current, and whether a store was lost to
    another process (so that trying again may succeed)."""
    strengths_now = stored_strengths.current(debate)
    sizes_now = stored_sizes.current(debate)
    if (strengths_now and (sizes_now or not sizes)) or in_snapshot():
        return strengths_now and (sizes_now or not sizes), False
    stamp = stored_strengths.stamp_of(debate)
    if stamp is None or debate.rebuilt_in > stamp[0]:
        return False, False  # never stored, or a write since that could not say what it changed
    if (
        stamp[0] == debate.structure_version
        and (sizes_now or not sizes)
        and stored_catch_up.after_votes(debate)
    ):
        return True, False  # votes only since the stamp
    # Else also a write since the row was read (found by the 200,000-claim load test: a
    # vote's catch-up refused it, and the reader loaded the debate whole): caught up below.
    with snapshot():
        now = versions_now(debate)
        target = (now.structure_version, now.tally_version)
        seen = stored_strengths.stamp_of(now)
        since = now.sizes_structure_version
        # The claims named since the older stamp: both copies' catch-ups read them.
        stamps = [v for v in (seen[0] if seen else None, since) if v is not None]
        named = _named_since(now, min(stamps)) if stamps else None
        strengths = None
        if (
            seen is not None
            and seen != target
            and seen[0] <= target[0]
            and seen[1] <= target[1]
            and named is not None
        ):
            strengths = _rescored(now, since=seen, named=named)
        new_sizes = None
        if since is not None and since < now.structure_version and named is not None:
            new_sizes = _sized(now, since=since, named=named)
    stored = moved = False  # whether each store moved its stamp
    if strengths is not None or new_sizes is not None:
        with transaction.atomic(savepoint=False):
            if strengths is not None and seen is not None:
                stored = stored_strengths.store_rescored(
                    now.pk, since=seen, now=target, changes=strengths
                )
            if new_sizes is not None and since is not None:
                computed, gone = new_sizes
                moved = stored_sizes.store_changes(
                    now.pk, since=since, now=now.structure_version, sizes=computed, gone=gone
                )
    if stored:
        now.strengths_structure_version, now.strengths_tally_version = target
    if moved:
        now.sizes_structure_version = now.structure_version
    raced = (strengths is not None and not stored) or (new_sizes is not None and not moved)
    if raced:
        now = versions_now(debate)  # another process stored first: where it left the stamps
    wanted = (debate.structure_version, debate.tally_version)
    stamp = stored_strengths.stamp_of(now)
    ok = stamp is not None and stamp[0] >= wanted[0] and stamp[1] >= wanted[1]
    if sizes:
        ok = ok and (now.sizes_structure_version or 0) >= wanted[0]
    return ok, raced


def _named_since(now: Debate, since: int) -> dict[int, set[int]] | None:
    """By version after `since`, the claims each write named (one query); None when a write
    since could not say what it changed, or named more than `CHANGES_MAX` claims."""
    if now.rebuilt_in > since:
        return None
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(
            f"SELECT version, claim_id FROM {_CHANGES} WHERE debate_id = %s AND version > %s",
            [now.pk, since],
        )
        rows = cursor.fetchall()
    named: dict[int, set[int]] = defaultdict(set)
    for version, claim_id in rows:
        named[version].add(claim_id)
    if len({c for claims in named.values() for c in claims}) > CHANGES_MAX:
        return None
    return named


def _claims_named(named: dict[int, set[int]], since: int) -> set[int]:
    return {c for version, claims in named.items() if version > since for c in claims}


def _rescored(
    now: Debate, *, since: tuple[int, int], named: dict[int, set[int]]
) -> list[tuple[int, float | None]] | None:
    """The new strengths of the claims named after structure version `since[0]` or voted on
    after tally version `since[1]` and of every published claim above them (two queries);
    None when too many, or when a stored strength the re-scoring needs is missing."""
    if now.rebuilt_in > since[0]:
        return None
    changed = sorted(_claims_named(named, since[0]))
    marks = ", ".join(f"%(n{i})s" for i in range(len(changed))) or "NULL"
    values: dict[str, int | str] = {f"n{i}": claim_id for i, claim_id in enumerate(changed)}
    values |= {"debate": now.pk, "tally": since[1], "published": PUBLISHED}
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(_AFFECTED_SQL.format(named=marks), values)
        rows = cursor.fetchall()
        if len(rows) > ROWS_MAX:
            return None
        base: dict[int, float] = {}
        unpublished: set[int] = set()
        for claim_id, status, *tallies in rows:
            if status != PUBLISHED:
                unpublished.add(claim_id)
                continue
            own, placed = tuple(tallies[:5]), tuple(tallies[5:])
            base[claim_id] = _base(own if placed[0] is None else placed)
        affected = sorted(base)
        beneath = []
        if affected:
            cursor.execute(_BENEATH_SQL.format(ids=_marks(affected)), [*affected, PUBLISHED])
            beneath = cursor.fetchall()
    fresh = stored_catch_up.scored(base, beneath)
    if fresh is None:
        return None
    changes: list[tuple[int, float | None]] = [(c, fresh[c]) for c in affected]
    return changes + [(c, None) for c in sorted(unpublished)]


def _sized(
    now: Debate, *, since: int, named: dict[int, set[int]]
) -> tuple[dict[int, int], list[tuple[int]]] | None:
    """The visitor's branch sizes a catch-up from structure version `since` stores, and the
    claims whose size goes (a visitor no longer sees them); None when it cannot be told from
    the rows around the change."""
    if now.rebuilt_in > since:
        return None
    changed = _claims_named(named, since)
    if not changed:
        return {}, []
    with_others: dict[int, set[int]] = defaultdict(set)
    for version, claims in named.items():
        if version > since:
            for claim_id in claims:
                with_others[claim_id] |= claims
    held = _ways_up(now, changed)
    with connections[replicas.reads_from()].cursor() as cursor:
        ids = sorted(changed)
        cursor.execute(f"SELECT claim_id FROM {_SIZES} WHERE claim_id IN ({_marks(ids)})", ids)
        had = {row[0] for row in cursor.fetchall()}
        moved = sorted(c for c in changed if c in held.nodes and _moved(held, c, had, with_others))
        linking: list[int] = []
        if moved:
            cursor.execute(_LINKING_SQL.format(ids=_marks(moved)), moved)
            linking = [row[0] for row in cursor.fetchall()]
    if len(linking) > ROWS_MAX:
        return None
    _merge(held, _ways_up(now, set(linking) - held.nodes.keys()))
    affected = sorted(held.nodes)  # the named and linking claims and every claim above them
    if len(affected) > ROWS_MAX:
        return None
    edges = _beneath(affected)
    if len(edges) > ROWS_MAX:
        return None
    for edge in edges:
        held.children.setdefault(edge.parent, []).append(edge)
    held.nodes.update(_nodes(sorted({e.child for e in edges} - held.nodes.keys())))
    # A linked claim counts where a visitor sees it: its way up.
    links = {e.child for e in edges if e.is_link and stored_sizes.shown(held.nodes[e.child])}
    _merge(held, _ways_up(now, links - held.original.keys()))
    affected_set = set(affected)
    others = sorted(
        {
            e.child
            for e in edges
            if not e.is_link and e.child not in affected_set
            and stored_sizes.shown(held.nodes[e.child])
        }
    )  # fmt: skip
    known = _stored_sizes(others)
    if len(known) < len(others):
        return None  # a row missing: left behind, for a whole load to store
    shown = [c for c in affected if stored_sizes.shown(held.nodes[c])]
    sizes = stored_sizes.visitors_sizes(held, shown, known)
    return sizes, [(c,) for c in affected if c not in sizes]


def _moved(
    held: DebateStructure, claim_id: int, had: set[int], with_others: dict[int, set[int]]
) -> bool:
    """Whether what lies beneath the named claim may be seen by a visitor now and not at
    the stamp, or the other way: the claim is seen on its own now and was not (a size was
    stored for it exactly when it was), or its written place may have moved (it has none,
    or one write named it with the parent it has now)."""
    node = held.nodes[claim_id]
    if stored_sizes.shown(node) != (claim_id in had):
        return True
    edge = held.original.get(claim_id)
    if edge is None:
        return not node.is_thesis
    return edge.parent in with_others[claim_id]


def _ways_up(now: Debate, claims: set[int]) -> DebateStructure:
    """The claims with their ways up to their thesis (`placing.placed`), as an empty
    structure when there are none."""
    found = placing.placed([now], claims).get(now.pk) if claims else None
    if found is None:
        return DebateStructure(
            debate_id=now.pk,
            version=(now.structure_version, now.created_at),
            nodes={},
            children={},
            original={},
            theses=[],
            whole=False,
        )
    return found


def _merge(held: DebateStructure, more: DebateStructure) -> None:
    held.nodes.update(more.nodes)
    held.original.update(more.original)


def _beneath(claims: list[int]) -> list[Edge]:
    """Every standing relation beneath `claims`, in sibling order (one query)."""
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(
            f"SELECT {_EDGE_SQL_COLUMNS} FROM {_RELATIONS} r "
            f"WHERE r.parent_id IN ({_marks(claims)}) AND NOT r.is_hidden "
            "ORDER BY r.position, r.id",
            claims,
        )
        return [edge_from(row) for row in cursor.fetchall()]


def _nodes(claims: list[int]) -> dict[int, Node]:
    if not claims:
        return {}
    rows = raw_rows(Claim.objects.filter(pk__in=claims).values_list(*NODE_COLUMNS))
    return {node.id: node for node in (node_from(row) for row in rows)}


def _stored_sizes(claims: list[int]) -> dict[int, int]:
    if not claims:
        return {}
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(
            f"SELECT claim_id, size FROM {_SIZES} WHERE claim_id IN ({_marks(claims)})", claims
        )
        return dict(cursor.fetchall())
