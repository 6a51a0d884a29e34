"""The gaps view: where a debate needs its participants, each gap with the act that fills it.

- **Unsourced**: published claims that cite no source (fill it: Add a source);
- **Unanswered**: published claims with no pro or con the reader sees (Add a pro or a con);
- **Few votes**: points with fewer than `FEW_VOTES` votes that the reader has not voted on
  (Vote);
- **Waiting for review**: pending claims the reader may approve (moderators: Review).

Everything is read from the debate's structure through the reader's lens (only claims they
see; controls only where `item.actions` allows), shallowest claims first: a gap near a
thesis matters more than one at the end of a long branch. Each list is cut at `limit`, and
the lens builds items only for the claims shown, so a page costs the same on any debate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from arguments.models import Claim
from arguments.permissions import Action

if TYPE_CHECKING:
    from arguments.reading import Lens
    from arguments.tree import TreeItem

FEW_VOTES = 3  # fewer votes than this on a point say little about it


@dataclass(slots=True)
class Gap:
    """One kind of gap: the first claims of it (as the reader sees them) and how many."""

    shown: list[TreeItem] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.shown)


@dataclass(slots=True)
class Gaps:
    unsourced: Gap
    unanswered: Gap
    few_votes: Gap
    pending: Gap

    @property
    def any(self) -> bool:
        return bool(
            self.unsourced.total
            or self.unanswered.total
            or self.few_votes.total
            or self.pending.total
        )


def offered_to(lens: Lens) -> bool:
    """Whether the debate page shows the reader a "Needs you" panel: signed-in readers who
    may add claims there (writers, suggesters and up, while the debate is open)."""
    return lens.user_id is not None and lens.may(Action.ADD_CLAIM)


def _shallowest_first(lens: Lens) -> list[int]:
    """The claims the reader sees, by depth beneath their thesis, then in tree order."""
    structure = lens.structure
    visible = lens.visible_ids  # tree order: a claim comes after the claim it answers
    depth: dict[int, int] = {}
    for claim_id in visible:
        edge = structure.original.get(claim_id)
        depth[claim_id] = depth[edge.parent] + 1 if edge is not None else 0
    return sorted(visible, key=depth.__getitem__)


def gaps_of(lens: Lens, *, limit: int) -> Gaps:
    """The reader's gaps of the debate, the first `limit` claims of each kind."""
    structure = lens.structure
    nodes, original = structure.nodes, structure.original
    chosen: dict[str, list[int]] = {
        "unsourced": [],
        "unanswered": [],
        "few_votes": [],
        "pending": [],
    }
    totals = dict.fromkeys(chosen, 0)

    def add(kind: str, claim_id: int) -> None:
        totals[kind] += 1
        if len(chosen[kind]) < limit:
            chosen[kind].append(claim_id)

    reviewer = lens.may(Action.APPROVE_CLAIM)
    for claim_id in _shallowest_first(lens):
        node = nodes[claim_id]
        if node.status == Claim.Status.PENDING:
            if reviewer and lens.may(Action.APPROVE_CLAIM, claim=node):
                add("pending", claim_id)
            continue
        if node.status != Claim.Status.PUBLISHED:
            continue
        if not structure.citations.get(claim_id):
            add("unsourced", claim_id)
        if not lens.beneath(claim_id):
            add("unanswered", claim_id)
        edge = original.get(claim_id)
        tally = edge.tally if edge is not None else node.tally
        point = f"r{edge.id}" if edge is not None else f"c{claim_id}"
        if sum(tally) < FEW_VOTES and point not in lens.votes:
            add("few_votes", claim_id)

    def gap(kind: str) -> Gap:
        items = [lens.focus(claim_id, levels=0) for claim_id in chosen[kind]]
        return Gap(shown=items, total=totals[kind])

    return Gaps(
        unsourced=gap("unsourced"),
        unanswered=gap("unanswered"),
        few_votes=gap("few_votes"),
        pending=gap("pending"),
    )
