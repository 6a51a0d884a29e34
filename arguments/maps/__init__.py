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

if TYPE_CHECKING:
    from arguments.reading import Lens

__all__ = ["MapNode", "branch_of", "path_of", "theses_of"]


def _node(lens: Lens, claim_id: int, stance: str | None, point: str, is_link: bool) -> MapNode:
    structure = lens.structure
    node = structure.nodes[claim_id]
    # Guided voting: a strength is made of votes the reader may not see yet.
    strength = None if lens.hides_votes(point) else structure.strength.get(claim_id)
    return MapNode(
        id=claim_id,
        text=node.text,
        stance=stance,
        strength=strength,
        status=node.status,
        is_link=is_link,
    )


def _where_written(lens: Lens, claim_id: int) -> MapNode:
    """A claim as it stands where it was written (its original relation, or as a thesis)."""
    edge = lens.structure.original.get(claim_id)
    point = f"r{edge.id}" if edge else f"c{claim_id}"
    return _node(lens, claim_id, edge.stance if edge else None, point, False)


def branch_of(lens: Lens, claim_id: int) -> MapNode:
    """The claim and everything beneath it that the reader sees, measured. Pros come before
    cons (so the map shows the two sides as two arcs), each side in its stored order; a
    linked claim is a leaf (its branch is drawn where it was written)."""
    root = _where_written(lens, claim_id)
    stack = [root]
    while stack:
        parent = stack.pop()
        if parent.is_link:
            continue
        edges = lens.beneath(parent.id)
        edges.sort(key=lambda e: e.stance != Stance.PRO)  # stable: keeps the stored order
        parent.children = [_node(lens, e.child, e.stance, f"r{e.id}", e.is_link) for e in edges]
        stack.extend(parent.children)
    measure(root)
    return root


def theses_of(lens: Lens) -> list[MapNode]:
    """Every thesis the reader sees, each with its branch."""
    nodes = lens.structure.nodes
    return [
        branch_of(lens, thesis)
        for thesis in lens.structure.theses
        if lens.sees(thesis) and nodes[thesis].merged_into_id is None
    ]


def path_of(lens: Lens, claim_id: int) -> MapNode:
    """The chain from the thesis down to the claim (each with one child): the minimap."""
    chain = [_where_written(lens, node.id) for node in lens.structure.path_to(claim_id)]
    for parent, child in pairwise(chain):
        parent.children = [child]
    measure(chain[0])
    return chain[0]
