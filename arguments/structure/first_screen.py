"""A debate's first screen for a worker that holds nothing of it: the theses, their pros and
cons, and what those need to show their own counts, read alone, with the strengths stored by
the processes that hold the debate (arguments/structure/stored_strengths.py).

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

The same slice `around` one claim serves its focus page and its branch fragment: the claim,
its way up to its thesis, its pros and cons and theirs (issue 35). `levels` deeper: an
embed's tree opened `depth` levels. Through a perspective, the same slices with that
perspective's stored strengths (arguments/reading/perspectives.py). A slice of `cards` serves
a page that lists claims as cards without their pros and cons or how many (the cruxes): the
claims and their ways up, nothing beneath (`tree()` counts none there: the equality tests
of such a page would show a card that starts to).

The slice is never kept: the process loads the whole debate the first time a request needs
more (cruxes, gaps, search; a map reads a slice of its own, map_slice.py), and from then on
holds it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connections

from arguments import replicas
from arguments.models import THESES_INDEX_HINT, Claim, Debate, Relation, StoredStrength
from arguments.structure import stored_strengths, stored_writes
from arguments.structure.graph import (
    EDGE_COLUMNS,
    NODE_COLUMNS,
    STORED_STRENGTH,
    DebateStructure,
    Edge,
    Node,
    citation_rows,
    citations_from,
    dangling,
    edge_from,
    edge_indexes,
    node_from,
    note_rows,
    notes_from,
    raw_rows,
)
from arguments.structure.loader import debate_structure, holds, versions_now
from arguments.structure.snapshot import snapshot

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from django.db.backends.utils import CursorWrapper

logger = logging.getLogger(__name__)

LEVELS = 1  # how deep beneath the theses the slice can unfold (it reads one level more)


def structure_for(
    debate: Debate,
    *,
    around: int | None = None,
    levels: int = LEVELS,
    shown_at_most: int | None = None,
) -> DebateStructure:
    """What the debate page's first screen (or, `around` a claim, its focus page or branch;
    `levels` deep for an embed's, `levels_open` of them when it shows at most
    `shown_at_most` claims) is rendered from: the whole structure when this process holds
    the debate, the stored strengths are behind, or the slice would be most of the debate
    anyway; else the slice."""
    if not reads_slices(debate):
        return debate_structure(debate)
    slice_ = load(debate, around=around, levels=levels, shown_at_most=shown_at_most)
    return slice_ or debate_structure(debate)


def levels_open(level_sizes: Iterable[int], levels: int, shown_at_most: int) -> int:
    """How many levels a tree that shows at most `shown_at_most` claims opens beneath its
    roots, `levels` at most: the levels read breadth-first (`level_sizes`: how many standing
    relations each level holds, pending and linked claims included, under the claims written
    on the level above) until they hold more than it. At least one (when `levels` opens
    any): the roots' own pros and cons always show. The lens decides from its structure, the
    slice from its rows, by this one rule: the same levels whether a worker holds the debate
    or reads a slice."""
    if levels <= 1:
        return levels
    total = 0
    for level, size in enumerate(level_sizes, start=1):
        total += size
        if level >= levels or total > shown_at_most:
            return level
    return levels


def reads_slices(debate: Debate) -> bool:
    """Whether a page of the debate is read from a slice in this process: it holds nothing
    of the debate, and the stored strengths are current (as the debate's row was read), or
    brought up to date here after writes and votes since their stamp when the debate is too
    big to hold (`stored_writes.caught_up_if_too_big`: a smaller one is loaded and held)."""
    if holds(debate):
        return False
    return stored_strengths.current(debate) or stored_writes.caught_up_if_too_big(debate)


# More claims than this on the first two levels, and the first screen is no longer a slice
# (a flat debate shows most of its claims at once): it is loaded whole. Also keeps the lists
# of ids passed as parameters far below SQLite's limit (32,766).
SLICE_MAX = 2_000

# The table columns of the rows' attribute names (`author_id`, `votes_0`, …).
_CLAIM_COLUMNS = {field.attname: field.column for field in Claim._meta.concrete_fields}
_RELATION_COLUMNS = {field.attname: field.column for field in Relation._meta.concrete_fields}
_NODE_SQL_COLUMNS = ", ".join(
    f"c.{_CLAIM_COLUMNS[name]}" if "__" not in name else "u.username" for name in NODE_COLUMNS
)
_EDGE_SQL_COLUMNS = ", ".join(f"r.{_RELATION_COLUMNS[name]}" for name in EDGE_COLUMNS)
_CLAIMS = Claim._meta.db_table
_RELATIONS = Relation._meta.db_table
_USERS = Claim._meta.get_field("author").related_model._meta.db_table
_STRENGTHS = StoredStrength._meta.db_table


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


def load(
    debate: Debate,
    *,
    around: int | None = None,
    levels: int = LEVELS,
    cards: Sequence[int] | None = None,
    shown_at_most: int | None = None,
) -> DebateStructure | None:
    """The first screen's slice of the debate (six queries, seven with links) from one
    snapshot (`snapshot.py`), or None when it would hold more than `SLICE_MAX` claims or a
    relation in it names a claim it does not hold. `around` a claim: the slice its focus
    page and branch fragment read instead (the claim, its way up to its thesis, its pros and
    cons and theirs; the theses still, for "the lone thesis"). `levels` deeper than
    `LEVELS`: an embed's tree opened that deep, read the same way (one query more).
    `cards`: the claims and their ways up only, for cards that show neither their pros and
    cons nor how many. `shown_at_most`: a tree that shows at most that many claims reads
    only the levels it opens (`levels_open`) and the one beneath them (their counts), a
    query a level."""
    picked = list(cards) if cards is not None else [around] if around is not None else None
    with snapshot():
        structure = _read_slice(
            debate, picked, levels=levels, beneath=cards is None, shown_at_most=shown_at_most
        )
    if structure is not None and dangling(structure):
        logger.warning("debate %s: the first screen's slice names unread claims", debate.pk)
        return None
    return structure


def _read_slice(
    debate: Debate,
    picked: list[int] | None,
    *,
    levels: int,
    beneath: bool,
    shown_at_most: int | None = None,
) -> DebateStructure | None:
    """Plain SQL, each part through an index: the theses by a partial index, relations by
    their parent (the ORM's `OR` of subqueries read every row of the debate on PostgreSQL),
    then the claims at their ends."""
    now = versions_now(debate)  # the versions the slice stands at, read in its snapshot
    alias = replicas.reads_from()
    with connections[alias].cursor() as cursor:
        # The theses, and the newest claim of the whole debate (the live poll compares
        # with it, not with the slice's).
        cursor.execute(
            f"SELECT {_NODE_SQL_COLUMNS}, s.strength, "
            f"(SELECT MAX(n.id) FROM {_CLAIMS} n WHERE n.debate_id = %s) "
            f"FROM {_CLAIMS} c {THESES_INDEX_HINT.get(connections[alias].vendor, '')} "
            f"LEFT JOIN {_USERS} u ON u.id = c.author_id "
            f"LEFT JOIN {_STRENGTHS} s ON s.claim_id = c.id "
            f"WHERE c.debate_id = %s AND c.is_thesis ORDER BY c.id",  # as the index's WHERE
            [debate.pk, debate.pk],
        )
        thesis_rows = cursor.fetchall()
        thesis_ids = [row[0] for row in thesis_rows]
        newest = max((row[-1] or 0 for row in thesis_rows), default=0)
        roots = thesis_ids if picked is None else picked
        if not roots or not beneath:
            edges = []
        elif shown_at_most is not None:
            edges = _edges_open(cursor, debate.pk, roots, levels, shown_at_most)
        elif levels <= LEVELS:
            edges = _edges_under(cursor, debate.pk, roots)
        else:
            edges = _edges_down(cursor, debate.pk, roots, levels)
    if len(edges) > SLICE_MAX:
        return None
    children, parents, original = edge_indexes(edges)
    # The way up of every linked claim (a link shows only where its original place is
    # seen) and of the claims picked (whether the reader sees them, their breadcrumbs).
    ways = {edge.child for edge in edges if edge.is_link}
    if picked is not None:
        ways.update(picked)
    for edge in _ways_up(debate.pk, sorted(ways)):
        if edge.child not in original:
            original[edge.child] = edge
            parents.setdefault(edge.child, []).append(edge)
    wanted = {edge.child for edge in edges} | {edge.parent for edge in original.values()}
    wanted.update(roots)
    wanted.difference_update(thesis_ids)
    nodes: dict[int, Node] = {}
    strength: dict[int, float] = {}
    rows = [row[:-1] for row in thesis_rows]
    if wanted:
        claims = Claim.objects.filter(pk__in=sorted(wanted), debate=debate)
        rows += raw_rows(claims.values_list(*NODE_COLUMNS, STORED_STRENGTH))
    for *columns, stored in rows:
        node = node_from(columns)
        nodes[node.id] = node
        if stored is not None:
            strength[node.id] = stored
    shown = [*roots, *(edge.child for root in roots for edge in children.get(root, ()))]
    structure = DebateStructure(
        debate_id=debate.pk,
        version=(now.structure_version, now.created_at),
        nodes=nodes,
        children=children,
        original=original,
        theses=thesis_ids,
        parents=parents,
        tally_version=now.tally_version,
        citations=citations_from(citation_rows(claim_id__in=shown)),
        notes=notes_from(note_rows(claim_id__in=shown)),
        strength=strength,
        whole=False,
    )
    structure.__dict__["newest_claim"] = newest
    return structure


def _edges_under(cursor: CursorWrapper, debate_id: int, theses: list[int]) -> list[Edge]:
    """The standing relations under the theses and under their children, in sibling order:
    one query of two parts, each found by its parent."""
    held = f"{_placeholders(theses)}"
    cursor.execute(
        f"SELECT {_EDGE_SQL_COLUMNS} FROM {_RELATIONS} r "
        f"WHERE r.debate_id = %s AND r.is_hidden = %s AND r.parent_id IN ({held}) "
        f"UNION ALL "
        f"SELECT {_EDGE_SQL_COLUMNS} FROM {_RELATIONS} r "
        f"WHERE r.debate_id = %s AND r.is_hidden = %s AND r.parent_id IN ("
        f"  SELECT l.child_id FROM {_RELATIONS} l "
        f"  WHERE l.is_hidden = %s AND l.parent_id IN ({held})"
        f") ORDER BY 6, 1",  # position, id
        [debate_id, False, *theses, debate_id, False, False, *theses],
    )
    return [edge_from(row) for row in cursor.fetchall()]


def _edges_down(cursor: CursorWrapper, debate_id: int, roots: list[int], levels: int) -> list[Edge]:
    """The standing relations under `roots` and under every claim down to `levels` beneath
    them, in sibling order: one recursive query, stopped at `SLICE_MAX` + 1 relations (the
    slice is then refused anyway)."""
    sql = f"""
        WITH RECURSIVE down(id, level) AS (
            SELECT id, 0 FROM {_CLAIMS} WHERE debate_id = %s AND id IN ({_placeholders(roots)})
            UNION
            SELECT r.child_id, down.level + 1 FROM {_RELATIONS} r JOIN down ON r.parent_id = down.id
            WHERE r.is_hidden = %s AND down.level < %s
        )
        SELECT {_EDGE_SQL_COLUMNS} FROM {_RELATIONS} r
        WHERE r.debate_id = %s AND r.is_hidden = %s AND r.parent_id IN (SELECT id FROM down)
        ORDER BY 6, 1
        LIMIT %s
    """  # names from the models; values are parameters; position, id
    cursor.execute(sql, [debate_id, *roots, False, levels, debate_id, False, SLICE_MAX + 1])
    return [edge_from(row) for row in cursor.fetchall()]


def _edges_open(
    cursor: CursorWrapper, debate_id: int, roots: list[int], levels: int, shown_at_most: int
) -> list[Edge]:
    """The standing relations of the levels a tree showing at most `shown_at_most` claims
    opens (`levels_open`), and of the level beneath (the counts of the claims it leaves
    folded): one query a level, each found by its parents, stopped at `SLICE_MAX` + 1."""
    edges: list[Edge] = []
    sizes: list[int] = []
    parents = list(roots)
    opened = None
    while parents and len(edges) <= SLICE_MAX:
        level: list[Edge] = []
        for start in range(0, len(parents), SLICE_MAX):
            chunk = parents[start : start + SLICE_MAX]
            cursor.execute(
                f"SELECT {_EDGE_SQL_COLUMNS} FROM {_RELATIONS} r "
                f"WHERE r.debate_id = %s AND r.is_hidden = %s "
                f"AND r.parent_id IN ({_placeholders(chunk)}) ORDER BY 6, 1",  # position, id
                [debate_id, False, *chunk],
            )
            level += [edge_from(row) for row in cursor.fetchall()]
        edges += level
        if opened is not None:
            break  # the level beneath the last one open: read for its counts
        sizes.append(len(level))
        if len(sizes) >= levels or sum(sizes) > shown_at_most:  # `levels_open` stops here
            opened = len(sizes)
        parents = [edge.child for edge in level if not edge.is_link]
    return edges


def _ways_up(debate_id: int, claims: list[int]) -> list[Edge]:
    """The standing original relations from each of `claims` (of the debate) up to its
    thesis: one recursive query (none without claims)."""
    if not claims:
        return []
    sql = f"""
        WITH RECURSIVE up(id) AS (
            SELECT id FROM {_CLAIMS} WHERE debate_id = %s AND id IN ({_placeholders(claims)})
            UNION
            SELECT r.parent_id FROM {_RELATIONS} r JOIN up ON r.child_id = up.id
            WHERE r.is_link = %s AND r.is_hidden = %s
        )
        SELECT {_EDGE_SQL_COLUMNS} FROM {_RELATIONS} r
        WHERE r.child_id IN (SELECT id FROM up) AND r.is_link = %s AND r.is_hidden = %s
    """  # names from the models; values are parameters
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(sql, [debate_id, *claims, False, False, False, False])
        return [edge_from(row) for row in cursor.fetchall()]


@dataclass(frozen=True)
class PointsNow:
    """Some points' tallies and their claims' strengths at one state of the debate."""

    structure_version: int
    tally_version: int
    places: dict[int, tuple[int, ...]]  # relation id: its tally
    theses: dict[int, tuple[int, ...]]  # thesis id: its tally
    strength: dict[int, float]  # claim id: its stored strength (published claims only)


_POINT_TALLIES = ", ".join(f"t.{field}" for field in Relation.TALLY_FIELDS)


def points_now(debate: Debate, places: Sequence[int], claims: Sequence[int]) -> PointsNow | None:
    """The tallies of `places` (relations) and of the theses among `claims`, and the stored
    strengths of `claims`, read in one snapshot whose stamp is its versions (three queries):
    what a page's vote regions show after votes, without a slice. None when this process
    holds the debate (its structure answers) or the stored strengths are not current."""
    if not reads_slices(debate):
        return None
    with snapshot():
        now = versions_now(debate)
        if stored_strengths.stamp_of(now) != (now.structure_version, now.tally_version):
            return None
        with connections[replicas.reads_from()].cursor() as cursor:
            place_tallies: dict[int, tuple[int, ...]] = {}
            if places:
                cursor.execute(
                    f"SELECT t.id, {_POINT_TALLIES} FROM {_RELATIONS} t "
                    f"WHERE t.id IN ({_placeholders(places)}) AND t.debate_id = %s",
                    [*places, debate.pk],
                )
                place_tallies = {row[0]: tuple(row[1:]) for row in cursor.fetchall()}
            thesis_tallies: dict[int, tuple[int, ...]] = {}
            strength: dict[int, float] = {}
            if claims:
                cursor.execute(
                    f"SELECT t.id, t.is_thesis, s.strength, {_POINT_TALLIES} FROM {_CLAIMS} t "
                    f"LEFT JOIN {_STRENGTHS} s ON s.claim_id = t.id "
                    f"WHERE t.id IN ({_placeholders(claims)}) AND t.debate_id = %s",
                    [*claims, debate.pk],
                )
                for claim_id, is_thesis, stored, *tally in cursor.fetchall():
                    if is_thesis:
                        thesis_tallies[claim_id] = tuple(tally)
                    if stored is not None:
                        strength[claim_id] = stored
    return PointsNow(
        now.structure_version, now.tally_version, place_tallies, thesis_tallies, strength
    )
