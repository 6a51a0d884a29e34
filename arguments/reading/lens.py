"""The reading lens: what one reader sees of a debate, what they may do there, and where each
link goes, decided in one place for every view that shows a debate.

A `Lens` is built once per request from the debate, the reader (a user or a visitor, their
role) and the frame the page is read in (the site, an embed in another site, an LMS). It owns:

- `sees(claim_id)`: the one visibility rule (`permissions.sees_claim`) applied along the
  claim's path to its thesis; `knows()` adds the moderators and a hidden claim's author;
- `actions(node, edge)`: every control a claim shows where it stands, from
  `permissions.permits` alone;
- `ClaimUrls`, `NoteUrls`, `DebateUrls`: every link, from `reverse()` patterns reversed once
  per debate (`Routes`);
- `tree()`, `theses()`, `focus()`: the `TreeItem`s with their actions and URLs attached.

Views ask the lens and never decide visibility or permissions themselves; templates read
`item.actions.*` and `item.urls.*`.
"""

from __future__ import annotations

from collections import deque
from functools import cached_property
from typing import TYPE_CHECKING, Protocol, TypeVar, Unpack

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from arguments.models import Claim, Debate, Relation, Role, Stance
from arguments.reading import perspectives
from arguments.reading.actions import NO_ACTIONS, Actions, NoteActions, Why
from arguments.reading.links import ClaimUrls, DebateUrls, Frame, NoteUrls, Routes, routes_for
from arguments.reading.notices import Notice, claim_notices
from arguments.reading.perspectives import (
    NO_VOTES,
    SeenAs,
    Viewpoint,
    structure_seen_as,
    viewpoint_now,
)
from arguments.reading.pseudonyms import pseudonyms_of
from arguments.reading.tree import ORDERS, NoteItem, TreeItem, mark_together, ordered
from arguments.rules.permissions import (
    Action,
    ClaimState,
    Items,
    NoteState,
    Refusal,
    at_least,
    refusal,
    role_in,
    sees_along,
    sees_claim,
    sees_note,
)
from arguments.selectors import my_votes
from arguments.structure import first_screen, map_slice, placing, strengths
from arguments.structure.graph import DebateStructure
from arguments.structure.loader import debate_structure, holds

if TYPE_CHECKING:
    from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence

    from django.contrib.auth.models import User
    from django.http import QueryDict

    from arguments.models import Perspective
    from arguments.reading.notices import FlagNote
    from arguments.structure.graph import Edge, Node, Note

    AnyUser = User | AnonymousUser

ANONYMOUS = AnonymousUser()


class PlacedNote(NoteState, Protocol):
    """A note with where it stands: an `Annotation` row, or an export's row."""

    id: int
    parent_id: int | None
    claim_id: int


N = TypeVar("N", bound=PlacedNote)


# Someone signed in with the least role, for "would signing in let a visitor do this?": an
# account never saved, so nothing is theirs.
SIGNED_IN = get_user_model()()


def order_from(query: QueryDict) -> str:
    """The sibling order the reader asked for, or the stored order."""
    order = query.get("order", "stored")
    return order if order in ORDERS else "stored"


