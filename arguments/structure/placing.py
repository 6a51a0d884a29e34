"""Where a few claims stand, read alone: each claim with its way up to its thesis (the
relations where it and every claim above it were written, and those claims), for a read that
shows claims found anywhere in a debate, or in many (search: issue 35).

Whether a reader sees a claim is decided along that way (`sees_along`: a claim under one the
reader does not see is not seen either), and a result shows its thesis and the claim it
answers, both on it. The whole structure holds every way; this reads only the ways asked for,
two queries in one snapshot whatever the debates' sizes, and builds the same `original`
relations and nodes the whole load would, so `DebateStructure.path_to` answers the same.

A slice of this kind holds no children lists, strengths, citations or notes: it answers
`path_to` and nothing else, and it is never kept.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.db import connections

from arguments import replicas
from arguments.models import Claim, Relation
from arguments.structure.graph import (
    EDGE_COLUMNS,
    NODE_COLUMNS,
    DebateStructure,
    Edge,
    Node,
    edge_from,
    node_from,
    raw_rows,
)
from arguments.structure.snapshot import snapshot

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

    from arguments.models import Debate

_RELATION_COLUMNS = {field.attname: field.column for field in Relation._meta.concrete_fields}
_EDGE_SQL_COLUMNS = ", ".join(f"r.{_RELATION_COLUMNS[name]}" for name in EDGE_COLUMNS)
_CLAIMS = Claim._meta.db_table
_RELATIONS = Relation._meta.db_table


def placed(debates: Iterable[Debate], claims: Collection[int]) -> dict[int, DebateStructure]:
    """By debate id, a structure holding each of `claims` (those of `debates`; others are
    left out) with its way up to its thesis, as the debate stands now."""
    by_id = {debate.pk: debate for debate in debates}
    if not by_id or not claims:
        return {}
    with snapshot():
        # Relations before claims, as the whole load reads them: claims are never deleted,
        # so every relation read names claims the second query finds.
        edges = _ways_up(sorted(by_id), sorted(claims))
        wanted = set(claims) | {edge.parent for edge in edges}
        rows = raw_rows(
            Claim.objects.filter(pk__in=sorted(wanted), debate_id__in=sorted(by_id)).values_list(
                "debate_id", *NODE_COLUMNS
            )
        )
    nodes: dict[int, dict[int, Node]] = defaultdict(dict)
    debate_of: dict[int, int] = {}
    for debate_id, *columns in rows:
        node = node_from(columns)
        nodes[debate_id][node.id] = node
        debate_of[node.id] = debate_id
    original: dict[int, dict[int, Edge]] = defaultdict(dict)
    for edge in edges:  # in sibling order: the whole load's index keeps the last one too
        if edge.child in debate_of:
            original[debate_of[edge.child]][edge.child] = edge
    return {
        debate_id: DebateStructure(
            debate_id=debate_id,
            version=(by_id[debate_id].structure_version, by_id[debate_id].created_at),
            nodes=held,
            children={},
            original=original[debate_id],
            theses=[pk for pk, node in held.items() if node.is_thesis],
            tally_version=by_id[debate_id].tally_version,
            whole=False,
        )
        for debate_id, held in nodes.items()
    }


def _ways_up(debates: list[int], claims: list[int]) -> list[Edge]:
    """The standing original relations from each of `claims` up to its thesis, in sibling
    order: one recursive query, each step found by the child's index."""
    claim_marks = ", ".join(["%s"] * len(claims))
    debate_marks = ", ".join(["%s"] * len(debates))
    sql = f"""
        WITH RECURSIVE up(id) AS (
            SELECT id FROM {_CLAIMS}
            WHERE id IN ({claim_marks}) AND debate_id IN ({debate_marks})
            UNION
            SELECT r.parent_id FROM {_RELATIONS} r JOIN up ON r.child_id = up.id
            WHERE r.is_link = %s AND r.is_hidden = %s
        )
        SELECT {_EDGE_SQL_COLUMNS} FROM {_RELATIONS} r
        WHERE r.child_id IN (SELECT id FROM up) AND r.is_link = %s AND r.is_hidden = %s
        ORDER BY r.position, r.id
    """  # names from the models; values are parameters
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(sql, [*claims, *debates, False, False, False, False])
        return [edge_from(row) for row in cursor.fetchall()]
