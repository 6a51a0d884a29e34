"""A debate's first screen for a worker that holds nothing of it: the theses, their pros and
cons, and what those need to show their own counts, read alone, with the strengths stored in
the claims' rows (arguments/stored_strengths.py).

The debate page shows its theses one level deep (`INITIAL_LEVELS`). A process that holds the
debate (or can catch it up) serves the page from the whole structure, as every other view
does. A process that holds nothing would have to read and score every claim first: 150 to 400
ms at 20,000 claims. Instead, while the stored strengths are current, it reads a slice of the
structure, a few hundred rows whatever the debate's size, and the lens reads it as it reads
the whole: the same visibility rules, actions, URLs and cards, because the slice holds every
row they look at for the claims on the page.

- Nodes: the theses, the claims beneath them (level 1) and beneath those (level 2: a level-1
  claim's "N pros, M cons" counts only the ones the reader sees).
- Edges: every standing relation under a thesis or a level-1 claim, so those claims' lists of
  children are whole; relations under deeper claims are not read.
- For a linked claim, the way up from where it was written to its thesis (a link shows only
  where its original place is seen): one recursive query, when there are links.
- Citations and notes of the claims shown; strengths as stored.

The slice is never kept: the process loads the whole debate the first time a request needs
more than the first screen (a branch, a focus page, search), and from then on holds it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Max, Q

from arguments import stored_strengths
from arguments.models import Claim, Debate, Relation
from arguments.selectors import (
    EDGE_COLUMNS,
    NODE_COLUMNS,
    DebateStructure,
    Edge,
    Node,
    citation_rows,
    citations_from,
    debate_structure,
    edge_from,
    holds,
    node_from,
    note_rows,
    notes_from,
    raw_rows,
)

if TYPE_CHECKING:
    from django.db.models import QuerySet

LEVELS = 1  # how deep beneath the theses the slice can unfold (it reads one level more)


def structure_for(debate: Debate) -> DebateStructure:
    """What the debate page's first screen is rendered from: the whole structure when this
    process holds the debate or the stored strengths are behind, else the slice."""
    if holds(debate) or not stored_strengths.current(debate):
        return debate_structure(debate)
    return load(debate)


def load(debate: Debate) -> DebateStructure:
    """The first screen's slice of the debate: five queries, six with links. Which rows
    belong to it is decided in the database (subqueries, never lists of ids as parameters),
    so a flat debate with thousands of claims on its first level stays one query each."""
    theses = Claim.objects.filter(debate=debate, is_thesis=True).values("id")
    standing = Relation.objects.filter(debate=debate).active()
    level_1 = standing.filter(parent_id__in=theses).values("child_id")
    under = standing.filter(Q(parent_id__in=theses) | Q(parent_id__in=level_1))
    edges = [
        edge_from(row)
        for row in raw_rows(under.order_by("position", "id").values_list(*EDGE_COLUMNS))
    ]
    children: dict[int, list[Edge]] = defaultdict(list)
    parents: dict[int, list[Edge]] = defaultdict(list)
    original: dict[int, Edge] = {}
    for edge in edges:
        children[edge.parent].append(edge)
        parents[edge.child].append(edge)
        if not edge.is_link:
            original[edge.child] = edge
    above: set[int] = set()  # claims on a linked claim's way up, outside the two levels
    if any(edge.is_link for edge in edges):
        for edge in _ways_up(under.filter(is_link=True).order_by().values("child_id")):
            if edge.child not in original:
                original[edge.child] = edge
                parents[edge.child].append(edge)
            above |= {edge.parent, edge.child}
        above -= {edge.child for edge in edges}  # read by the subquery already
    claims = Claim.objects.filter(
        Q(is_thesis=True) | Q(pk__in=under.values("child_id")) | Q(pk__in=sorted(above)),
        debate=debate,
    )
    nodes: dict[int, Node] = {}
    strength: dict[int, float] = {}
    for *columns, stored in raw_rows(claims.values_list(*NODE_COLUMNS, "strength")):
        node = node_from(columns)
        nodes[node.id] = node
        if stored is not None:
            strength[node.id] = stored
    thesis_ids = sorted(node.id for node in nodes.values() if node.is_thesis)
    shown = Claim.objects.filter(Q(is_thesis=True) | Q(pk__in=level_1), debate=debate)
    structure = DebateStructure(
        debate_id=debate.pk,
        version=(debate.structure_version, debate.created_at),
        nodes=nodes,
        children=dict(children),
        original=original,
        theses=thesis_ids,
        parents=dict(parents),
        tally_version=debate.tally_version,
        citations=citations_from(citation_rows(claim_id__in=shown.values("id"))),
        notes=notes_from(note_rows(claim_id__in=shown.values("id"))),
        strength=strength,
        whole=False,
    )
    # The live poll compares with the newest claim of the whole debate, not of the slice.
    newest = Claim.objects.filter(debate=debate).aggregate(newest=Max("id"))["newest"]
    structure.__dict__["newest_claim"] = newest or 0
    return structure


def _ways_up(linked: QuerySet[Relation]) -> list[Edge]:
    """The standing original relations from each claim in `linked` (a one-column queryset)
    up to its thesis: one recursive query."""
    table = Relation._meta.db_table
    columns = ", ".join(f"r.{Relation._meta.get_field(name).column}" for name in EDGE_COLUMNS)
    start, params = linked.query.sql_with_params()
    sql = f"""
        WITH RECURSIVE up(id) AS (
            {start}
            UNION
            SELECT r.parent_id FROM {table} r JOIN up ON r.child_id = up.id
            WHERE r.is_link = %s AND r.is_hidden = %s
        )
        SELECT {columns} FROM {table} r
        WHERE r.child_id IN (SELECT id FROM up) AND r.is_link = %s AND r.is_hidden = %s
    """  # names from the models; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, False, False, False, False])
        return [edge_from(row) for row in cursor.fetchall()]
