"""The argument tree as a page shows it: claims to a given depth, each with what its reader
may do there and where its links go. `reading.Lens.tree` builds it from the cached
`DebateStructure` in Python, so it costs no query; deeper branches are left folded
(`has_more`) and load on demand."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from django.utils.translation import gettext, gettext_lazy

from arguments.models import Annotation, Claim, Stance, Vote

if TYPE_CHECKING:
    from arguments.reading.actions import Actions, NoteActions
    from arguments.reading.lens import Lens
    from arguments.reading.links import ClaimUrls, NoteUrls
    from arguments.reading.notices import FlagNote, Notice
    from arguments.structure.graph import CitedSource, DebateStructure, Edge, Node, Note

STANCE_LABELS = dict(Stance.choices)  # read per claim shown: no enum built each time

# How siblings may be ordered; the first is the default.
ORDERS = {
    "stored": gettext_lazy("Stored order"),
    "newest": gettext_lazy("Newest first"),
    "discussed": gettext_lazy("Most discussed"),
    "strongest": gettext_lazy("Strongest first"),
}


@dataclass(slots=True)
class NoteItem:
    """An annotation as one reader sees it: its replies, controls and links."""

    note: Note
    actions: NoteActions
    urls: NoteUrls
    author: str = ""  # as the reader sees them: a username, or a pseudonym
    replies: list[NoteItem] = field(default_factory=list)

    @property
    def motivation_label(self) -> str:
        return str(Annotation.Motivation(self.note.motivation).label)

    @property
    def visibility_label(self) -> str:
        """Said only of notes not everyone sees ("" for public ones)."""
        if self.note.visibility == Annotation.Visibility.PUBLIC:
            return ""
        return str(Annotation.Visibility(self.note.visibility).label)


class VoteShown:
    """What a point's vote region (arguments/_vote.html) reads of its tally, the reader's own
    vote and whether others' votes are hidden: shared by a tree's item and a `VotePoint`."""

    __slots__ = ()
    tally: tuple[int, ...]
    my_vote: int | None
    votes_hidden: bool
    point_relation: int | None

    @property
    def vote_count(self) -> int:
        return sum(self.tally)

    @property
    def rated(self) -> bool:
        """Someone voted on this point: without a vote its strength is only the semantics'
        default (50 %), so the card says "not yet rated" instead of a number no one gave."""
        return self.vote_count > 0

    @property
    def is_thesis_point(self) -> bool:
        """Voted on for truth (a thesis), not for impact (a pro or con in its place)."""
        return self.point_relation is None

    @property
    def distribution(self) -> list[tuple[int, str, int]]:
        """(value, label, count) for each vote value, the labels fitting the point's kind."""
        labels = Vote.THESIS_VALUE_LABELS if self.is_thesis_point else Vote.VALUE_LABELS
        return [(value, str(labels[value]), self.tally[value]) for value in range(5)]

    @property
    def vote_steps(self) -> list[tuple[int, str, int, int, bool]]:
        """The segmented vote control: (value, label, count, share, mine) for each value,
        `share` the count's part of all votes in fifths (0-5), for a CSS class, since the page
        may carry no inline style (CSP)."""
        total = 0 if self.votes_hidden else self.vote_count
        return [
            (value, label, count, round(5 * count / total) if total else 0, self.my_vote == value)
            for value, label, count in self.distribution
        ]


