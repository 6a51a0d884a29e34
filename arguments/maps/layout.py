"""Where each claim goes on a map: plain functions over a tree of `MapNode`s, no Django.

Two layouts:
- `sunburst`: the theses in the middle, one ring per level; each claim a segment whose span
  (a fraction of the whole turn) follows the size of its branch. A claim's pros and cons
  share its span exactly, so children's spans always add up to their parent's. Branches too
  thin to read are folded into one "n more" segment, and rings stop at a depth limit: the
  number of segments is bounded whatever the debate's size.
- `tree_boxes`: a top-down node-link drawing of one claim's branch. Leaves take the next free
  slot from left to right; a parent stands over the middle of its children. Distinct
  branches hold disjoint slot ranges, so no two boxes of one level overlap.

A `MapNode` tree is acyclic by construction (a linked claim is a leaf: its branch is drawn
where it was written), so every walk here terminates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field


@dataclass(slots=True)
class MapNode:
    """A claim as a map draws it."""

    id: int
    text: str
    stance: str | None  # "pro" or "con"; None for a thesis (or the map's centre)
    strength: float | None = None  # DF-QuAD, None when it has none (pending, hidden)
    rated: bool = True  # someone voted on it: else its strength is the default, not a rating
    status: str = "published"
    is_link: bool = False
    children: list[MapNode] = field(default_factory=list)
    size: int = 1  # claims in the branch, itself included (see `measure`)


def measure(node: MapNode) -> int:
    """Set `size` on every node of the branch (without recursion: debates run deep)."""
    order: list[MapNode] = []
    stack = [node]
    while stack:
        current = stack.pop()
        order.append(current)
        stack.extend(current.children)
    for current in reversed(order):
        current.size = 1 + sum(child.size for child in current.children)
    return node.size


def walk(roots: Sequence[MapNode], max_depth: int | None = None) -> Iterator[tuple[MapNode, int]]:
    """Every node with its depth (down to `max_depth`), depth first, in order."""
    stack = [(root, 0) for root in reversed(roots)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        if max_depth is None or depth < max_depth:
            stack.extend((child, depth + 1) for child in reversed(node.children))


# -- the sunburst -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Segment:
    """A claim's place on the sunburst: its ring and its span, as fractions of a turn. A
    segment without a node stands for `folded` claims too small to draw, under `parent`."""

    node: MapNode | None
    parent: int | None
    depth: int
    start: float
    end: float
    folded: int = 0

    @property
    def span(self) -> float:
        return self.end - self.start


def sunburst(roots: Sequence[MapNode], *, max_depth: int, min_span: float) -> list[Segment]:
    """The segments of the map, parents before their children.

    `roots` (measured) share the whole turn by size, at depth 0. Below a segment, its
    children share its span by size; a child thinner than `min_span` goes into the
    segment's one "n more" segment, which takes what is left of the span. Nothing deeper
    than `max_depth` is drawn.
    """
    segments: list[Segment] = []
    stack: list[tuple[list[MapNode], int | None, int, float, float]] = [
        (list(roots), None, 0, 0.0, 1.0)
    ]
    while stack:
        nodes, parent, depth, start, end = stack.pop()
        total = sum(node.size for node in nodes)
        if not total:
            continue
        span, cursor, folded = end - start, start, 0
        placed: list[Segment] = []
        for node in nodes:
            share = span * node.size / total
            if share < min_span and parent is not None:
                folded += node.size
                continue
            placed.append(Segment(node, parent, depth, cursor, cursor + share))
            cursor += share
        if folded:
            placed.append(Segment(None, parent, depth, cursor, end, folded=folded))
        elif placed:  # the last one ends exactly where the parent does (no float drift)
            last = placed[-1]
            placed[-1] = Segment(last.node, parent, depth, last.start, end)
        segments.extend(placed)
        if depth < max_depth:
            for segment in reversed(placed):
                branch = segment.node
                if branch is not None and branch.children:
                    stack.append(
                        (branch.children, branch.id, depth + 1, segment.start, segment.end)
                    )
    return segments


# -- the tree drawing -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Box:
    """A claim's box on the tree drawing: its slot (column) and level (row)."""

    node: MapNode
    parent: int | None
    x: float  # in slots: 0 for the first column
    level: int


def tree_boxes(root: MapNode, *, max_depth: int, max_boxes: int) -> list[Box]:
    """The boxes of `root`'s branch, `max_depth` levels deep and at most `max_boxes` (whole
    levels are dropped from the bottom until it fits), parents before children."""
    per_level = Counter(level for _node, level in walk([root], max_depth))
    depth = max_depth
    while depth > 0 and sum(n for level, n in per_level.items() if level <= depth) > max_boxes:
        depth -= 1
    boxes: list[Box] = []
    next_slot = 0.0

    # Post-order without recursion: a node's x needs its children's.
    xs: dict[int, float] = {}
    order: list[tuple[MapNode, int, int | None]] = []
    stack: list[tuple[MapNode, int, int | None]] = [(root, 0, None)]
    while stack:
        node, level, parent = stack.pop()
        order.append((node, level, parent))
        if level < depth:
            stack.extend((child, level + 1, node.id) for child in reversed(node.children))
    for node, level, _parent in reversed(order):
        shown = node.children if level < depth else []
        if shown:
            xs[id(node)] = (xs[id(shown[0])] + xs[id(shown[-1])]) / 2
        else:
            xs[id(node)] = next_slot  # leaves come in right-to-left here...
            next_slot += 1
    # ...so mirror them: the first pro stands leftmost, as in the text tree.
    width = next_slot - 1
    for node, level, parent in order:
        boxes.append(Box(node, parent, width - xs[id(node)], level))
    return boxes
