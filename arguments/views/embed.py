"""Embedding argument maps in other sites: the embed pages, the oEmbed endpoint, and the
"Embed" dialog that writes the snippet.

The embed pages show the same tree fragments as the debate page (`arguments/_claim.html`),
read-only (`Controls()`), as an anonymous visitor would see them: the embed ignores any
session, so it behaves the same inside a sandboxed iframe, which has no cookies.

Branches expand through fragment requests that the server allows cross-origin: a sandboxed
frame has the opaque origin "null", so `/embed/d/<slug>/claims/<id>/?part=branch` answers
with `Access-Control-Allow-Origin: *` (public, read-only, no credentials).
`static/js/embed-frame.js` points the tree's toggles at that URL and drops htmx's custom
headers so the request stays a CORS "simple request" (no preflight; OPTIONS is answered
anyway). Following a claim navigates the frame to that claim's embed page; links to take
part open in a new tab (`<base target="_blank">`).

Framing: these pages replace the site-wide `frame-ancestors 'none'` by the debate's
allow-list (`Debate.embed_origins`), or any https origin when the list is empty. Private
debates are not embeddable (only through LTI, see arguments/lti).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.csp import CSP
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.clickjacking import xframe_options_exempt
from django_htmx.middleware import HtmxDetails

from arguments.models import Claim, Debate, Role
from arguments.permissions import role_in
from arguments.selectors import debate_structure
from arguments.tree import ORDERS, Reader, build_item
from arguments.views.access import Controls, debate_for, visible_claim
from arguments.views.votes import claim_why

PROVIDER_NAME = "Debate map"
DEFAULT_DEPTH = 2  # the debate page shows the same: a thesis, its pros and cons and theirs
MAX_DEPTH = 6
THEMES = ("light", "dark")
# The size an oEmbed consumer gets unless it asks for less (maxwidth / maxheight).
OEMBED_WIDTH = 800
OEMBED_HEIGHT = 600
# The sandbox our snippet asks for: scripts (expand, resize) and new tabs (to take part),
# never same-origin rights, so the frame has no cookies, just as WordPress frames it.
SANDBOX = "allow-scripts allow-popups allow-popups-to-escape-sandbox"

# One origin per line in Debate.embed_origins: scheme://host[:port], host may start "*.".
# Anything else is ignored, so a stray line can never inject another CSP directive.
ORIGIN_RE = re.compile(r"^https?://(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$")
# CORS: the sandboxed frame's origin is "null"; htmx's headers, should they be sent.
CORS_ALLOW_HEADERS = "HX-Request, HX-Current-URL, HX-Target, HX-Trigger, HX-Trigger-Name"


class EmbedOptionError(ValueError):
    """An embed option with a value we do not know (shown to whoever wrote the URL)."""


@dataclass(frozen=True)
class EmbedOptions:
    """What the query string may say about an embed: how deep it opens, its theme, its header."""

    depth: int = DEFAULT_DEPTH
    theme: str = "light"
    header: bool = True

    @classmethod
    def from_query(cls, query: dict[str, str] | object) -> EmbedOptions:
        get = query.get  # type: ignore[attr-defined]
        depth_text = get("depth", str(DEFAULT_DEPTH)).strip()
        if not depth_text.isdigit() or int(depth_text) > MAX_DEPTH:
            raise EmbedOptionError(f"depth must be a whole number from 0 to {MAX_DEPTH}.")
        theme = get("theme", "light").strip()
        if theme not in THEMES:
            raise EmbedOptionError("theme must be light or dark.")
        header_text = get("header", "1").strip().lower()
        if header_text not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
            raise EmbedOptionError("header must be 1 (show) or 0 (hide).")
        return cls(
            depth=int(depth_text), theme=theme, header=header_text in {"1", "true", "yes", "on"}
        )

    def query(self) -> str:
        """The non-default options as a query string (empty when all are defaults)."""
        params: dict[str, object] = {}
        if self.depth != DEFAULT_DEPTH:
            params["depth"] = self.depth
        if self.theme != "light":
            params["theme"] = self.theme
        if not self.header:
            params["header"] = 0
        return urlencode(params)


# Framing policy ---------------------------------------------------------------------------


def embed_origins(debate: Debate) -> list[str]:
    """The valid origins of the debate's allow-list, lower-cased, in order, no duplicates."""
    origins: list[str] = []
    for line in debate.embed_origins.splitlines():
        origin = line.strip().rstrip("/").lower()
        if ORIGIN_RE.match(origin) and origin not in origins:
            origins.append(origin)
    return origins


def frame_ancestors(debate: Debate) -> list[str]:
    """Who may frame this debate's embed: its allow-list, else any https origin; always
    ourselves (the Embed dialog's live preview). Private debates: nobody."""
    if debate.visibility == Debate.Visibility.PRIVATE:
        return [CSP.NONE]
    return [CSP.SELF, *(embed_origins(debate) or ["https:"])]


