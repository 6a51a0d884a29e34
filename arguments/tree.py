"""The argument tree as a page shows it: claims to a given depth, as seen by one reader.

Built from a cached `DebateStructure` in Python, so it costs no query; deeper branches are
left folded (`has_more`) and load on demand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from arguments.models import Stance, Vote
from arguments.selectors import (
    CitedSource,
    DebateStructure,
    Edge,
    Node,
    Note,
    may_see_note,
    visible_children,
)


@dataclass(slots=True)
class TreeItem:
    node: Node
    edge: Edge | None  # None for a thesis shown at the root
    depth: int
    pros: list[TreeItem] = field(default_factory=list)
    cons: list[TreeItem] = field(default_factory=list)
    pro_count: int = 0
    con_count: int = 0
    citations: list[CitedSource] = field(default_factory=list)
    expanded: bool = False
    # The point voted on here: this place's relation, or the thesis itself.
    point: str = ""
    point_relation: int | None = None
    tally: tuple[int, ...] = (0, 0, 0, 0, 0)
    my_vote: int | None = None
    strength: float | None = None
    notes: list[Note] = field(default_factory=list)

    @property
    def is_link(self) -> bool:
        return self.edge is not None and self.edge.is_link

    @property
    def has_children(self) -> bool:
        return bool(self.pro_count or self.con_count)

    @property
    def children(self) -> list[TreeItem]:
        return self.pros + self.cons

    @property
    def spans(self) -> list[tuple[int, int]]:
        """Where the notes' selections stand in the text, for highlighting."""
        return [
            (n.start, n.end)
            for n in self.notes
            if n.start is not None and n.end is not None and not n.is_orphaned
        ]

    @property
    def vote_count(self) -> int:
        return sum(self.tally)

    @property
    def distribution(self) -> list[tuple[int, str, int]]:
        """(value, label, count) for each vote value, the labels fitting the point's kind."""
        labels = Vote.THESIS_VALUE_LABELS if self.point.startswith("c") else Vote.VALUE_LABELS
        return [(value, labels[value], self.tally[value]) for value in range(5)]


@dataclass(frozen=True, slots=True)
class Reader:
    """What the tree needs to know about who is reading it."""

    user_id: int | None = None
    sees_everything: bool = False  # moderators see pending and hidden claims in place
    order: str = "stored"
    votes: Mapping[str, int] = field(default_factory=dict)  # my votes by point key
    participant: bool = False  # signed in with a role: sees notes meant for participants


# How siblings may be ordered; the first is the default.
ORDERS = {
    "stored": "Stored order",
    "newest": "Newest first",
    "discussed": "Most discussed",
    "strongest": "Strongest first",
}


def _ordered(structure: DebateStructure, edges: list[Edge], order: str) -> list[Edge]:
    if order == "newest":
        # Ids grow with time, and reading them is cheaper than converting 20,000 dates.
        return sorted(edges, key=lambda e: e.child, reverse=True)
    if order == "strongest":
        strength = structure.strength
        return sorted(edges, key=lambda e: strength.get(e.child, 0.0), reverse=True)
    if order == "discussed":
        # Replies beneath a claim, then votes on it: where people have engaged most.
        return sorted(
            edges,
            key=lambda e: (len(structure.children.get(e.child, ())), sum(e.tally)),
            reverse=True,
        )
    return edges


def build_item(
    structure: DebateStructure,
    node_id: int,
    *,
    edge: Edge | None,
    reader: Reader,
    depth: int = 0,
    levels: int = 2,
) -> TreeItem:
    """A claim with its pros and cons unfolded `levels` deep (0: folded)."""
    item = TreeItem(
        node=structure.nodes[node_id],
        edge=edge,
        depth=depth,
        citations=structure.citations.get(node_id, []),
        strength=structure.strength.get(node_id),
    )
    point_edge = edge or structure.original.get(node_id)
    if point_edge is not None:
        item.point, item.point_relation, item.tally = (
            f"r{point_edge.id}",
            point_edge.id,
            point_edge.tally,
        )
    else:
        item.point, item.tally = f"c{node_id}", item.node.tally
    item.my_vote = reader.votes.get(item.point)
    item.notes = [
        note
        for note in structure.notes.get(node_id, ())
        if may_see_note(
            note,
            user_id=reader.user_id,
            participant=reader.participant,
            moderator=reader.sees_everything,
        )
    ]
    # A linked claim is a reference to its original place: its own branch is shown there.
    if item.is_link:
        return item
    edges = visible_children(
        structure, node_id, viewer_id=reader.user_id, sees_everything=reader.sees_everything
    )
    item.pro_count = sum(1 for e in edges if e.stance == Stance.PRO)
    item.con_count = len(edges) - item.pro_count
    if levels > 0 and edges:
        item.expanded = True
        for child in _ordered(structure, edges, reader.order):
            sub = build_item(
                structure,
                child.child,
                edge=child,
                reader=reader,
                depth=depth + 1,
                levels=levels - 1,
            )
            (item.pros if child.stance == Stance.PRO else item.cons).append(sub)
    return item
