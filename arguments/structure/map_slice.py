"""What a map draws, read alone by a worker that holds nothing of the debate: the claims it
opens, level by level, with the branch sizes a visitor sees stored (stored_sizes.py) and the
strengths stored (stored_strengths.py), instead of loading and scoring the whole debate to
size a few hundred segments (issue 35: 524 ms of CPU at 20,000 claims, 3.4 s at 200,000).

The map (`maps.branch_of`) opens a claim, drawing its pros and cons, when it stands less than
`depth` levels under the map's root and its share of the map (its root's share times its size
over its siblings') is at least `min_share`; a claim's own page also draws `open_levels`
levels whole (its tree drawing). The slice opens every claim the map could open: a share
here is computed over the sizes of the non-link pros and cons a visitor sees on their own,
which leaves out the links the map counts one each, so it is never smaller than the map's.
With `min_share` and the depth, at most `depth / min_share` claims are opened (a level's
shares add up to at most one), and a slice reads at most `SLICE_MAX` relations, whatever the
debate's size; a bigger one is loaded whole.

The rows read: the theses (for the whole map), the relations beneath each claim opened, with
the claim at their lower end, its stored size and strength; the way up to its thesis of the
map's root and of every linked claim (a link shows only where its original place is seen).
The lens then reads the slice as it reads the whole (`DebateStructure.whole` is False), so the
map's claims, labels, strengths and links are decided by the same code. Only for readers who
see what a visitor sees (no moderator, no pending claim of their own), since the sizes stored
are a visitor's; and only while both stamps are the debate's versions. The slice is never kept.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, NamedTuple

from django.db import connections

from arguments import replicas
from arguments.models import THESES_INDEX_HINT, Claim, Debate, StoredBranchSize, StoredStrength
from arguments.structure import stored_sizes, stored_strengths, stored_writes
from arguments.structure.first_screen import (
    _CLAIMS,
    _EDGE_SQL_COLUMNS,
    _NODE_SQL_COLUMNS,
    _RELATIONS,
    _USERS,
    SLICE_MAX,
    _placeholders,
    _ways_up,
)
from arguments.structure.graph import (
    PUBLISHED,
    DebateStructure,
    Edge,
    Node,
    dangling,
    edge_from,
    edge_indexes,
    node_from,
)
from arguments.structure.loader import debate_structure, holds, versions_now
from arguments.structure.snapshot import snapshot

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db.backends.utils import CursorWrapper

logger = logging.getLogger(__name__)

_SIZES = StoredBranchSize._meta.db_table
_STRENGTHS = StoredStrength._meta.db_table
_NODE_COUNT = len(_NODE_SQL_COLUMNS.split(", "))


class MapReach(NamedTuple):
    """What a map opens: from `root` (None: every thesis), claims less than `depth` levels
    under it with at least `min_share` of the map, and every claim of the first
    `open_levels` levels."""

    root: int | None
    depth: int
    min_share: float
    open_levels: int = 0


def structure_for(
    debate: Debate, reach: MapReach, *, sees_as_visitor: Callable[[], bool]
) -> DebateStructure:
    """What a map is drawn from: the slice it draws when this process holds nothing of the
    debate, the stored strengths and sizes are current (brought up to date here after
    writes and votes since their stamps: stored_writes.py) and the reader sees what a
    visitor sees (asked last: it may cost a query); else the whole structure."""
    if holds(debate):
        return debate_structure(debate)
    current = stored_strengths.current(debate) and stored_sizes.current(debate)
    caught_up = current or stored_writes.caught_up_if_too_big(debate, sizes=True)
    if not caught_up or not sees_as_visitor():
        return debate_structure(debate)
    return load(debate, reach) or debate_structure(debate)


def has_pending(debate: Debate, user_id: int) -> bool:
    """Whether the reader wrote a claim still pending here (they see it; a visitor does not)."""
    pending = Claim.objects.filter(debate=debate, author_id=user_id, status=Claim.Status.PENDING)
    return pending.exists()


def load(debate: Debate, reach: MapReach) -> DebateStructure | None:
    """The slice a map draws, from one snapshot; None when it would read more than
    `SLICE_MAX` relations, or a size or a claim it needs is missing."""
    with snapshot():
        structure = _read(debate, reach)
    if structure is not None and dangling(structure):
        logger.warning("debate %s: the map's slice names unread claims", debate.pk)
        return None
    return structure


class _Row(NamedTuple):
    node: Node
    strength: float | None
    size: int | None


def _row(row: tuple[object, ...]) -> _Row:
    strength, size = row[_NODE_COUNT], row[_NODE_COUNT + 1]
    return _Row(node_from(row[:_NODE_COUNT]), strength, size)  # type: ignore[arg-type]


def _claims_sql(where: str, index: str = "") -> str:
    return (
        f"SELECT {_NODE_SQL_COLUMNS}, s.strength, z.size "
        f"FROM {_CLAIMS} c {index} LEFT JOIN {_USERS} u ON u.id = c.author_id "
        f"LEFT JOIN {_STRENGTHS} s ON s.claim_id = c.id "
        f"LEFT JOIN {_SIZES} z ON z.claim_id = c.id WHERE {where}"
    )


def _read(debate: Debate, reach: MapReach) -> DebateStructure | None:
    now = versions_now(debate)
    rows: dict[int, _Row] = {}
    edges: list[Edge] = []
    with connections[replicas.reads_from()].cursor() as cursor:
        # The theses through their partial index, as the first screen reads them.
        theses = _claims_sql(
            "c.debate_id = %s AND c.is_thesis ORDER BY c.id",
            index=THESES_INDEX_HINT.get(cursor.db.vendor, ""),
        )
        cursor.execute(theses, [debate.pk])
        thesis_ids = []
        for fetched in cursor.fetchall():
            row = _row(fetched)
            rows[row.node.id] = row
            thesis_ids.append(row.node.id)
        if reach.root is None:
            shown = [rows[t] for t in thesis_ids if _alone(rows[t].node)]
            if any(row.size is None for row in shown):
                return None
            total = sum(row.size or 0 for row in shown) or 1
            level = {row.node.id: (row.size or 0) / total for row in shown}
        else:
            cursor.execute(_claims_sql("c.debate_id = %s AND c.id = %s"), [debate.pk, reach.root])
            for fetched in cursor.fetchall():
                row = _row(fetched)
                rows[row.node.id] = row
            level = {reach.root: 1.0}
        depth = 0
        while level:
            opened = {
                claim_id: part
                for claim_id, part in level.items()
                if depth < reach.open_levels or (depth < reach.depth and part >= reach.min_share)
            }
            if not opened:
                break
            fresh = _beneath(cursor, debate.pk, sorted(opened))
            edges += [edge for edge, _row in fresh]
            if len(edges) > SLICE_MAX:
                return None
            under: dict[int, list[tuple[Edge, _Row]]] = {}
            for edge, row in fresh:
                rows[row.node.id] = row
                under.setdefault(edge.parent, []).append((edge, row))
            level = {}
            for parent, part in opened.items():
                # Links left out: they count one each on the map, so each share here is at
                # least the map's (see the module's docstring).
                drawn = [
                    (edge, row)
                    for edge, row in under.get(parent, ())
                    if not edge.is_link and _alone(row.node)
                ]
                if any(row.size is None for _edge, row in drawn):
                    return None
                total = sum(row.size or 0 for _edge, row in drawn)
                for edge, row in drawn:
                    level[edge.child] = part * (row.size or 0) / total
            depth += 1
    children, parents, original = edge_indexes(edges)
    ways = {edge.child for edge in edges if edge.is_link}
    if reach.root is not None:
        ways.add(reach.root)
    up = _ways_up(debate.pk, sorted(ways))
    for edge in up:
        if edge.child not in original:
            original[edge.child] = edge
            parents.setdefault(edge.child, []).append(edge)
    missing = sorted({edge.parent for edge in up} - rows.keys())
    if missing:
        rows.update(_ancestors(debate.pk, missing))
    structure = DebateStructure(
        debate_id=debate.pk,
        version=(now.structure_version, now.created_at),
        nodes={claim_id: row.node for claim_id, row in rows.items()},
        children=children,
        original=original,
        theses=thesis_ids,
        parents=parents,
        tally_version=now.tally_version,
        strength={c: row.strength for c, row in rows.items() if row.strength is not None},
        whole=False,
    )
    # A visitor's branch sizes (`maps` sizes every segment it draws with them).
    structure.__dict__["stored_branch_sizes"] = {
        claim_id: row.size for claim_id, row in rows.items() if row.size is not None
    }
    return structure


def _alone(node: Node) -> bool:
    """Whether a visitor sees the claim on its own (`sees_claim`)."""
    return node.status == PUBLISHED and not node.merged_into_id


def _beneath(cursor: CursorWrapper, debate_id: int, parents: list[int]) -> list[tuple[Edge, _Row]]:
    """The standing relations under `parents`, in sibling order, each with the claim at its
    lower end: one query, found by parent."""
    cursor.execute(
        f"SELECT {_EDGE_SQL_COLUMNS}, {_NODE_SQL_COLUMNS}, s.strength, z.size "
        f"FROM {_RELATIONS} r JOIN {_CLAIMS} c ON c.id = r.child_id "
        f"LEFT JOIN {_USERS} u ON u.id = c.author_id "
        f"LEFT JOIN {_STRENGTHS} s ON s.claim_id = c.id "
        f"LEFT JOIN {_SIZES} z ON z.claim_id = c.id "
        f"WHERE r.debate_id = %s AND r.is_hidden = %s "
        f"AND r.parent_id IN ({_placeholders(parents)}) ORDER BY r.position, r.id",
        [debate_id, False, *parents],
    )
    width = len(_EDGE_SQL_COLUMNS.split(", "))
    return [(edge_from(row[:width]), _row(row[width:])) for row in cursor.fetchall()]


def _ancestors(debate_id: int, claims: list[int]) -> dict[int, _Row]:
    """The claims on the ways up not read yet (one query)."""
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(
            _claims_sql(f"c.debate_id = %s AND c.id IN ({_placeholders(claims)})"),
            [debate_id, *claims],
        )
        return {row.node.id: row for row in map(_row, cursor.fetchall())}
