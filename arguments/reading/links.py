"""Where each link of a debate leads, for one reader's frame: every URL from the urlconf's
patterns, each reversed once per debate with a hole for the id (`Routes`), then filled per
claim or note."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import get_script_prefix, reverse

from arguments import caches
from arguments.formats import FORMATS, LABELS

if TYPE_CHECKING:
    from arguments.reading.lens import Lens

HOLE = 2147483647  # an id no claim has: each pattern is reversed once with it, then filled


class Frame(StrEnum):
    """Where the debate is read, which decides where its links lead."""

    SITE = "site"  # the debate's own pages
    EMBED = "embed"  # another site's iframe: read-only, no cookies; links stay in /embed/
    LTI = "lti"  # an LMS frame: signed in by the launch; following a claim stays in /lti/


class Route:
    """One URL pattern of a debate with its id left open: `route(id)`.

    Reversing a URL per link per claim cost more than rendering the claim itself
    (docs/PERFORMANCE.md); the pattern is still the urlconf's, so there is one source.
    """

    __slots__ = ("head", "tail")

    def __init__(self, url: str) -> None:
        """`url`: the pattern reversed with `HOLE` for the id."""
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
    claim_map: Route
    claim_map_svg: Route


# Each route's pattern: (URL name, the id's keyword).
_PATTERNS = {
    "claim": ("arguments:claim", "pk"),
    "add": ("arguments:claim_add", "pk"),
    "edit": ("arguments:claim_edit", "pk"),
    "cite": ("arguments:claim_cite", "pk"),
    "link": ("arguments:claim_link", "pk"),
    "vote": ("arguments:claim_vote", "pk"),
    "why": ("arguments:claim_why", "pk"),
    "annotate": ("arguments:claim_annotate", "pk"),
    "flag": ("arguments:claim_flag", "pk"),
    "approve": ("arguments:claim_approve", "pk"),
    "hide": ("arguments:claim_hide", "pk"),
    "restore": ("arguments:claim_restore", "pk"),
    "moderation": ("arguments:claim_moderation", "pk"),
    "review": ("arguments:flag_review", "flag_id"),
    "note_reply": ("arguments:note_reply", "note_id"),
    "note_edit": ("arguments:note_edit", "note_id"),
    "note_delete": ("arguments:note_delete", "note_id"),
    "note_flag": ("arguments:note_flag", "note_id"),
    "embed_claim": ("arguments:embed_claim", "pk"),
    "embed_why": ("arguments:embed_why", "pk"),
    "lti_claim": ("lti:claim", "pk"),
    "claim_map": ("arguments:claim_map", "pk"),
    "claim_map_svg": ("arguments:claim_map_svg", "pk"),
}
# A slug no URL's fixed text holds (it matches `<slug:slug>`): each pattern is reversed
# once with it and the id's hole, then every debate's slug is put in its place, so a worker
# reading a page of search hits from twenty debates reverses 23 patterns, not 460 (issue 35).
SLUG_HOLE = f"slug-hole-{HOLE}"


@lru_cache(maxsize=8)
def route_patterns(script_prefix: str) -> dict[str, str]:
    """Each route's URL with holes for the slug and the id, for this script prefix."""
    return {
        field: reverse(name, kwargs={"slug": SLUG_HOLE, key: HOLE})
        for field, (name, key) in _PATTERNS.items()
    }


@lru_cache(maxsize=512)
def _routes(script_prefix: str, slug: str) -> Routes:
    # Slugs are letters, digits, "-" and "_" (the urlconf's `slug` converter): nothing to
    # quote, so the slug stands in the URL as `reverse` would put it.
    return Routes(
        **{
            field: Route(url.replace(SLUG_HOLE, slug))
            for field, url in route_patterns(script_prefix).items()
        }
    )


def routes_for(slug: str) -> Routes:
    # The script prefix is part of every reversed URL, so it is part of the key.
    return _routes(get_script_prefix(), slug)


caches.register(
    "route patterns",
    kept=caches.Kept.PROCESS,
    key="the script prefix",
    stale="never while the process runs: the URLconf is fixed at start",
    forget=route_patterns.cache_clear,
    holds=route_patterns,
)

