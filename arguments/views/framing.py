"""Pages shown inside other sites' frames (embeds, LMS courses): who may frame them, the
cross-origin answers a sandboxed frame needs, their options, and the page itself, built from
the reader's lens like the debate page.

Only these pages may be framed. Everything else sends `frame-ancestors 'none'` (Django's CSP
middleware, settings.SECURE_CSP) and `X-Frame-Options: DENY`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.csp import CSP
from django.utils.translation import gettext as _

from arguments.models import Debate
from arguments.reading.lens import Lens
from arguments.rules.validation import ORIGIN_RE
from arguments.views.access import whole_number
from arguments.views.fragments import tree_context
from arguments.views.maps import embedded_map

DEFAULT_DEPTH = 2  # the debate page shows the same: a thesis, its pros and cons and theirs
MAX_DEPTH = 6
THEMES = ("light", "dark")
VIEWS = ("tree", "map")  # the text tree, or the argument map (a sunburst)
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
    view: str = "tree"

    @classmethod
    def from_query(cls, query: QueryDict) -> EmbedOptions:
        try:
            depth = whole_number(query, "depth", default=DEFAULT_DEPTH, maximum=MAX_DEPTH)
        except BadRequest as error:
            raise EmbedOptionError(str(error)) from None
        theme = query.get("theme", "light").strip()
        if theme not in THEMES:
            raise EmbedOptionError("theme must be light or dark.")
        header_text = query.get("header", "1").strip().lower()
        if header_text not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
            raise EmbedOptionError("header must be 1 (show) or 0 (hide).")
        view = query.get("view", "tree").strip()
        if view not in VIEWS:
            raise EmbedOptionError("view must be tree or map.")
        header = header_text in {"1", "true", "yes", "on"}
        return cls(depth=depth, theme=theme, header=header, view=view)

    def query(self) -> str:
        """The non-default options as a query string (empty when all are defaults)."""
        params: dict[str, object] = {}
        if self.depth != DEFAULT_DEPTH:
            params["depth"] = self.depth
        if self.theme != "light":
            params["theme"] = self.theme
        if not self.header:
            params["header"] = 0
        if self.view != "tree":
            params["view"] = self.view
        return urlencode(params)

    @property
    def is_map(self) -> bool:
        return self.view == "map"

    @property
    def is_dark(self) -> bool:
        return self.theme == "dark"


def embed_origins(debate: Debate) -> list[str]:
    """The valid origins of the debate's allow-list, lower-cased, in order, no duplicates."""
    origins: list[str] = []
    for line in debate.embed_origins.splitlines():
        origin = line.strip().rstrip("/").lower()
        if ORIGIN_RE.match(origin) and origin not in origins:
            origins.append(origin)
    return origins


def refusal_to_frame(lens: Lens, origin: str) -> str:
    """Why a page of `origin` could not show this debate's embed ("" when it can), in the
    words of the rule `frame_ancestors` gives browsers: asked by the Embed dialog before a
    teacher pastes the snippet."""
    if not lens.embeddable:
        return _("This debate is private: no other site may show it.")
    origins = embed_origins(lens.debate)
    if not origins:
        if origin.startswith("https://"):
            return ""
        return _(
            "Only https pages may show this debate, and this page is served over plain http. "
            "Add its site to the list below, or serve the page over https."
        )
    scheme, _sep, host = origin.partition("://")
    for allowed in origins:
        allowed_scheme, _sep, allowed_host = allowed.partition("://")
        if allowed == origin or (
            allowed_host.startswith("*.")
            and allowed_scheme == scheme
            and host.endswith(allowed_host[1:])
        ):
            return ""
    return _(
        "%(origin)s is not among the sites that may show this debate: add it to the list below."
    ) % {"origin": origin}


def frame_ancestors(lens: Lens) -> list[str]:
    """Who may frame this debate's embed: its allow-list, else any https origin; always
    ourselves (the Embed dialog's live preview). Private debates: nobody."""
    if not lens.embeddable:
        return [CSP.NONE]
    return [CSP.SELF, *(embed_origins(lens.debate) or ["https:"])]


def allow_framing(response: HttpResponse, ancestors: list[str]) -> HttpResponse:
    """Replace the site-wide `frame-ancestors 'none'` for this response (what Django's
    `csp_override` decorator does, with a value computed per request)."""
    policy = {**settings.SECURE_CSP, "frame-ancestors": ancestors}
    # Django's middleware reads `_csp_config` with getattr; the stubs omit it.
    response._csp_config = policy  # type: ignore[attr-defined]
    return response


def allow_cors(response: HttpResponse) -> HttpResponse:
    """Public, read-only content for a sandboxed frame (origin "null"), never with cookies."""
    response["Access-Control-Allow-Origin"] = "*"
    return response


def cors_preflight() -> HttpResponse:
    """The answer to a CORS preflight, should a client send custom headers."""
    response = allow_cors(HttpResponse(status=204))
    response["Access-Control-Allow-Methods"] = "GET, OPTIONS"
    response["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
    response["Access-Control-Max-Age"] = "86400"
    return response


def frame_error(
    request: HttpRequest, message: str, *, status: int, details: str = ""
) -> HttpResponse:
    """A short error page that may show inside any frame (it holds nothing to click)."""
    context = {"message": message, "details": details}
    response = render(request, "arguments/embed_error.html", context, status=status)
    return allow_cors(allow_framing(response, ["*"]))


def frame_page(
    request: HttpRequest,
    lens: Lens,
    claim_id: int | None,
    options: EmbedOptions,
    *,
    course_url: str = "",
) -> HttpResponse:
    """The map inside a frame: the debate's theses, or one claim and its branch, `depth`
    levels open; `course_url` is an LMS course page to go back to. The caller sets who may
    frame it."""
    if options.is_map:
        drawn = embedded_map(lens, claim_id)
        return _frame_render(request, lens, claim_id, options, drawn, course_url)
    return _frame_render(request, lens, claim_id, options, None, course_url)


def _frame_render(
    request: HttpRequest,
    lens: Lens,
    claim_id: int | None,
    options: EmbedOptions,
    drawn: str | None,
    course_url: str,
) -> HttpResponse:
    if claim_id is None:
        items = [] if drawn else lens.theses(options.depth)
        page_url, title, focus = lens.urls.page, lens.debate.title, None
    else:
        items = [] if drawn else [lens.focus(claim_id, levels=options.depth)]
        node = lens.structure.nodes[claim_id]
        page_url, title, focus = lens.claim_urls(claim_id).page, node.text, node
    context = tree_context(
        lens,
        items=items,
        drawn_map=drawn,
        options=options,
        title=title,
        focus=focus,
        # Taking part happens on the site itself, in a new tab.
        page_url=request.build_absolute_uri(page_url),
        course_url=course_url,
    )
    return render(request, "arguments/embed.html", context)