@dataclass(slots=True)
class TreeItem(VoteShown):
    node: Node
    edge: Edge | None  # None for a thesis shown at the root
    depth: int
    lens: Lens  # whose view this is
    actions: Actions
    urls: ClaimUrls
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
    votes_hidden: bool = False  # guided voting: others' votes show once I have voted
    strength: float | None = None
    notes: list[NoteItem] = field(default_factory=list)
    # The other premises this one supports its parent with, only together ("together with …").
    together: tuple[str, ...] = ()

    @property
    def is_link(self) -> bool:
        return self.edge is not None and self.edge.is_link

    @property
    def claim_id(self) -> int:
        return self.node.id

    def vote_point(self, hides_until_voted: bool) -> VotePoint:
        """This item's vote region apart from the tree (for a store to render any reader's
        variant of it later)."""
        known = self.strength
        if self.votes_hidden:
            known = self.lens.structure.strength.get(self.node.id)
        urls, actions = self.urls, self.actions
        links = VoteUrls(
            urls.why,
            urls.vote if actions.vote else "",
            urls.sign_in if actions.sign_in_to_vote else "",
        )
        return VotePoint(
            self.point,
            self.point_relation,
            self.node.id,
            self.tally,
            known,
            actions,
            links,
            hides_until_voted,
        )

    @property
    def author(self) -> str:
        """The author's name as the reader sees it (a pseudonym in a pseudonymous debate)."""
        return self.lens.author_name(self.node.author_id, self.node.author)

    @property
    def is_own(self) -> bool:
        """The reader wrote it."""
        return self.lens.user_id is not None and self.node.author_id == self.lens.user_id

    @property
    def notice(self) -> Notice | None:
        """What the reader is told about the claim's moderation (loaded once a page, and only
        for pages that show it)."""
        return self.lens.notice(self.node.id)

    @property
    def review(self) -> FlagNote | None:
        """The upheld flag whose review the reader (its author) may ask for."""
        return self.lens.review(self.node.id)

    @property
    def has_children(self) -> bool:
        return bool(self.pro_count or self.con_count)

    @property
    def children(self) -> list[TreeItem]:
        return self.pros + self.cons

    @property
    def kind_label(self) -> str:
        """ "Pro", "Con" or "Thesis": what the claim is where it stands."""
        return str(STANCE_LABELS[self.edge.stance]) if self.edge is not None else gettext("Thesis")

    @property
    def kind(self) -> str:
        """The same as a CSS class name: pro, con or thesis."""
        return self.edge.stance if self.edge is not None else "thesis"

    @property
    def status_label(self) -> str:
        """ "Awaiting approval", "Hidden"…; empty for a published claim (nothing to say)."""
        status = self.node.status
        return "" if status == Claim.Status.PUBLISHED else str(Claim.Status(status).label)

    @property
    def is_hidden(self) -> bool:
        return self.node.status in (Claim.Status.HIDDEN, Claim.Status.DELETED)

    @property
    def spans(self) -> list[tuple[int, int]]:
        """Where the notes' selections stand in the text, for highlighting."""
        return [
            (n.note.start, n.note.end)
            for n in self.notes
            if n.note.start is not None and n.note.end is not None and not n.note.is_orphaned
        ]


@dataclass(frozen=True, slots=True)
class VoteUrls:
    """The links a vote region shows."""

    why: str
    vote: str
    sign_in: str


@dataclass(frozen=True, slots=True)
class VotePoint(VoteShown):
    """A point's vote region apart from its tree and its reader: what arguments/_vote.html
    shows, for any own vote (`for_vote`). Holds no lens, so a store may keep it."""

    point: str
    point_relation: int | None
    claim_id: int
    tally: tuple[int, ...]
    known_strength: float | None  # the point's strength, shown unless votes are hidden
    actions: Actions
    urls: VoteUrls
    hides_until_voted: bool  # others' votes show to a reader once they have voted
    my_vote: int | None = None
    votes_hidden: bool = False
    strength: float | None = None  # as shown

    def for_vote(self, mine: int | None) -> VotePoint:
        """The region as a reader whose own vote is `mine` sees it."""
        hidden = self.hides_until_voted and mine is None
        shown = None if hidden else self.known_strength
        return replace(self, my_vote=mine, votes_hidden=hidden, strength=shown)


def ordered(structure: DebateStructure, edges: list[Edge], order: str) -> list[Edge]:
    """Siblings in the reader's chosen order."""
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


def mark_together(children: list[TreeItem]) -> None:
    """Tell each premise of a linked argument (siblings sharing a premise group) the others
    it supports its parent with, so the card says "together with …"."""
    groups: dict[tuple[str, int], list[TreeItem]] = {}
    for child in children:
        if child.edge is not None and child.edge.premise_group is not None:
            groups.setdefault((child.edge.stance, child.edge.premise_group), []).append(child)
    for members in groups.values():
        for member in members:
            member.together = tuple(other.node.text for other in members if other is not member)
