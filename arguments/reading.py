"""The reading lens: what one reader sees of a debate, what they may do there, and where each
link goes, decided in one place for every view that shows a debate.

A `Lens` is built once per request from the debate, the reader (a user or a visitor, their
role) and the frame the page is read in (the site, an embed in another site, an LMS). It owns:

- `sees(claim_id)`: the one visibility rule (`permissions.sees_claim`) applied along the
  claim's path to its thesis; `knows()` adds the author of a hidden claim;
- `actions(node, edge)`: every control a claim shows where it stands, from
  `permissions.permits` alone;
- `ClaimUrls`, `NoteUrls`, `DebateUrls`: every link, from `reverse()` patterns reversed once
  per debate (`Routes`);
- `tree()`, `theses()`, `focus()`: the `TreeItem`s with their actions and URLs attached.

Views ask the lens and never decide visibility or permissions themselves; templates read
`item.actions.*` and `item.urls.*`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import get_script_prefix, reverse

from arguments import scoring
from arguments.models import Claim, Debate, Role, Stance
from arguments.moderation import Notice, claim_notices
from arguments.permissions import (
    Action,
    ClaimState,
    FlagState,
    NoteState,
    Refusal,
    at_least,
    refusal,
    role_in,
    sees_claim,
    sees_note,
)
from arguments.selectors import DebateStructure, debate_structure, my_votes
from arguments.tree import ORDERS, NoteItem, TreeItem, ordered

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from django.contrib.auth.models import AbstractBaseUser
    from django.http import QueryDict

    from arguments.moderation import FlagNote
    from arguments.selectors import Edge, Node, Note

    AnyUser = AbstractBaseUser | AnonymousUser

ANONYMOUS = AnonymousUser()
HOLE = 2147483647  # an id no claim has: each pattern is reversed once with it, then filled


class Frame(StrEnum):
    """Where the debate is read, which decides where its links lead."""

    SITE = "site"  # the debate's own pages
    EMBED = "embed"  # another site's iframe: read-only, no cookies; links stay in /embed/
    LTI = "lti"  # an LMS frame: signed in by the launch; following a claim stays in /lti/


class _SignedIn:
    """Someone signed in with the least role, for "would signing in let a visitor do this?"."""

    is_authenticated = True
    pk = None


SIGNED_IN = _SignedIn()


# -- where links go -----------------------------------------------------------------------


class Route:
    """One URL pattern of a debate with its id left open, reversed once: `route(id)`.

    Reversing a URL per link per claim cost more than rendering the claim itself
    (docs/PERFORMANCE.md); the pattern is still the urlconf's, so there is one source.
    """

    __slots__ = ("head", "tail")

    def __init__(self, name: str, slug: str, key: str = "pk") -> None:
        url = reverse(name, kwargs={"slug": slug, key: HOLE})
        self.head, self.tail = url.split(str(HOLE))

    def __call__(self, id_: int) -> str:
        return f"{self.head}{id_}{self.tail}"


@dataclass(frozen=True, slots=True)
class Routes:
    """Every per-claim and per-note URL pattern of one debate."""

    claim: Route
    add: Route
    edit: Route
    cite: Route
    link: Route
    vote: Route
    why: Route
    annotate: Route
    flag: Route
    approve: Route
    hide: Route
    restore: Route
    moderation: Route
    review: Route
    note_reply: Route
    note_edit: Route
    note_delete: Route
    note_flag: Route
    embed_claim: Route
    embed_why: Route
    lti_claim: Route


@lru_cache(maxsize=512)
def _routes(script_prefix: str, slug: str) -> Routes:
    def claim(name: str) -> Route:
        return Route(f"arguments:{name}", slug)

    def note(name: str) -> Route:
        return Route(f"arguments:{name}", slug, key="note_id")

    return Routes(
        claim=claim("claim"),
        add=claim("claim_add"),
        edit=claim("claim_edit"),
        cite=claim("claim_cite"),
        link=claim("claim_link"),
        vote=claim("claim_vote"),
        why=claim("claim_why"),
        annotate=claim("claim_annotate"),
        flag=claim("claim_flag"),
        approve=claim("claim_approve"),
        hide=claim("claim_hide"),
        restore=claim("claim_restore"),
        moderation=claim("claim_moderation"),
        review=Route("arguments:flag_review", slug, key="flag_id"),
        note_reply=note("note_reply"),
        note_edit=note("note_edit"),
        note_delete=note("note_delete"),
        note_flag=note("note_flag"),
        embed_claim=claim("embed_claim"),
        embed_why=claim("embed_why"),
        lti_claim=Route("lti:claim", slug),
    )


def routes_for(slug: str) -> Routes:
    # The script prefix is part of every reversed URL, so it is part of the key.
    return _routes(get_script_prefix(), slug)


def _with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


class ClaimUrls:
    """Every link of one claim where it stands, as its reader's frame needs them."""

    __slots__ = ("_depth", "_id", "_lens")

    def __init__(self, lens: Lens, claim_id: int, depth: int = 0) -> None:
        self._lens, self._id, self._depth = lens, claim_id, depth

    @property
    def focus(self) -> str:
        """The claim in focus: on the site, in the embed (with its options), in the LMS."""
        lens, routes = self._lens, self._lens.routes
        if lens.frame is Frame.EMBED:
            return _with_query(routes.embed_claim(self._id), lens.frame_query)
        if lens.frame is Frame.LTI:
            return routes.lti_claim(self._id)
        return routes.claim(self._id)

    @property
    def page(self) -> str:
        """The claim's focus page on the site itself (to take part, outside any frame)."""
        return self._lens.routes.claim(self._id)

    @property
    def branch(self) -> str:
        """One level of pros and cons beneath, for the toggle (an htmx fragment)."""
        lens = self._lens
        params = {"part": "branch", "depth": self._depth}
        if lens.frame is Frame.EMBED:
            return f"{lens.routes.embed_claim(self._id)}?{urlencode(params)}"
        if lens.order != "stored":
            params["order"] = lens.order
        return f"{lens.routes.claim(self._id)}?{urlencode(params)}"

    @property
    def why(self) -> str:
        routes = self._lens.routes
        if self._lens.frame is Frame.EMBED:
            return routes.embed_why(self._id)
        return routes.why(self._id)

    @property
    def add_pro(self) -> str:
        return f"{self._lens.routes.add(self._id)}?stance=pro"

    @property
    def add_con(self) -> str:
        return f"{self._lens.routes.add(self._id)}?stance=con"

    @property
    def add(self) -> str:
        """Where the add form posts (its stance is a field)."""
        return self._lens.routes.add(self._id)

    @property
    def edit(self) -> str:
        return self._lens.routes.edit(self._id)

    @property
    def cite(self) -> str:
        return self._lens.routes.cite(self._id)

    @property
    def link(self) -> str:
        return self._lens.routes.link(self._id)

    @property
    def link_results(self) -> str:
        """The link picker's search results (an htmx fragment)."""
        return f"{self.link}?part=results"

    @property
    def annotate(self) -> str:
        return self._lens.routes.annotate(self._id)

    @property
    def vote(self) -> str:
        return self._lens.routes.vote(self._id)

    @property
    def flag(self) -> str:
        return self._lens.routes.flag(self._id)

    @property
    def approve(self) -> str:
        return self._lens.routes.approve(self._id)

    @property
    def hide(self) -> str:
        return self._lens.routes.hide(self._id)

    @property
    def restore(self) -> str:
        return self._lens.routes.restore(self._id)

    @property
    def moderation(self) -> str:
        return self._lens.routes.moderation(self._id)

    @property
    def review(self) -> str:
        """Ask for a review of the upheld flag the author is told about ("" if none)."""
        notice = self._lens.notice(self._id)
        if notice is None or notice.to_author is None:
            return ""
        return self._lens.routes.review(notice.to_author.id)

    @property
    def embed(self) -> str:
        """The Embed dialog for this claim's branch; for a claim only some may see (pending,
        hidden), the whole debate's: an embed shows what a visitor sees."""
        dialog = self._lens.urls.embed
        return f"{dialog}?claim={self._id}" if self._lens.public.sees(self._id) else dialog

    @property
    def sign_in(self) -> str:
        """Sign in, then come back to this claim."""
        next_url = f"{self.page}#claim-{self._id}"
        return f"{reverse('account_login')}?{urlencode({'next': next_url})}"

    @property
    def admin_flags(self) -> str:
        """The claim's open flags in the admin, for site staff ("" for everyone else)."""
        if not self._lens.is_staff:
            return ""
        query = urlencode({"claim__id__exact": self._id, "status__exact": "open"})
        return f"{reverse('admin:arguments_flag_changelist')}?{query}"


