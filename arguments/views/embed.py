"""Embedding argument maps in other sites: the embed pages, the oEmbed endpoint, and the
"Embed" dialog that writes the snippet.

The embed pages show the same tree fragments as the debate page (`arguments/_claim.html`) as
an anonymous visitor's lens sees them (`Frame.EMBED`: no controls, links that stay inside the
embed): the embed ignores any session, so it behaves the same inside a sandboxed iframe,
which has no cookies.

Branches expand through fragment requests that the server allows cross-origin: a sandboxed
frame has the opaque origin "null", so `/embed/d/<slug>/claims/<id>/?part=branch` answers
with `Access-Control-Allow-Origin: *` (public, read-only, no credentials).
`static/js/embed-frame.js` drops htmx's custom headers so the request stays a CORS "simple
request" (no preflight; OPTIONS is answered anyway). Links to take part open in a new tab
(`<base target="_blank">`). Framing: see `views/framing.py`; private debates are not
embeddable (only through LTI, see arguments/lti).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import BadRequest, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from arguments import selectors, services
from arguments.reading.lens import Lens
from arguments.reading.links import Frame
from arguments.rules.permissions import Action
from arguments.rules.validation import clean_origin
from arguments.views.access import (
    MAX_ARIA_LEVEL,
    HtmxHttpRequest,
    id_from,
    lens_for,
    lens_to_manage,
    whole_number,
)
from arguments.views.fragments import tree_context
from arguments.views.maps import DEBATE_REACH, branch_reach

if TYPE_CHECKING:
    from arguments.structure.map_slice import MapReach
from arguments.views.framing import (
    MAX_DEPTH,
    EmbedOptionError,
    EmbedOptions,
    allow_cors,
    allow_framing,
    cors_preflight,
    embed_origins,
    frame_ancestors,
    frame_error,
    frame_page,
    refusal_to_frame,
)

PROVIDER_NAME = "Debate map"
# The size an oEmbed consumer gets unless it asks for less (maxwidth / maxheight).
OEMBED_WIDTH = 800
OEMBED_HEIGHT = 600
# The sandbox our snippet asks for: scripts (expand, resize) and new tabs (to take part),
# never same-origin rights, so the frame has no cookies, just as WordPress frames it.
SANDBOX = "allow-scripts allow-popups allow-popups-to-escape-sandbox"
# A private debate answers as if there were none: its slug (made from its title) must not
# tell an outsider that it exists. Its members learn why in the Embed dialog.
# The most claims an embed's tree shows (about two screens of its default 800x600 frame):
# `depth` levels deep or less, opened breadth-first; the claims left folded keep their counts,
# which open them in place (htmx) or as their own embed page (JavaScript off, an LMS frame).
# An embed then costs what a frame shows, whatever its `depth` and the debate's breadth.
SHOWN_AT_MOST = 40
NO_EMBED = gettext_lazy(
    "There is no embeddable debate at this address. (Private debates cannot be embedded; "
    "a course can show one through LTI.)"
)


class NotEmbeddable(Exception):
    """No debate at the address, or a private one: the same 404 either way."""


def _embed_lens(
    slug: str,
    query: str = "",
    *,
    around: int | None = None,
    map_reach: MapReach | None = None,
    levels: int | None = None,
) -> Lens:
    """An anonymous visitor's lens in an embed (`around` a claim: its branch or its page;
    `map_reach`: what its map draws; either read alone by a worker holding nothing, `levels`
    deep: the embed's `depth`; `levels` without `around`: the theses that deep);
    NotEmbeddable when there is none."""
    debate = selectors.debate_by_slug(slug)
    if debate is None:
        raise NotEmbeddable
    lens = Lens.visitor(
        debate, frame=Frame.EMBED, frame_query=query, around=around, map_reach=map_reach
    )
    if levels is not None:
        lens.levels = levels
        lens.first_screen_only = around is None
        lens.shows_at_most = SHOWN_AT_MOST
    if not lens.readable:
        raise NotEmbeddable
    return lens


def _embed(request: HttpRequest, slug: str, pk: int | None) -> HttpResponse:
    if request.method == "OPTIONS":
        return cors_preflight()
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD", "OPTIONS"])
    branch = request.GET.get("part") == "branch" and pk is not None
    try:
        options = EmbedOptions() if branch else EmbedOptions.from_query(request.GET)
    except EmbedOptionError as error:
        return frame_error(
            request,
            _("This embed address has a bad option: %(error)s") % {"error": error},
            status=400,
        )
    try:
        if branch:
            lens = _embed_lens(slug, options.query(), around=pk)
        elif options.is_map:  # what the map draws, read alone by a worker holding nothing
            drawn = DEBATE_REACH if pk is None else branch_reach(pk, tree=False)
            lens = _embed_lens(slug, options.query(), map_reach=drawn)
        else:  # the tree, `depth` levels open: read that deep around the claim or theses
            lens = _embed_lens(slug, options.query(), around=pk, levels=options.depth)
    except NotEmbeddable:
        return frame_error(request, str(NO_EMBED), status=404)
    if pk is not None and not lens.sees(pk):
        merged_into = lens.merged_into(pk)
        if merged_into is not None:  # a duplicate merged away: follow it, as the claim page does
            url = reverse("arguments:embed_claim", args=[lens.debate.slug, merged_into])
            query = request.GET.urlencode()
            return redirect(f"{url}?{query}" if query else url)
        return frame_error(request, _("There is no such claim in this debate."), status=404)
    if branch:
        # One level under a claim, for a toggle in the frame; `depth` is its aria-level here.
        try:
            depth = whole_number(request.GET, "depth", default=0, maximum=MAX_ARIA_LEVEL)
        except BadRequest as error:
            return frame_error(request, str(error), status=400)
        assert pk is not None
        context = tree_context(lens, item=lens.focus(pk, levels=1, depth=depth))
        response = render(request, "arguments/embed.html#branch", context)
    else:
        response = frame_page(request, lens, pk, options)
    return allow_cors(allow_framing(response, frame_ancestors(lens)))


@xframe_options_exempt
def embed_debate(request: HttpRequest, slug: str) -> HttpResponse:
    """A debate's argument map for another site's iframe: its theses, `depth` levels open."""
    return _embed(request, slug, None)


@xframe_options_exempt
def embed_claim(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One claim and its branch for another site's iframe; `?part=branch` gives one level."""
    return _embed(request, slug, pk)


