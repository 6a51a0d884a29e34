"""Guided voting: a walk through the claims a reader has not rated yet, level by level from
the theses (every thesis, then every pro and con beneath them, then the next level), one
claim at a time with the claim it answers in view.

A claim is on the walk when the reader sees it where it was written and may vote on it
there (`Lens.may(Action.VOTE)`: published, voting on, the debate open); links are not
followed (a linked claim is rated where it was written). What the reader skipped is theirs
to keep (the view holds it in the session), not a rule of the debate.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING

from arguments.models import Stance, Vote
from arguments.rules.permissions import Action

if TYPE_CHECKING:
    from collections.abc import Container

    from arguments.reading.lens import Lens


@dataclass(frozen=True)
class Step:
    """One claim to rate, and where it stands."""

    claim_id: int
    text: str
    stance: str  # "pro" or "con"; "" for a thesis (rated for how true it is)
    parent_id: int | None
    parent_text: str
    level: int  # 0: a thesis
    left: int  # how many are left to rate, this one included

    @property
    def question(self) -> str:
        if not self.stance:
            return "How true is it?"
        verb = "strengthen" if self.stance == Stance.PRO else "weaken"
        return f"How much does it {verb} the claim it answers?"

    @property
    def choices(self) -> list[tuple[int, str]]:
        """The five votes, named as the tree names them (a thesis: how true; else: impact)."""
        labels = Vote.VALUE_LABELS if self.stance else Vote.THESIS_VALUE_LABELS
        return [(value, str(label)) for value, label in sorted(labels.items())]


@dataclass(frozen=True)
class Summary:
    """Where the reader stands at the end of a walk."""

    rated: int  # claims on the walk the reader has rated (ever, not only in this walk)
    skipped: int  # claims skipped in this walk
    total: int  # claims on the walk


def walk(lens: Lens) -> list[tuple[int, int]]:
    """(claim id, level) of every claim the reader may rate, theses first, level by level,
    each level in sibling order: no query beyond the lens's structure."""
    structure = lens.structure
    order: list[tuple[int, int]] = []
    queue = deque((thesis, 0) for thesis in structure.theses)
    seen: set[int] = set()
    while queue:
        claim_id, level = queue.popleft()
        if claim_id in seen or not lens.sees(claim_id):
            continue
        seen.add(claim_id)
        if lens.may(Action.VOTE, claim=structure.nodes[claim_id]):
            order.append((claim_id, level))
        queue.extend(
            (edge.child, level + 1)
            for edge in structure.children.get(claim_id, ())
            if not edge.is_link
        )
    return order


def point_key(lens: Lens, claim_id: int) -> str:
    """The key of the claim's point in the reader's votes (its original place, or a thesis)."""
    edge = lens.structure.original.get(claim_id)
    return f"r{edge.id}" if edge is not None else f"c{claim_id}"


def unrated(lens: Lens, skipped: Container[int]) -> list[tuple[int, int]]:
    """The walk's claims the reader has neither rated nor skipped, in the walk's order."""
    votes = lens.votes
    return [
        (claim_id, level)
        for claim_id, level in walk(lens)
        if point_key(lens, claim_id) not in votes and claim_id not in skipped
    ]


def next_step(lens: Lens, skipped: Container[int]) -> Step | None:
    """The next claim to rate, or None when the walk is over."""
    left = unrated(lens, skipped)
    if not left:
        return None
    claim_id, level = left[0]
    structure = lens.structure
    edge = structure.original.get(claim_id)
    parent = structure.nodes[edge.parent] if edge is not None else None
    return Step(
        claim_id=claim_id,
        text=structure.nodes[claim_id].text,
        stance=edge.stance if edge is not None else "",
        parent_id=parent.id if parent is not None else None,
        parent_text=parent.text if parent is not None else "",
        level=level,
        left=len(left),
    )


def on_walk(lens: Lens, claim_id: int) -> bool:
    """Whether the claim is one the walk may rate (what a posted vote is checked against)."""
    return any(cid == claim_id for cid, _level in walk(lens))


def summary(lens: Lens, skipped: Container[int]) -> Summary:
    """How many of the walk's claims the reader has rated, and skipped in this walk."""
    claims = walk(lens)
    votes = lens.votes
    rated = sum(1 for claim_id, _level in claims if point_key(lens, claim_id) in votes)
    passed = sum(
        1
        for claim_id, _level in claims
        if claim_id in skipped and point_key(lens, claim_id) not in votes
    )
    return Summary(rated=rated, skipped=passed, total=len(claims))