class NoteUrls:
    __slots__ = ("_id", "_lens")

    def __init__(self, lens: Lens, note_id: int) -> None:
        self._lens, self._id = lens, note_id

    @property
    def reply(self) -> str:
        return self._lens.routes.note_reply(self._id)

    @property
    def edit(self) -> str:
        return self._lens.routes.note_edit(self._id)

    @property
    def delete(self) -> str:
        return self._lens.routes.note_delete(self._id)

    @property
    def flag(self) -> str:
        return self._lens.routes.note_flag(self._id)


class DebateUrls:
    """The debate's own links, as the reader's frame needs them."""

    def __init__(self, lens: Lens) -> None:
        self._lens = lens
        self._slug = lens.debate.slug

    def _reverse(self, name: str, **kwargs: object) -> str:
        return reverse(name, kwargs={"slug": self._slug, **kwargs})

    @property
    def home(self) -> str:
        """The whole map where the reader is: the debate page, its embed, its LMS page."""
        lens = self._lens
        if lens.frame is Frame.EMBED:
            return _with_query(self._reverse("arguments:embed_debate"), lens.frame_query)
        if lens.frame is Frame.LTI:
            return self._reverse("lti:debate")
        return self.page

    @property
    def page(self) -> str:
        return self._reverse("arguments:debate")

    @property
    def settings(self) -> str:
        return self._reverse("arguments:debate_settings")

    @property
    def embed(self) -> str:
        return self._reverse("arguments:embed_dialog")

    @property
    def annotations(self) -> str:
        return self._reverse("arguments:debate_annotations")

    @property
    def exports(self) -> list[tuple[str, str]]:
        """(label, URL) of each export format."""
        from arguments.formats import FORMATS, LABELS

        return [
            (LABELS[name], self._reverse("arguments:export", format_name=name)) for name in FORMATS
        ]

    @property
    def admin(self) -> str:
        """The debate in the admin, for site staff ("" for everyone else)."""
        if not self._lens.is_staff:
            return ""
        return reverse("admin:arguments_debate_change", args=[self._lens.debate.pk])

    @property
    def admin_open_flags(self) -> str:
        if not self._lens.is_staff:
            return ""
        return f"{reverse('admin:arguments_flag_changelist')}?status__exact=open"