def allow_framing(response: HttpResponse, ancestors: list[str]) -> HttpResponse:
    """Replace the site-wide `frame-ancestors 'none'` for this response (what Django's
    `csp_override` decorator does, with a value computed per request)."""
    response._csp_config = {"frame-ancestors": ancestors}  # type: ignore[attr-defined]
    return response


def allow_cors(response: HttpResponse) -> HttpResponse:
    """Public, read-only content for a sandboxed frame (origin "null"), never with cookies."""
    response["Access-Control-Allow-Origin"] = "*"
    return response


def embed_error(request: HttpRequest, message: str, *, status: int) -> HttpResponse:
    """A short error page that may show inside any frame (it holds nothing to click)."""
    response = render(request, "arguments/embed_error.html", {"message": message}, status=status)
    return allow_cors(allow_framing(response, ["*"]))


# Embed pages ------------------------------------------------------------------------------

ANONYMOUS = AnonymousUser()
READER = Reader()  # an anonymous reader: published claims only


def _embed_context(debate: Debate, options: EmbedOptions, **extra: object) -> dict[str, object]:
    return {
        "debate": debate,
        "role": Role.VIEWER,
        "can": Controls(),  # read-only: no write control in an embed
        "order": "stored",
        "orders": ORDERS,
        "notices": {},
        "options": options,
        "options_query": options.query(),
        "mode": "embed",
        "prefix": "/embed",
        **extra,
    }


def _embed(request: HttpRequest, slug: str, pk: int | None) -> HttpResponse:
    if request.method == "OPTIONS":  # a CORS preflight, should a client send custom headers
        response = allow_cors(HttpResponse(status=204))
        response["Access-Control-Allow-Methods"] = "GET, OPTIONS"
        response["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
        response["Access-Control-Max-Age"] = "86400"
        return response
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD", "OPTIONS"])
    debate = Debate.objects.filter(slug=slug).first()
    if debate is None:
        return embed_error(request, "There is no debate at this address.", status=404)
    if role_in(ANONYMOUS, debate) is None:
        return embed_error(
            request,
            "This debate is private, so it cannot be embedded. "
            "A course can show it through LTI (see the teacher's guide).",
            status=403,
        )
    structure = debate_structure(debate)
    if pk is not None and not visible_claim(structure, READER, pk):
        merged = Claim.objects.filter(pk=pk, debate=debate).values_list("merged_into", flat=True)
        if merged and merged[0]:  # a duplicate merged away: follow it, as the claim page does
            url = reverse("arguments:embed_claim", args=[debate.slug, merged[0]])
            query = request.GET.urlencode()
            return redirect(f"{url}?{query}" if query else url)
        return embed_error(request, "There is no such claim in this debate.", status=404)

    if request.GET.get("part") == "branch" and pk is not None:
        # One level under a claim, for a toggle in the frame; `depth` is its aria-level here.
        depth = request.GET.get("depth", "0")
        level = min(int(depth), 1000) if depth.isdigit() else 0
        edge = structure.original.get(pk)
        item = build_item(structure, pk, edge=edge, reader=READER, depth=level, levels=1)
        context = _embed_context(debate, EmbedOptions(), item=item)
        response = render(request, "arguments/embed.html#branch", context)
        return allow_cors(allow_framing(response, frame_ancestors(debate)))

    try:
        options = EmbedOptions.from_query(request.GET)
    except EmbedOptionError as error:
        return embed_error(request, f"This embed address has a bad option: {error}", status=400)
    if pk is None:
        items = [
            build_item(structure, thesis_id, edge=None, reader=READER, levels=options.depth)
            for thesis_id in structure.theses
            if structure.nodes[thesis_id].status == "published"
        ]
        page_url = debate.get_absolute_url()
        title = debate.title
    else:
        items = [build_item(structure, pk, edge=None, reader=READER, levels=options.depth)]
        page_url = reverse("arguments:claim", args=[debate.slug, pk])
        title = structure.nodes[pk].text
    context = _embed_context(
        debate,
        options,
        items=items,
        title=title,
        page_url=request.build_absolute_uri(page_url),
        focus=structure.nodes[pk] if pk is not None else None,
        debate_url=reverse("arguments:embed_debate", args=[debate.slug])
        + (f"?{options.query()}" if options.query() else ""),
    )
    response = render(request, "arguments/embed.html", context)
    return allow_cors(allow_framing(response, frame_ancestors(debate)))


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
    """A claim's strength explained, for the "Why?" link inside an embed: the debate page's
    own view, read as an anonymous visitor, its fragment, allowed cross-origin."""
    if request.method not in {"GET", "HEAD"}:
        return HttpResponseNotAllowed(["GET", "HEAD"])
    debate = Debate.objects.filter(slug=slug).first()
    if debate is None or role_in(ANONYMOUS, debate) is None:
        return embed_error(request, "There is no embeddable debate at this address.", status=404)
    # The frame sends no cookie and, to stay a CORS simple request, no htmx header.
    request.user = ANONYMOUS
    request.META["HTTP_HX_REQUEST"] = "true"
    request.htmx = HtmxDetails(request)  # type: ignore[attr-defined]
    response = claim_why(request, slug, pk)
    return allow_cors(allow_framing(response, frame_ancestors(debate)))


# oEmbed -----------------------------------------------------------------------------------


def _oembed_error(message: str, status: int) -> JsonResponse:
    return allow_cors(JsonResponse({"error": message}, status=status))  # type: ignore[return-value]


def _size(value: str | None, name: str) -> int | None:
    if value is None or value.strip() == "":
        return None
    value = value.strip()
    if not value.isdigit() or int(value) < 1:
        raise EmbedOptionError(f"{name} must be a positive whole number of pixels.")
    return int(value)


def _our_hosts(request: HttpRequest) -> set[str]:
    hosts = {request.get_host()}
    hosts |= {h for h in settings.ALLOWED_HOSTS if h and not h.startswith(".") and h != "*"}
    return hosts


def _resolve_page(request: HttpRequest, url: str) -> tuple[str, int | None] | None:
    """(slug, claim id or None) for one of our debate, claim or embed URLs, else None."""
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
    }:
        return None
    return match.kwargs["slug"], match.kwargs.get("pk")


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
        f"Argument map: {title}"[:200],
        width,
        height,
        SANDBOX,
        script,
    )


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
        maxwidth = _size(request.GET.get("maxwidth"), "maxwidth")
        maxheight = _size(request.GET.get("maxheight"), "maxheight")
    except EmbedOptionError as error:
        return _oembed_error(str(error), 400)
    target = _resolve_page(request, url)
    if target is None:
        return _oembed_error("No debate or claim of this site at that url.", 404)
    slug, pk = target
    debate = Debate.objects.filter(slug=slug).first()
    if debate is None:
        return _oembed_error("No debate at that url.", 404)
    if role_in(ANONYMOUS, debate) is None:
        return _oembed_error("This debate is private; it cannot be embedded.", 401)
    if pk is None:
        title = debate.title
        embed_url = reverse("arguments:embed_debate", args=[slug])
    else:
        structure = debate_structure(debate)
        if not visible_claim(structure, READER, pk):
            return _oembed_error("No such claim in this debate.", 404)
        title = structure.nodes[pk].text
        embed_url = reverse("arguments:embed_claim", args=[slug, pk])
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


