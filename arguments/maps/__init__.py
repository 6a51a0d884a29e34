"""The argument map: the debate (or one claim's branch) drawn as a sunburst and as a tree.

`read` builds the claims a reader sees (through their lens) into `MapNode`s; `layout` places
them (plain functions); `svg` draws them as server-rendered SVG, each claim a link to its
focus page, with a text alternative. docs/ARCHITECTURE.md, "The map".
"""

from __future__ import annotations

from itertools import pairwise
from typing import TYPE_CHECKING

from arguments.maps.layout import MapNode, measure
from arguments.models import Stance
from arguments.reading.perspectives import NO_VOTES, SeenAs, Tally
from arguments.structure.stored_sizes import branch_sizes

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from arguments.reading.lens import Lens
    from arguments.reading.snapshots import OutlineRow

__all__ = ["MapNode", "branch_of", "frozen_theses", "path_of", "theses_of"]


def _node(
    lens: Lens, claim_id: int, stance: str | None, point: str, is_link: bool, tally: Tally
) -> MapNode:
    structure = lens.structure
    node = structure.nodes[claim_id]
    # Guided voting: a strength is made of votes the reader may not see yet.
    strength = None if lens.hides_votes(point) else structure.strength.get(claim_id)
    if isinstance(structure, SeenAs):  # a perspective's votes, not everyone's
        tally = structure.tallies.get(point, NO_VOTES)
    return MapNode(
        id=claim_id,
        text=node.text,
        stance=stance,
        strength=strength,
        rated=any(tally),
        status=node.status,
        is_link=is_link,
    )


def _where_written(lens: Lens, claim_id: int) -> MapNode:
    """A claim as it stands where it was written (its original relation, or as a thesis)."""
    edge = lens.structure.original.get(claim_id)
    if edge is None:
        tally = lens.structure.nodes[claim_id].tally
        return _node(lens, claim_id, None, f"c{claim_id}", False, tally)
    return _node(lens, claim_id, edge.stance, f"r{edge.id}", False, edge.tally)


def _sizes(lens: Lens) -> dict[int, int]:
    """How many claims each seen claim's branch holds (itself included; a link counts one),
    so a map builds only the nodes it draws: the sizes stored with a map's slice (a visitor's,
    read only for a reader who sees what a visitor sees: structure/map_slice.py), else one
    pass over the debate (`stored_sizes.branch_sizes`, the same rule), once a request."""
    structure = lens.structure
    if (stored := structure.__dict__.get("stored_branch_sizes")) is not None:
        return stored
    if (known := lens.__dict__.get("_branch_sizes")) is None:
        known = lens.__dict__["_branch_sizes"] = branch_sizes(
            structure, user_id=lens.user_id, moderates=lens.moderates
        )
    return known


def branch_of(
    lens: Lens,
    claim_id: int,
    *,
    depth: int | None = None,
    share: float = 1.0,
    min_share: float = 0.0,
) -> MapNode:
    """The claim and what the reader sees beneath it, `depth` levels deep (all without),
    each node sized by its whole branch. Pros come before cons (so the map shows the two
    sides as two arcs), each side in its stored order; a linked claim is a leaf (its branch
    is drawn where it was written). A claim whose `share` of the map (its root's times its
    size over its siblings') falls below `min_share` is not opened: the map folds it."""
    sizes = _sizes(lens)
    root = _where_written(lens, claim_id)
    root.size = sizes.get(claim_id, 1)
    stack = [(root, 0, share)]
    while stack:
        parent, level, part = stack.pop()
        if parent.is_link or (depth is not None and level >= depth) or part < min_share:
            continue
        edges = lens.beneath(parent.id)
        edges.sort(key=lambda e: e.stance != Stance.PRO)  # stable: keeps the stored order
        parent.children = [
            _node(lens, e.child, e.stance, f"r{e.id}", e.is_link, e.tally) for e in edges
        ]
        for child in parent.children:
            child.size = 1 if child.is_link else sizes.get(child.id, 1)
        total = sum(child.size for child in parent.children)
        stack.extend((child, level + 1, part * child.size / total) for child in parent.children)
    return root


