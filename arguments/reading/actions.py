"""What a reader may do with a claim or a note where it stands, as the lens computes it from
`permissions.permits`, and a claim's strength explained."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from arguments.reading.links import ClaimUrls
    from arguments.structure import scoring
    from arguments.structure.graph import Node


@dataclass(frozen=True, slots=True)
class Actions:
    """The controls a claim shows its reader where it stands: each is what `permits` says.

    The same for every claim of one shape (status, authorship, thesis or not, link place), so
    the lens computes each shape once per request.
    """

    add: bool = False  # add a pro or a con beneath
    edit: bool = False
    cite: bool = False
    link: bool = False
    annotate: bool = False
    vote: bool = False
    sign_in_to_vote: bool = False  # a visitor whom signing in would let vote
    flag: bool = False
    approve: bool = False
    hide: bool = False
    restore: bool = False

    @property
    def writes(self) -> bool:
        """Any of the controls that open a form in the claim's slot."""
        return self.add or self.edit or self.cite or self.link or self.annotate

    @property
    def moderates(self) -> bool:
        return self.approve or self.hide or self.restore


NO_ACTIONS = Actions()


@dataclass(frozen=True, slots=True)
class NoteActions:
    reply: bool = False
    edit: bool = False  # change or withdraw (its author)
    flag: bool = False


@dataclass(frozen=True, slots=True)
class Why:
    """A claim's strength explained: its base score and the pros and cons that moved it most,
    each with where it leads."""

    node: Node
    urls: ClaimUrls
    explanation: scoring.Explanation
    rows: list[tuple[Node, scoring.Contribution, str]]
    more: int  # further contributions, too small to list