def embed_dialog(request: HttpRequest, slug: str) -> HttpResponse:
    """The snippet to copy, the oEmbed URL, the options and a live preview; with htmx, only
    the dialog's body (the options form re-renders it as they change)."""
    debate, _role = debate_for(request, slug)
    claim_text = request.GET.get("claim", "").strip()
    pk = int(claim_text) if claim_text.isdigit() else None
    if claim_text and pk is None:
        raise Http404("No such claim in this debate.")
    node = None
    if pk is not None:
        structure = debate_structure(debate)
        if not visible_claim(structure, READER, pk):
            raise Http404("No such claim in this debate.")
        node = structure.nodes[pk]
    error = ""
    try:
        options = EmbedOptions.from_query(request.GET)
    except EmbedOptionError as bad:
        options, error = EmbedOptions(), str(bad)
    if node is None:
        page_path = debate.get_absolute_url()
        embed_path = reverse("arguments:embed_debate", args=[debate.slug])
        title = debate.title
    else:
        page_path = reverse("arguments:claim", args=[debate.slug, node.id])
        embed_path = reverse("arguments:embed_claim", args=[debate.slug, node.id])
        title = node.text
    query = options.query()
    embed_url = request.build_absolute_uri(embed_path + (f"?{query}" if query else ""))
    page_url = request.build_absolute_uri(page_path)
    context = {
        "debate": debate,
        "node": node,
        "options": options,
        "error": error,
        "depth_choices": range(MAX_DEPTH + 1),
        "embeddable": debate.visibility != Debate.Visibility.PRIVATE,
        "snippet": snippet(request, embed_url, title=title, width="100%", height=OEMBED_HEIGHT),
        "embed_url": embed_url,
        "preview_url": embed_path + (f"?{query}" if query else ""),
        "page_url": page_url,
        "oembed_url": request.build_absolute_uri(
            reverse("arguments:oembed") + "?" + urlencode({"url": page_url, "format": "json"})
        ),
        "origins": embed_origins(debate),
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
    return render(request, template, context, status=400 if error else 200)