class Lens:
    """One reader's view of one debate, for one request."""

    def __init__(
        self,
        debate: Debate,
        user: AnyUser,
        role: Role | None,
        *,
        frame: Frame = Frame.SITE,
        order: str = "stored",
        frame_query: str = "",
        viewpoint: Viewpoint | None = None,
        voting_as: Perspective | None = None,
        first_screen: bool = False,
        around: int | None = None,
        map_reach: map_slice.MapReach | None = None,
        levels: int = first_screen.LEVELS,
    ) -> None:
        self.debate = debate
        self.user = user
        self.role = role
        self.frame = frame
        self.order = order if order in ORDERS else "stored"
        self.frame_query = frame_query  # embed options carried by every embed link
        self.user_id: int | None = user.pk if user.is_authenticated else None
        self.is_staff = bool(self.user_id and getattr(user, "is_staff", False))
        self.moderates = at_least(role, Role.MODERATOR)
        self.participant = self.user_id is not None and role is not None
        self._actions: dict[tuple[object, ...], Actions] = {}
        self._note_actions: dict[tuple[object, ...], NoteActions] = {}
        # Whose votes the strengths and distributions are of (None: everyone's), and the
        # named perspective the reader votes as (None: themselves): views/access.py.
        self.viewpoint = viewpoint
        self.voting_as = voting_as
        # A page that shows only the debate's first screen (the theses one level deep): a
        # process holding nothing reads just that (arguments/structure/first_screen.py).
        self.first_screen_only = first_screen
        # A page that shows one claim with its pros and cons (its focus page, its branch):
        # a process holding nothing reads just the slice around it.
        self.around = around
        # A map's page: a process holding nothing reads just the claims the map opens, for a
        # reader who sees what a visitor sees (arguments/structure/map_slice.py).
        self.map_reach = map_reach
        # How deep beneath the theses or `around` the page opens, when more than the debate
        # page's one level (an embed's `depth`): the slice is read that deep.
        self.levels = levels
        # At most this many claims shown (an embed: what its frame can hold): `levels` deep
        # or less, unfolded breadth-first; a claim left folded keeps its counts, which open
        # it (its own embed page without JavaScript). None: every claim `levels` deep.
        self.shows_at_most: int | None = None
        self._unfolded: set[int] | None = None

    @classmethod
    def of(
        cls,
        debate: Debate,
        user: AnyUser,
        *,
        frame: Frame = Frame.SITE,
        order: str = "stored",
        frame_query: str = "",
        around: int | None = None,
        map_reach: map_slice.MapReach | None = None,
    ) -> Lens:
        return cls(
            debate,
            user,
            role_in(user, debate),
            frame=frame,
            order=order,
            frame_query=frame_query,
            around=around,
            map_reach=map_reach,
        )

    @classmethod
    def visitor(
        cls,
        debate: Debate,
        *,
        frame: Frame = Frame.SITE,
        frame_query: str = "",
        around: int | None = None,
        map_reach: map_slice.MapReach | None = None,
    ) -> Lens:
        """What anyone who is not signed in sees: embeds, oEmbed, public copies."""
        return cls.of(
            debate,
            ANONYMOUS,
            frame=frame,
            frame_query=frame_query,
            around=around,
            map_reach=map_reach,
        )

    def export_lens(self, format_name: str) -> Lens | None:
        """Whose view an export by this reader holds: a visitor's (the published debate), or
        None, everything, for a moderator's JSON backup (the only format that keeps hidden
        claims as hidden)."""
        if format_name == "json" and self.moderates:
            return None
        return self.public

    @property
    def readable(self) -> bool:
        """Whether the reader may read the debate at all (a private one: members only)."""
        return self.role is not None

    @property
    def manages(self) -> bool:
        """Whether the reader manages the debate (its settings page)."""
        return self.may(Action.MANAGE_MEMBERS)

    @property
    def may_ask_to_write(self) -> bool:
        """Whether the reader may ask to become a writer (a viewer or suggester, where the
        owner allows requests): the toolbar's "Ask to write"."""
        return self.may(Action.REQUEST_WRITE)

    @property
    def embeddable(self) -> bool:
        """Whether other sites may show the debate (not a private one)."""
        return self.debate.visibility != Debate.Visibility.PRIVATE

    @property
    def unlisted(self) -> bool:
        return self.debate.visibility == Debate.Visibility.UNLISTED

    @property
    def is_open(self) -> bool:
        return self.debate.is_writable

    # Loaded on first use, at most once a request.

    @cached_property
    def structure(self) -> DebateStructure:
        """The debate's structure; through a perspective, with that perspective's tallies
        and strengths (arguments/reading/perspectives.py)."""
        if self.viewpoint is not None:
            if self.first_screen_only or self.around is not None:
                return perspectives.structure_for(self.debate, self.viewpoint, around=self.around)
            return structure_seen_as(self.debate, debate_structure(self.debate), self.viewpoint)
        if self.first_screen_only or self.around is not None:
            return first_screen.structure_for(
                self.debate,
                around=self.around,
                levels=self.levels,
                shown_at_most=self.shows_at_most,
            )
        if self.map_reach is not None:
            return map_slice.structure_for(
                self.debate, self.map_reach, sees_as_visitor=lambda: self.sees_as_visitor
            )
        return debate_structure(self.debate)

    @property
    def reads_slices(self) -> bool:
        """Whether a page that lists a few claims reads them alone (cruxes): the lens has
        no structure yet, sees through no perspective, and the process holds nothing of
        the debate while its stored strengths are current."""
        return (
            "structure" not in self.__dict__
            and self.viewpoint is None
            and first_screen.reads_slices(self.debate)
        )

    def read_cards(self, claims: Sequence[int]) -> bool:
        """A page that shows only these claims as cards that show nothing beneath them, not
        even how many (the cruxes): for a lens that reads slices, read just them and their
        ways up (first_screen.py, `cards`). False when the lens reads no slices or this one
        cannot be read: the lens then loads the debate on first use, as any other."""
        if not self.reads_slices:
            return False
        structure = first_screen.load(self.debate, cards=claims)
        if structure is None:
            return False
        self.__dict__["structure"] = structure
        return True

    @cached_property
    def sees_as_visitor(self) -> bool:
        """Whether the reader sees every claim as a visitor does (no moderator, and no pending
        claim of their own here: one query): a map's stored sizes are theirs too."""
        if self.user_id is None:
            return True
        return not self.moderates and not map_slice.has_pending(self.debate, self.user_id)

    @cached_property
    def votes(self) -> dict[str, int]:
        """My votes by point key (as the named perspective I vote as, if I chose one); none
        for visitors (no query)."""
        if not self.user_id:
            return {}
        return my_votes(self.user, self.debate, perspective=self.voting_as)

    @property
    def everyone(self) -> Lens:
        """The same reader's lens without the perspective (everyone's tallies): what a vote
        is checked against, since the perspective's strengths are computed again after it."""
        if self.viewpoint is None:
            return self
        lens = self.__dict__.get("_everyone")
        if lens is None:
            lens = self.__dict__["_everyone"] = Lens(
                self.debate,
                self.user,
                self.role,
                frame=self.frame,
                order=self.order,
                frame_query=self.frame_query,
                voting_as=self.voting_as,
            )
        return lens

    @property
    def perspective_query(self) -> str:
        """The perspective parameter every reading link keeps ("" for everyone's votes)."""
        return f"perspective={self.viewpoint.key}" if self.viewpoint is not None else ""

    @cached_property
    def notices(self) -> dict[int, Notice]:
        """What this reader is told about claims' moderation; one query (none for visitors)."""
        if self.frame is Frame.EMBED or not self.user_id:
            return {}
        return claim_notices(user=self.user, debate=self.debate, role=self.role)

    # Nothing the lens keeps refers back to it: a cycle would keep the lens, and with it a
    # whole debate's structure, alive until the cyclic garbage collector ran (a bench showed
    # 20% more memory and slower pages on a 20,000-claim debate).

    @property
    def public(self) -> Lens:
        """A visitor's lens on the same debate (sharing its structure): what an embed shows
        and a public export holds."""
        if not self.user_id and self.frame is Frame.SITE:
            return self
        lens = self.__dict__.get("_public")
        if lens is None:
            # The same part of the debate as this page reads (the slice, for a worker
            # holding nothing).
            lens = self.__dict__["_public"] = Lens.visitor(self.debate, around=self.around)
            lens.first_screen_only = self.first_screen_only
            # Shared, never loaded for it (an export needs none); a perspective's is not
            # everyone's, but a perspective's slice may carry everyone's.
            if "structure" in self.__dict__:
                structure = self.structure
                if isinstance(structure, SeenAs):
                    if structure.everyones is not None:
                        lens.__dict__["structure"] = structure.everyones
                else:
                    lens.__dict__["structure"] = structure
        return lens

    @cached_property
    def routes(self) -> Routes:
        return routes_for(self.debate.slug)

    @property
    def urls(self) -> DebateUrls:
        return DebateUrls(self)

    def notice(self, claim_id: int) -> Notice | None:
        return self.notices.get(claim_id)

    def claim_urls(self, claim_id: int, depth: int = 0) -> ClaimUrls:
        return ClaimUrls(self, claim_id, depth)

    def note_urls(self, note_id: int) -> NoteUrls:
        return NoteUrls(self, note_id)

    def refresh(self) -> None:
        """After a write: the debate's new version and status, the perspective's (a vote
        cast as it moved it), and what depends on them."""
        self.debate.refresh_from_db(
            fields=["structure_version", "tally_version", "status", "conclusion", "updated_at"]
        )
        if self.viewpoint is not None:
            self.viewpoint = viewpoint_now(self.viewpoint)
        for name in ("structure", "notices", "visible_ids", "_public", "_everyone"):
            self.__dict__.pop(name, None)
        self._actions.clear()
        self._note_actions.clear()

    # -- seeing --------------------------------------------------------------------------

    def _shows(self, claim: ClaimState) -> bool:
        return sees_claim(claim, user_id=self.user_id, moderates=self.moderates)

    def sees(self, claim_id: int) -> bool:
        """Whether the reader sees the claim where it stands: it and every claim on its path
        up to a thesis pass the visibility rule (a claim under a hidden one is hidden too)."""
        structure = self.structure
        if claim_id not in structure.nodes:
            return False
        return self.sees_path(structure.path_to(claim_id))

    def sees_path(self, path: Sequence[ClaimState]) -> bool:
        """Whether the reader sees the claim at the end of `path` (from a thesis down to it,
        read from any structure that holds its way up: arguments/structure/placing.py)."""
        return sees_along(path, user_id=self.user_id, moderates=self.moderates)

    def sees_before_write(self, claim_id: int) -> bool:
        """`sees`, asked before a write whose answer is read after it (`refresh`): a lens
        around a claim that has read nothing yet, in a process that holds nothing of the
        debate, answers from the claim's way up alone (`placing.placed`, two statements), so
        that the write's request reads the slice around the claim, and brings the stored
        copies up to date, once, after the write (issue 35: a class's write at 200,000
        claims read both twice). A process holding the debate reads its held structure."""
        if self.around is None or "structure" in self.__dict__ or holds(self.debate):
            return self.sees(claim_id)
        ways = placing.placed([self.debate], [claim_id]).get(self.debate.pk)
        return (
            ways is not None and claim_id in ways.nodes and self.sees_path(ways.path_to(claim_id))
        )

    def knows(self, claim_id: int) -> bool:
        """Whether the reader may learn that the claim exists: they see it, moderate the
        debate, or wrote it (a hidden claim's author is told why; others get a 404)."""
        node = self.structure.nodes.get(claim_id)
        if node is None:
            return False
        own = self.user_id is not None and node.author_id == self.user_id
        return own or self.moderates or self.sees(claim_id)

    def merged_into(self, claim_id: int) -> int | None:
        """Where a merged claim's address leads."""
        node = self.structure.nodes.get(claim_id)
        return node.merged_into_id if node is not None else None

    @cached_property
    def visible_ids(self) -> list[int]:
        """Every claim the reader sees in the tree, theses first, each once (in its original
        place): for reads over the whole debate (the link picker, the flag form)."""
        structure = self.structure
        # Over the whole debate: never asked of a first screen's slice.
        assert structure.whole, "visible_ids needs the whole structure"
        return self.visible_among(
            structure.theses,
            structure.nodes,
            lambda claim_id: (
                e.child for e in structure.children.get(claim_id, ()) if not e.is_link
            ),
        )

    def visible_among(
        self,
        theses: Iterable[int],
        claims: Mapping[int, ClaimState],
        written_under: Callable[[int], Iterable[int]],
    ) -> list[int]:
        """The claims the reader sees of a debate given as rows (the structure, or an
        export's own): those reached from a thesis they see through claims they see, each
        where it was written (`written_under`: the claims written beneath one)."""
        seen: list[int] = []
        stack = [t for t in reversed(list(theses)) if self._shows(claims[t])]
        while stack:
            claim_id = stack.pop()
            seen.append(claim_id)
            beneath = [c for c in written_under(claim_id) if self._shows(claims[c])]
            stack.extend(reversed(beneath))
        return seen

    def link_candidates(self, claim_id: int, query: str, *, limit: int) -> list[tuple[int, str]]:
        """(id, text) of claims the reader could link beneath `claim_id`, matching every word
        of `query`: published claims they see, not the claim itself or one already there."""
        structure = self.structure
        taken = {edge.child for edge in structure.children.get(claim_id, ())}
        taken.add(claim_id)
        words = query.lower().split()
        found: list[tuple[int, str]] = []
        for candidate in self.visible_ids:
            node = structure.nodes[candidate]
            if candidate in taken or node.status != Claim.Status.PUBLISHED:
                continue
            text = node.text.lower()
            if all(word in text for word in words):
                found.append((candidate, node.text))
                if len(found) == limit:
                    break
        return found

    def published_claims(self, *, exclude: int) -> list[tuple[int, str]]:
        """(id, text) of the published claims the reader sees but one, by text: what a
        claim may duplicate."""
        nodes = self.structure.nodes
        return sorted(
            (
                (claim_id, nodes[claim_id].text)
                for claim_id in self.visible_ids
                if claim_id != exclude and nodes[claim_id].status == Claim.Status.PUBLISHED
            ),
            key=lambda pair: pair[1],
        )

    def notes_seen(self, notes: Iterable[N], *, on: Container[int] | None = None) -> list[N]:
        """The notes the reader sees of these, given in id order (replies after the note they
        answer): each must pass the rule, stand on a claim the reader sees (`on`, when the
        caller knows them already), and answer a note they see."""
        shown: set[int] = set()
        seen: list[N] = []
        for note in notes:
            answers_shown = note.parent_id is None or note.parent_id in shown
            on_seen = note.claim_id in on if on is not None else self.sees(note.claim_id)
            if answers_shown and on_seen and self.sees_note(note):
                shown.add(note.id)
                seen.append(note)
        return seen

    def sees_note(self, note: NoteState) -> bool:
        return sees_note(
            note, user_id=self.user_id, participant=self.participant, moderates=self.moderates
        )

    # -- doing ---------------------------------------------------------------------------

    def refusal(self, action: Action, **items: Unpack[Items]) -> Refusal | None:
        return refusal(self.user, action, self.debate, role=self.role, **items)

    def may(self, action: Action, **items: Unpack[Items]) -> bool:
        return self.refusal(action, **items) is None

    def check(self, action: Action, **items: Unpack[Items]) -> None:
        """PermissionDenied when the reader's role (or authorship) refuses the act. A stale
        page (the item's state changed) goes on to the service, which says why in the form."""
        refused = self.refusal(action, **items)
        if refused is not None and not refused.stale:
            raise PermissionDenied(refused.reason)

    def actions(self, node: Node, edge: Edge | None) -> Actions:
        """The controls of a claim where it stands; a link place is voted on, nothing else."""
        if self.frame is Frame.EMBED:
            return NO_ACTIONS
        is_link = edge is not None and edge.is_link
        own = self.user_id is not None and node.author_id == self.user_id
        lone_thesis = node.is_thesis and self._lone_thesis(node.id)
        key = (node.status, node.is_thesis, bool(node.merged_into_id), own, is_link, lone_thesis)
        actions = self._actions.get(key)
        if actions is None:
            actions = self._actions[key] = self._compute_actions(node, is_link, lone_thesis)
        return actions

    def _compute_actions(self, node: Node, is_link: bool, lone_thesis: bool) -> Actions:
        def may(action: Action) -> bool:
            return self.may(action, claim=node, lone_thesis=lone_thesis)

        sign_in_to_vote = (
            self.user_id is None
            and self.frame is Frame.SITE
            and refusal(SIGNED_IN, Action.VOTE, self.debate, claim=node, role=Role.VIEWER) is None
        )
        if is_link:
            return Actions(vote=may(Action.VOTE), sign_in_to_vote=sign_in_to_vote)
        return Actions(
            add=may(Action.ADD_CLAIM),
            edit=may(Action.EDIT_CLAIM),
            cite=may(Action.CITE_SOURCE),
            link=may(Action.LINK_CLAIM),
            annotate=may(Action.ANNOTATE),
            vote=may(Action.VOTE),
            sign_in_to_vote=sign_in_to_vote,
            flag=may(Action.FLAG),
            approve=may(Action.APPROVE_CLAIM),
            hide=may(Action.HIDE_CLAIM),
            restore=may(Action.RESTORE_CLAIM),
        )

    def _lone_thesis(self, claim_id: int) -> bool:
        """Whether no other published thesis stands beside this one."""
        nodes = self.structure.nodes
        return not any(
            t != claim_id and nodes[t].status == Claim.Status.PUBLISHED
            for t in self.structure.theses
        )

    def review(self, claim_id: int) -> FlagNote | None:
        """The upheld flag on this claim whose author (the reader) may ask for a review."""
        notice = self.notice(claim_id)
        if notice is None or notice.to_author is None:
            return None
        node = self.structure.nodes[claim_id]
        flag = notice.to_author
        return flag if self.may(Action.REQUEST_REVIEW, claim=node, flag=flag) else None

    def note_actions(self, note: Note, node: Node) -> NoteActions:
        if self.frame is Frame.EMBED or not self.user_id:
            return NoteActions()
        own = note.author_id == self.user_id
        key = (node.status, own, note.parent_id is None)
        actions = self._note_actions.get(key)
        if actions is None:
            actions = self._note_actions[key] = NoteActions(
                # Replies thread under a top-level note, one level deep.
                reply=note.parent_id is None and self.may(Action.ANNOTATE, claim=node),
                edit=self.may(Action.EDIT_NOTE, note=note),
                flag=self.may(Action.FLAG, note=note),
            )
        return actions

    def why(self, claim_id: int, *, rows: int = 8) -> Why | None:
        """The claim's strength explained, if the reader sees it and it has one (a pending
        or hidden claim has none)."""
        structure = self.structure
        if not self.sees(claim_id) or claim_id not in structure.strength:
            return None
        if self.hides_votes(self._point_of(claim_id)):
            return None
        explanation = structure.explain(claim_id)
        points = {e.child: f"r{e.id}" for e in structure.children.get(claim_id, ())}
        moved = [
            (structure.nodes[c.child], c, self.claim_urls(c.child).focus)
            for c in explanation.contributions
            if abs(c.effect) > 1e-9 and not self.hides_votes(points[c.child])
        ]
        return Why(
            node=structure.nodes[claim_id],
            urls=self.claim_urls(claim_id),
            explanation=explanation,
            rows=moved[:rows],
            more=max(0, len(moved) - rows),
        )

    def author_name(self, author_id: int | None, username: str) -> str:
        """How the reader sees someone's name: their username, or in a pseudonymous debate
        their pseudonym there (for everyone, moderators included: the settings page is where
        the mapping is revealed)."""
        if not self.debate.pseudonymous or author_id is None:
            return username
        name = self._pseudonyms.get(author_id)
        return name if name is not None else pseudonyms_of(self.debate, [author_id])[author_id]

    @cached_property
    def _pseudonyms(self) -> dict[int, str]:
        structure = self.structure
        authors = {node.author_id for node in structure.nodes.values()}
        stack = [note for notes in structure.notes.values() for note in notes]
        while stack:
            note = stack.pop()
            authors.add(note.author_id)
            stack.extend(note.replies)
        return pseudonyms_of(self.debate, authors)

    def beneath(self, claim_id: int) -> list[Edge]:
        """The pros and cons under a claim that the reader sees, in sibling order."""
        structure = self.structure
        nodes = structure.nodes
        # A linked claim shows only if it is seen where it was written (a claim under a
        # hidden one is hidden with it, wherever it is linked).
        return [
            e
            for e in structure.children.get(claim_id, ())
            if self._shows(nodes[e.child]) and (not e.is_link or self.sees(e.child))
        ]

    def hides_votes(self, point: str) -> bool:
        """Guided voting: others' votes on a point, and the strength made of them, show to a
        reader only once they have voted on it themselves (a vote cast as a perspective they
        named is not theirs: it would let them peek without committing)."""
        return self.debate.hide_votes_until_voted and point not in self.own_votes

    @property
    def own_votes(self) -> dict[str, int]:
        """The reader's own votes, whatever perspective they vote as (read only when guided
        voting asks, and only then a second query)."""
        if self.voting_as is None:
            return self.votes
        votes = self.__dict__.get("_own_votes")
        if votes is None:
            votes = self.__dict__["_own_votes"] = my_votes(self.user, self.debate)
        return votes

    def _point_of(self, claim_id: int) -> str:
        edge = self.structure.original.get(claim_id)
        return f"r{edge.id}" if edge is not None else f"c{claim_id}"

    # -- the tree ------------------------------------------------------------------------

    def tree(self, claim_id: int, *, edge: Edge | None, levels: int, depth: int = 0) -> TreeItem:
        """A claim where it stands with its pros and cons unfolded `levels` deep (0:
        folded), as this reader sees them."""
        structure = self.structure
        node = structure.nodes[claim_id]
        item = TreeItem(
            node=node,
            edge=edge,
            depth=depth,
            lens=self,
            actions=self.actions(node, edge),
            urls=ClaimUrls(self, claim_id, depth),
            citations=structure.citations.get(claim_id, []),
            strength=structure.strength.get(claim_id),
        )
        point_edge = edge or structure.original.get(claim_id)
        if point_edge is not None:
            item.point, item.point_relation, item.tally = (
                f"r{point_edge.id}",
                point_edge.id,
                point_edge.tally,
            )
        else:
            item.point, item.tally = f"c{claim_id}", node.tally
        if isinstance(structure, SeenAs):
            item.tally = structure.tallies.get(item.point, NO_VOTES)
        item.my_vote = self.votes.get(item.point)
        item.votes_hidden = self.hides_votes(item.point)
        if item.votes_hidden:
            item.strength = None  # it is made of the votes: shown with them
        # A linked claim is a reference to its original place: its branch is shown there.
        if item.is_link:
            return item
        item.notes = self._notes(structure.notes.get(claim_id, ()), node)
        edges = self.beneath(claim_id)
        item.pro_count = sum(1 for e in edges if e.stance == Stance.PRO)
        item.con_count = len(edges) - item.pro_count
        # The claim in focus (or a thesis) stands open even with nothing beneath it: its
        # empty columns say so and offer "add one".
        unfolded = self._unfolded
        if levels > 0 and (edges or depth == 0) and (unfolded is None or claim_id in unfolded):
            item.expanded = True
            grouped = False
            for child in ordered(structure, edges, self.order):
                sub = self.tree(child.child, edge=child, levels=levels - 1, depth=depth + 1)
                (item.pros if child.stance == Stance.PRO else item.cons).append(sub)
                grouped = grouped or child.premise_group is not None
            if grouped:
                mark_together(item.children)
        return item

    def after_vote(self, point: Relation | Claim, mine: int | None) -> TreeItem:
        """The voted point's summary right after the reader's vote (`mine`: their vote now,
        None when withdrawn). Through a perspective: read again at the perspective's new
        version. Otherwise without catching the debate up: the point's fresh tally (the vote
        left it on `point`) and the claim's own strength recombined from it."""
        # isinstance() at each use, not once in a flag: mypy narrows `point` only so.
        claim_id = point.child_id if isinstance(point, Relation) else point.pk
        if self.viewpoint is not None:
            self.refresh()
        key = f"r{point.pk}" if isinstance(point, Relation) else f"c{point.pk}"
        self.__dict__["votes"] = {key: mine} if mine is not None else {}  # known: no query
        structure = self.structure
        edge = None
        if isinstance(point, Relation):
            siblings = structure.children.get(point.parent_id, ())
            edge = next((e for e in siblings if e.id == point.pk), None)
        item = self.tree(claim_id, edge=edge, levels=0)
        if self.viewpoint is None:
            item.tally = tuple(point.histogram)
            # A link place's votes do not feed the claim's base score; strength hidden with
            # the votes (guided voting) stays hidden.
            if not (isinstance(point, Relation) and point.is_link) and not item.votes_hidden:
                fresh = strengths.with_tally(structure, claim_id, point.histogram)
                if fresh is not None:
                    item.strength = fresh
        return item

    def _notes(self, notes: tuple[Note, ...] | list[Note], node: Node) -> list[NoteItem]:
        return [
            NoteItem(
                note=note,
                author=self.author_name(note.author_id, note.author),
                actions=self.note_actions(note, node),
                urls=NoteUrls(self, note.id),
                replies=self._notes(note.replies, node),
            )
            for note in notes
            if self.sees_note(note)
        ]

    def theses(self, levels: int) -> list[TreeItem]:
        """The debate's theses this reader sees, each unfolded `levels` deep (within
        `shows_at_most`)."""
        nodes = self.structure.nodes
        shown = [t for t in self.structure.theses if self._shows(nodes[t])]
        levels = self._levels_open(self.structure.theses, levels)
        self._unfolded = self._unfolding(shown, levels)
        return [self.tree(thesis_id, edge=None, levels=levels) for thesis_id in shown]

    def focus(self, claim_id: int, *, levels: int, depth: int = 0) -> TreeItem:
        """A claim in focus, in its original place (a thesis: at the root), unfolded
        `levels` deep (within `shows_at_most`)."""
        levels = self._levels_open([claim_id], levels)
        self._unfolded = self._unfolding([claim_id], levels)
        return self.tree(
            claim_id, edge=self.structure.original.get(claim_id), levels=levels, depth=depth
        )

    def _levels_open(self, roots: list[int], levels: int) -> int:
        """How many of `levels` a tree showing at most `shows_at_most` claims opens beneath
        `roots`: `first_screen.levels_open`'s rule, which the slice was read by."""
        budget = self.shows_at_most
        if budget is None:
            return levels
        children = self.structure.children

        def level_sizes() -> Iterator[int]:
            parents = list(roots)
            while parents:
                level = [edge for parent in parents for edge in children.get(parent, ())]
                yield len(level)
                parents = [edge.child for edge in level if not edge.is_link]

        return first_screen.levels_open(level_sizes(), levels, budget)

    def _unfolding(self, roots: list[int], levels: int) -> set[int] | None:
        """The claims to unfold beneath `roots` so that at most `shows_at_most` claims are
        shown: breadth-first in the order shown, a claim opened only when all its pros and
        cons fit (the roots always: what is in focus shows its pros and cons). None: no
        limit, every claim `levels` deep."""
        budget = self.shows_at_most
        if budget is None:
            return None
        unfolded: set[int] = set()
        shown = len(roots)
        queue = deque((root, 0) for root in roots)
        while queue:
            claim_id, depth = queue.popleft()
            if depth >= levels or claim_id in unfolded:
                continue
            edges = self.beneath(claim_id)
            if depth > 0 and shown + len(edges) > budget:
                continue  # folded: its counts open it
            unfolded.add(claim_id)
            shown += len(edges)
            ordered_edges = ordered(self.structure, edges, self.order)
            queue.extend((edge.child, depth + 1) for edge in ordered_edges if not edge.is_link)
        return unfolded