@xframe_options_exempt
def embed_why(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A claim's strength explained, for the "Why?" link inside an embed: the fragment the
    debate page shows, as an anonymous visitor's lens sees it, allowed cross-origin."""
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    try:
        lens = _embed_lens(slug)
    except NotEmbeddable:
        return frame_error(request, _("There is no embeddable debate at this address."), status=404)
    why = lens.why(pk)
    if why is None:
        return frame_error(request, _("No strength for this claim."), status=404)
    response = render(request, "arguments/claim_why.html#why", {"lens": lens, "why": why})
    return allow_cors(allow_framing(response, frame_ancestors(lens)))


# oEmbed -----------------------------------------------------------------------------------


def _oembed_error(message: str, status: int) -> HttpResponse:
    return allow_cors(JsonResponse({"error": message}, status=status))


def _size(request: HttpRequest, name: str) -> int | None:
    """A maximum size in pixels the consumer asked for, or None."""
    try:
        size = whole_number(request.GET, name, default=0, maximum=100_000, minimum=1)
    except BadRequest:
        raise EmbedOptionError(f"{name} must be a positive whole number of pixels.") from None
    return size or None


def _our_hosts(request: HttpRequest) -> set[str]:
    hosts = {request.get_host()}
    hosts |= {h for h in settings.ALLOWED_HOSTS if h and not h.startswith(".") and h != "*"}
    return hosts


MAP_PAGES = {"debate_map", "claim_map"}


def _resolve_page(request: HttpRequest, url: str) -> tuple[str, int | None, str] | None:
    """(slug, claim id or None, the embed's options) for one of our debate, claim, map or
    embed URLs, else None. A map page embeds as a map; an embed URL keeps its options."""
    if not url_has_allowed_host_and_scheme(url, allowed_hosts=_our_hosts(request)):
        return None
    parts = urlsplit(url)
    if not parts.netloc:  # a bare path is not a URL a consumer would send
        return None
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        return None
    if match.namespace != "arguments" or match.url_name not in {
        "debate",
        "claim",
        "embed_debate",
        "embed_claim",
        *MAP_PAGES,
    }:
        return None
    if match.url_name in MAP_PAGES:
        query = EmbedOptions(view="map").query()
    elif match.url_name.startswith("embed_"):
        try:
            query = EmbedOptions.from_query(QueryDict(parts.query)).query()
        except EmbedOptionError:
            query = ""
    else:
        query = ""
    return match.kwargs["slug"], match.kwargs.get("pk"), query


def snippet(
    request: HttpRequest, embed_url: str, *, title: str, width: int | str, height: int
) -> str:
    """The HTML a host page pastes: the sandboxed iframe and our resize script."""
    # The unhashed name: pasted snippets must outlive deploys (hashed names change with them).
    script = request.build_absolute_uri(f"{settings.STATIC_URL}js/embed.js")
    return format_html(
        '<iframe src="{}" title="{}" width="{}" height="{}" style="border:0;max-width:100%" '
        'loading="lazy" sandbox="{}"></iframe>\n<script src="{}" async></script>',
        embed_url,
        (_("Argument map: %(title)s") % {"title": title})[:200],
        width,
        height,
        SANDBOX,
        script,
    )


def _embedded(lens: Lens, pk: int | None) -> tuple[str, str]:
    """(title, embed URL) of the debate or of one of its claims, in the embed lens's frame."""
    if pk is None:
        return lens.debate.title, lens.urls.home
    return lens.structure.nodes[pk].text, lens.claim_urls(pk).focus


def oembed(request: HttpRequest) -> HttpResponse:
    """oEmbed provider: a `rich` response whose html is the iframe of a debate or claim."""
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    if request.GET.get("format", "json") != "json":
        return _oembed_error("Only format=json is provided.", 501)
    url = request.GET.get("url", "").strip()
    if not url:
        return _oembed_error("The url parameter is required.", 400)
    try:
        maxwidth = _size(request, "maxwidth")
        maxheight = _size(request, "maxheight")
    except EmbedOptionError as error:
        return _oembed_error(str(error), 400)
    target = _resolve_page(request, url)
    if target is None:
        return _oembed_error("No debate or claim of this site at that url.", 404)
    slug, pk, query = target
    try:
        lens = _embed_lens(slug, query)
    except NotEmbeddable:
        return _oembed_error("No embeddable debate at that url.", 404)
    if pk is not None and not lens.sees(pk):
        return _oembed_error("No such claim in this debate.", 404)
    title, embed_url = _embedded(lens, pk)
    width = min(OEMBED_WIDTH, maxwidth or OEMBED_WIDTH)
    height = min(OEMBED_HEIGHT, maxheight or OEMBED_HEIGHT)
    body = {
        "version": "1.0",
        "type": "rich",
        "title": title,
        "provider_name": PROVIDER_NAME,
        "provider_url": request.build_absolute_uri("/"),
        "cache_age": 3600,
        "width": width,
        "height": height,
        "html": snippet(
            request, request.build_absolute_uri(embed_url), title=title, width=width, height=height
        ),
    }
    return allow_cors(JsonResponse(body))


# The Embed dialog -------------------------------------------------------------------------


@vary_on_headers("HX-Request")
def embed_dialog(
    request: HttpRequest,
    slug: str,
    *,
    lens: Lens | None = None,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The snippet to copy, the oEmbed URL, the options and a live preview, which sites may
    show it and whether the page it is meant for can; with htmx, only the dialog's body (the
    options form re-renders it as they change)."""
    lens = lens or lens_for(request, slug)
    given = request.GET.get("claim", "")
    pk = id_from(given)
    error = ""
    try:
        options = EmbedOptions.from_query(request.GET)
    except EmbedOptionError as bad:
        options, error = EmbedOptions(), str(bad)
    # What the embed shows is what a visitor sees.
    embedded = Lens.visitor(lens.debate, frame=Frame.EMBED, frame_query=options.query())
    if (given and pk is None) or (pk is not None and not embedded.sees(pk)):
        raise Http404("No such claim in this debate.")
    title, embed_path = _embedded(embedded, pk)
    page_url = request.build_absolute_uri(
        lens.claim_urls(pk).page if pk is not None else lens.urls.page
    )
    embed_url = request.build_absolute_uri(embed_path)
    context = {
        "lens": lens,
        "debate": lens.debate,
        "node": embedded.structure.nodes[pk] if pk is not None else None,
        "claim_page": lens.claim_urls(pk).page if pk is not None else "",
        "options": options,
        "error": error,
        "depth_choices": range(MAX_DEPTH + 1),
        "snippet": snippet(request, embed_url, title=title, width="100%", height=OEMBED_HEIGHT),
        "embed_url": embed_url,
        "preview_url": embed_path,
        "page_url": page_url,
        "oembed_url": request.build_absolute_uri(
            reverse("arguments:oembed") + "?" + urlencode({"url": page_url, "format": "json"})
        ),
        "origins": embed_origins(lens.debate),
        "may_configure": lens.may(Action.CONFIGURE_DEBATE),
        "origin_form_url": reverse("arguments:embed_origin_add", args=[lens.debate.slug]),
        **_where(lens, request.GET.get("where", "")),
        **(extra or {}),
        "lti": {
            "login": request.build_absolute_uri(reverse("lti:login")),
            "launch": request.build_absolute_uri(reverse("lti:launch")),
            "jwks": request.build_absolute_uri(reverse("lti:jwks")),
            "deep_link": request.build_absolute_uri(reverse("lti:launch")),
        },
    }
    template = "arguments/embed_dialog.html"
    if getattr(request, "htmx", False):
        template += "#dialog"
    return render(request, template, context, status=400 if error else status)


def _where(lens: Lens, where: str) -> dict[str, Any]:
    """What the dialog says of the page the snippet is meant for (`where`, an address the
    teacher typed): whether it can show the debate, and why not."""
    if not where.strip():
        return {"where": ""}
    try:
        origin = clean_origin(where)
    except ValidationError:
        return {"where": where, "where_refusal": _("That is not a page's address (https://…).")}
    return {"where": where, "where_origin": origin, "where_refusal": refusal_to_frame(lens, origin)}


@require_POST
def embed_origin_add(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The owner lets one more site embed the debate, from the Embed dialog (through
    `debate_configure`, as the settings page does)."""
    lens = lens_to_manage(request, slug, Action.CONFIGURE_DEBATE)
    assert isinstance(lens, Lens)  # a POST: never the login page
    origin = request.POST.get("origin", "")
    try:
        allowed = "\n".join([*embed_origins(lens.debate), clean_origin(origin)])
        services.debate_configure(actor=request.user, debate=lens.debate, embed_origins=allowed)
    except ValidationError as error:
        return embed_dialog(
            request, slug, lens=lens, status=422,
            extra={"origin_error": " ".join(error.messages), "origin_value": origin},
        )  # fmt: skip
    lens.refresh()
    if request.htmx:
        return embed_dialog(request, slug, lens=lens, extra={"origin_added": clean_origin(origin)})
    query = urlencode({"where": request.POST.get("where", "")}) if request.POST.get("where") else ""
    return redirect(lens.urls.embed + (f"?{query}" if query else ""))