caches.register(
    "routes",
    kept=caches.Kept.PROCESS,
    key="the script prefix and the debate's slug",
    stale="never while the process runs: the URLconf is fixed at start (the 512 debates "
    "asked last are kept)",
    forget=_routes.cache_clear,
    holds=_routes,
)


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
        return _with_query(routes.claim(self._id), lens.perspective_query)

    @property
    def page(self) -> str:
        """The claim's focus page on the site itself (to take part, outside any frame)."""
        return self._lens.routes.claim(self._id)

    @property
    def opens_apart(self) -> bool:
        """A write form's page opens in a window of its own: in the LMS frame the site's pages
        refuse to be framed (`frame-ancestors 'none'`), so without JavaScript (which opens the
        form in the claim's slot instead) a link followed inside the frame showed nothing."""
        return self._lens.frame is Frame.LTI

    @property
    def branch(self) -> str:
        """One level of pros and cons beneath, for the toggle (an htmx fragment)."""
        # No urlencode: the depth is a number and the order one of ORDERS' plain keys.
        lens = self._lens
        if lens.frame is Frame.EMBED:
            return f"{lens.routes.embed_claim(self._id)}?part=branch&depth={self._depth}"
        order = f"&order={lens.order}" if lens.order != "stored" else ""
        seen_as = f"&{lens.perspective_query}" if lens.viewpoint is not None else ""
        return f"{lens.routes.claim(self._id)}?part=branch&depth={self._depth}{order}{seen_as}"

    @property
    def why(self) -> str:
        routes = self._lens.routes
        if self._lens.frame is Frame.EMBED:
            return routes.embed_why(self._id)
        return _with_query(routes.why(self._id), self._lens.perspective_query)

    @property
    def add_pro(self) -> str:
        return self._add("pro")

    @property
    def add_con(self) -> str:
        return self._add("con")

    def _add(self, stance: str) -> str:
        """The add form of one stance. Where the claim stands below the top of its page (a
        pro on the debate page), its depth too: the form, opened in the claim's slot,
        carries it, and the write's answer re-renders the claim and its branch at their
        aria-levels there (not at the claim's focus page's)."""
        depth = f"&depth={self._depth}" if self._depth else ""
        return f"{self._lens.routes.add(self._id)}?stance={stance}{depth}"

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
        """Where the vote form posts; through a perspective, its answer shows the point as
        the perspective voted."""
        return _with_query(self._lens.routes.vote(self._id), self._lens.perspective_query)

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
    def map(self) -> str:
        """The claim's branch as a map (in an embed: the embed's map of it)."""
        lens = self._lens
        if lens.frame is Frame.EMBED:
            return self.focus
        return _with_query(lens.routes.claim_map(self._id), lens.perspective_query)

    @property
    def map_svg(self) -> str:
        """The branch's map as an SVG file to download."""
        return self._lens.routes.claim_map_svg(self._id)

    @property
    def sign_in(self) -> str:
        """Sign in, then come back to this claim."""
        next_url = f"{self.page}#claim-{self._id}"
        return f"{reverse('account_login')}?{urlencode({'next': next_url})}"

    @property
    def flags(self) -> str:
        """The claim's open flags on the site, to resolve them (its moderators; "" for
        everyone else)."""
        if not self._lens.moderates:
            return ""
        return reverse("arguments:claim_flags", args=[self._lens.debate.slug, self._id])

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
        """The debate's page, through the perspective the reader looks through."""
        return _with_query(self._reverse("arguments:debate"), self._lens.perspective_query)

    @property
    def map(self) -> str:
        """The whole debate as a map (in an embed: the embed's own map)."""
        if self._lens.frame is Frame.EMBED:
            return self.home
        return _with_query(self._reverse("arguments:debate_map"), self._lens.perspective_query)

    @property
    def map_svg(self) -> str:
        return self._reverse("arguments:debate_map_svg")

    @property
    def settings(self) -> str:
        return self._reverse("arguments:debate_settings")

    @property
    def search(self) -> str:
        return self._reverse("arguments:debate_search")

    @property
    def embed(self) -> str:
        return self._reverse("arguments:embed_dialog")

    @property
    def cruxes(self) -> str:
        return self._reverse("arguments:debate_cruxes")

    @property
    def cruxes_panel(self) -> str:
        """The debate page's Cruxes panel (an htmx fragment)."""
        return f"{self.cruxes}?part=panel"

    @property
    def gaps(self) -> str:
        return self._reverse("arguments:debate_gaps")

    @property
    def opinions(self) -> str:
        """The opinion map: who votes alike, where groups agree and split (issue 33)."""
        return self._reverse("arguments:debate_opinions")

    @property
    def cruxes_between_groups(self) -> str:
        """The crux finder ranking by how far apart the opinion groups' votes are."""
        return f"{self.cruxes}?by=groups"

    def page_as(self, perspective: str) -> str:
        """The debate's page seen through a perspective (`perspectives.Viewpoint.key`)."""
        return _with_query(self._reverse("arguments:debate"), f"perspective={perspective}")

    def map_as(self, perspective: str) -> str:
        """The debate's map seen through a perspective."""
        return _with_query(self._reverse("arguments:debate_map"), f"perspective={perspective}")

    @property
    def gaps_panel(self) -> str:
        """The debate page's Needs you panel (an htmx fragment)."""
        return f"{self.gaps}?part=panel"

    @property
    def perspective_new(self) -> str:
        """Start a named perspective to vote as."""
        return self._reverse("arguments:perspective_create")

    @property
    def voting_as(self) -> str:
        """Choose whom one votes as: oneself or a named perspective one started."""
        return self._reverse("arguments:perspective_voting_as")

    @property
    def perspective_groups(self) -> str:
        """The settings page of the debate's groups."""
        return self._reverse("arguments:perspective_groups")

    @property
    def annotations(self) -> str:
        return self._reverse("arguments:debate_annotations")

    @property
    def exports(self) -> list[tuple[str, str]]:
        """(label, URL) of each export format."""
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