# -- what a reader may do ------------------------------------------------------------------


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


# -- the lens --------------------------------------------------------------------------------


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

    @classmethod
    def of(
        cls,
        debate: Debate,
        user: AnyUser,
        *,
        frame: Frame = Frame.SITE,
        order: str = "stored",
        frame_query: str = "",
    ) -> Lens:
        return cls(
            debate,
            user,
            role_in(user, debate),
            frame=frame,
            order=order,
            frame_query=frame_query,
        )

    @classmethod
    def visitor(cls, debate: Debate, *, frame: Frame = Frame.SITE, frame_query: str = "") -> Lens:
        """What anyone who is not signed in sees: embeds, oEmbed, public copies."""
        return cls.of(debate, ANONYMOUS, frame=frame, frame_query=frame_query)

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
        return debate_structure(self.debate)

    @cached_property
    def votes(self) -> dict[str, int]:
        """My votes by point key; none for visitors (no query)."""
        return my_votes(self.user, self.debate) if self.user_id else {}

    @cached_property
    def notices(self) -> dict[int, Notice]:
        """What this reader is told about claims' moderation; one query (none for visitors)."""
        if self.frame is Frame.EMBED or not self.user_id:
            return {}
        return claim_notices(user=self.user, debate=self.debate, role=self.role)

    @cached_property
    def public(self) -> Lens:
        """A visitor's lens on the same debate (sharing its structure): what an embed shows
        and a public export holds."""
        if not self.user_id and self.frame is Frame.SITE:
            return self
        lens = Lens.visitor(self.debate)
        lens.__dict__["structure"] = self.structure
        return lens

    @cached_property
    def routes(self) -> Routes:
        return routes_for(self.debate.slug)

    @cached_property
    def urls(self) -> DebateUrls:
        return DebateUrls(self)

    def notice(self, claim_id: int) -> Notice | None:
        return self.notices.get(claim_id)

    def claim_urls(self, claim_id: int, depth: int = 0) -> ClaimUrls:
        return ClaimUrls(self, claim_id, depth)

    def note_urls(self, note_id: int) -> NoteUrls:
        return NoteUrls(self, note_id)

    def refresh(self) -> None:
        """After a write: the debate's new version and status, and what depends on them."""
        self.debate.refresh_from_db(fields=["structure_version", "status", "updated_at"])
        for name in ("structure", "notices", "visible_ids", "public"):
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
        path = structure.path_to(claim_id)
        return path[0].is_thesis and all(self._shows(node) for node in path)

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

    def sees_note(self, note: NoteState) -> bool:
        return sees_note(
            note, user_id=self.user_id, participant=self.participant, moderates=self.moderates
        )

    # -- doing ---------------------------------------------------------------------------

    def refusal(
        self,
        action: Action,
        *,
        claim: ClaimState | None = None,
        note: NoteState | None = None,
        flag: FlagState | None = None,
    ) -> Refusal | None:
        return refusal(
            self.user, action, self.debate, claim=claim, note=note, flag=flag, role=self.role
        )

    def may(
        self,
        action: Action,
        *,
        claim: ClaimState | None = None,
        note: NoteState | None = None,
        flag: FlagState | None = None,
    ) -> bool:
        return self.refusal(action, claim=claim, note=note, flag=flag) is None

    def check(
        self,
        action: Action,
        *,
        claim: ClaimState | None = None,
        note: NoteState | None = None,
        flag: FlagState | None = None,
    ) -> None:
        """PermissionDenied when the reader's role (or authorship) refuses the act. A stale
        page (the item's state changed) goes on to the service, which says why in the form."""
        refused = self.refusal(action, claim=claim, note=note, flag=flag)
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
            return self.may(action, claim=node)

        sign_in_to_vote = (
            self.user_id is None
            and self.frame is Frame.SITE
            and refusal(SIGNED_IN, Action.VOTE, self.debate, claim=node, role=Role.VIEWER) is None  # type: ignore[arg-type]
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
            # The service keeps a debate's last published thesis from being hidden.
            hide=may(Action.HIDE_CLAIM) and not lone_thesis,
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
        explanation = structure.explain(claim_id)
        moved = [
            (structure.nodes[c.child], c, self.claim_urls(c.child).focus)
            for c in explanation.contributions
            if abs(c.effect) > 1e-9
        ]
        return Why(
            node=structure.nodes[claim_id],
            urls=self.claim_urls(claim_id),
            explanation=explanation,
            rows=moved[:rows],
            more=max(0, len(moved) - rows),
        )

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
        item.my_vote = self.votes.get(item.point)
        item.votes_hidden = self.debate.hide_votes_until_voted and item.my_vote is None
        # A linked claim is a reference to its original place: its branch is shown there.
        if item.is_link:
            return item
        item.notes = self._notes(structure.notes.get(claim_id, ()), node)
        edges = [
            e for e in structure.children.get(claim_id, ()) if self._shows(structure.nodes[e.child])
        ]
        item.pro_count = sum(1 for e in edges if e.stance == Stance.PRO)
        item.con_count = len(edges) - item.pro_count
        if levels > 0 and edges:
            item.expanded = True
            for child in ordered(structure, edges, self.order):
                sub = self.tree(child.child, edge=child, levels=levels - 1, depth=depth + 1)
                (item.pros if child.stance == Stance.PRO else item.cons).append(sub)
        return item

    def _notes(self, notes: tuple[Note, ...] | list[Note], node: Node) -> list[NoteItem]:
        return [
            NoteItem(
                note=note,
                actions=self.note_actions(note, node),
                urls=NoteUrls(self, note.id),
                replies=self._notes(note.replies, node),
            )
            for note in notes
            if self.sees_note(note)
        ]

    def theses(self, levels: int) -> list[TreeItem]:
        """The debate's theses this reader sees, each unfolded `levels` deep."""
        nodes = self.structure.nodes
        return [
            self.tree(thesis_id, edge=None, levels=levels)
            for thesis_id in self.structure.theses
            if self._shows(nodes[thesis_id])
        ]

    def focus(self, claim_id: int, *, levels: int, depth: int = 0) -> TreeItem:
        """A claim in focus, in its original place (a thesis: at the root)."""
        return self.tree(
            claim_id, edge=self.structure.original.get(claim_id), levels=levels, depth=depth
        )
