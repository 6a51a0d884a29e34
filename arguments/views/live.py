"""Live updates on a debate's pages: the poll that answers "anything new since my page?",
and the debate's activity feed."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from arguments.live import polls
from arguments.reading import feed
from arguments.views.access import lens_for, whole_number
from arguments.views.fragments import page_context
from arguments.views.middleware import session_language, session_language_later


def _unchanged(etag: str) -> HttpResponse:
    response = HttpResponse(status=304)
    response["ETag"] = etag
    response["Cache-Control"] = "no-cache, private"
    return response


@require_GET
@session_language_later
def debate_live(request: HttpRequest, slug: str) -> HttpResponse:
    """A conditional GET: 304 while the debate's versions equal `If-None-Match`, else the
    notice of what changed since the page's `since` versions, counted through the lens.

    The 304 path reads one row and never the session or the user (a signed `ticket` from the
    page stands in for the permission check), so hundreds of idle readers cost little."""
    found = polls.current_versions(request.META, slug)  # read before Django, if it was
    if found is None:
        raise Http404("No debate here.")
    _debate_id, now = found
    unchanged = request.headers.get("If-None-Match", "") == now.etag
    if unchanged and polls.ticket_admits(request.GET.get("ticket", ""), request.META, slug):
        return _unchanged(now.etag)
    session_language(request)  # past the fast path: the notice has words
    lens = lens_for(request, slug)  # 404 for a debate the reader may not read
    if unchanged:
        return _unchanged(now.etag)
    since = polls.Versions.parse(request.GET.get("since", ""))
    if since is None:
        since = polls.page_versions(lens)  # nothing to compare with: nothing to announce
    own_votes = whole_number(request.GET, "own", default=0, maximum=10_000)
    own_writes = whole_number(request.GET, "wrote", default=0, maximum=10_000)
    summary = polls.changes_since(lens, since, own_votes=own_votes, own_writes=own_writes)
    context = page_context(lens, summary=summary)
    response = render(request, "arguments/_live_notice.html#notice", context)
    response["ETag"] = polls.page_versions(lens).etag
    response["Cache-Control"] = "no-cache, private"
    return response


@require_GET
def debate_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """The debate's recent activity, as this reader may see it; `person` and `kind` filter."""
    lens = lens_for(request, slug)
    kind = request.GET.get("kind", "")
    if kind not in feed.KINDS:
        kind = ""
    person = request.GET.get("person", "").strip()[:150]
    items, people = feed.debate_feed(lens, kind=kind, person=person)
    context = page_context(
        lens, items=items, people=people, person=person, kind=kind, kinds=feed.KINDS
    )
    return render(request, "arguments/debate_feed.html", context)