def theses_of(lens: Lens, *, depth: int | None = None, min_share: float = 0.0) -> list[MapNode]:
    """Every thesis the reader sees, each with its branch (`depth` levels deep; claims with
    less than `min_share` of the whole map left closed)."""
    nodes = lens.structure.nodes
    shown = [t for t in lens.structure.theses if lens.sees(t) and nodes[t].merged_into_id is None]
    sizes = _sizes(lens)
    total = sum(sizes.get(t, 1) for t in shown) or 1
    return [
        branch_of(lens, t, depth=depth, share=sizes.get(t, 1) / total, min_share=min_share)
        for t in shown
    ]


def path_of(lens: Lens, claim_id: int) -> MapNode:
    """The chain from the thesis down to the claim (each with one child): the minimap."""
    chain = [_where_written(lens, node.id) for node in lens.structure.path_to(claim_id)]
    for parent, child in pairwise(chain):
        parent.children = [child]
    measure(chain[0])
    return chain[0]


def frozen_theses(
    skeleton: Sequence[tuple[int, int | None]],
    rows_of: Callable[[list[int]], Sequence[OutlineRow]],
    *,
    depth: int,
    min_share: float,
    strengths: bool,
) -> list[MapNode]:
    """A snapshot's map: its theses with their branches, opened as the living map opens them
    (`depth` levels; a claim under `min_share` of the map stays folded), pros before cons,
    each side in its stored order, a linked claim a leaf. `skeleton` is every claim as
    (id, parent id): branch sizes come from it; `rows_of(ids)` reads the outline rows of
    the claims drawn only. Without `strengths` (guided voting hid them from this reader)
    none is shown."""
    under: dict[int, list[int]] = {}
    roots: list[int] = []
    for claim_id, parent_id in skeleton:
        if parent_id is None:
            roots.append(claim_id)
        else:
            under.setdefault(parent_id, []).append(claim_id)
    sizes: dict[int, int] = {}
    order: list[int] = []
    stack = list(roots)
    while stack:
        claim_id = stack.pop()
        order.append(claim_id)
        stack.extend(under.get(claim_id, ()))
    for claim_id in reversed(order):  # children before their parent
        sizes[claim_id] = 1 + sum(sizes[child] for child in under.get(claim_id, ()))
    # Which claims the map opens (their children drawn), as `branch_of` decides.
    total = sum(sizes[r] for r in roots) or 1
    drawn, opened = list(roots), set()
    walk = [(r, 0, sizes[r] / total) for r in roots]
    while walk:
        claim_id, level, part = walk.pop()
        children = under.get(claim_id, ())
        if level >= depth or part < min_share or not children:
            continue
        opened.add(claim_id)
        drawn.extend(children)
        inside = sum(sizes[c] for c in children)
        walk.extend((c, level + 1, part * sizes[c] / inside) for c in children)
    rows = {row.claim_id: row for row in rows_of(drawn)}
    nodes = {
        claim_id: MapNode(
            id=claim_id,
            text=row.text,
            stance=row.stance,
            strength=row.strength if strengths else None,
            rated=any(row.data["votes"]),
            size=sizes[claim_id],
        )
        for claim_id, row in rows.items()
    }
    for claim_id in opened:
        written = sorted(
            (rows[c] for c in under[claim_id]),
            key=lambda row: (row.stance != Stance.PRO, row.position, row.claim_id),
        )
        links = [
            MapNode(id=linked, text=text, stance=stance, is_link=True)
            for linked, stance, text in rows[claim_id].data["links"]
        ]
        links.sort(key=lambda node: node.stance != Stance.PRO)
        node = nodes[claim_id]
        node.children = [nodes[row.claim_id] for row in written] + links
        node.size += len(links)
    return sorted((nodes[r] for r in roots), key=lambda node: node.id)
