"""The opinion map (`/d/<slug>/opinions/`, issue 33): who votes alike, where the groups
agree and where they split. It reads the map the task worker stored; it never computes."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from arguments.explore import opinions
from arguments.views.access import lens_for
from arguments.views.fragments import page_context


def dots_svg(page: opinions.OpinionPage) -> SafeString:
    """The scatter's dots, drawn here rather than by a template loop, which cost 300 ms for
    1,000 voters (three filters per dot). Numbers only: nothing to escape."""
    return mark_safe(
        "".join(
            f'<circle class="dot og-{dot.group:d}" cx="{dot.x:.1f}" cy="{dot.y:.1f}" r="5"/>'
            for dot in page.dots
        )
    )


@require_GET
def debate_opinions(request: HttpRequest, slug: str) -> HttpResponse:
    """The opinion page; a 403 saying why while guided voting waits for the reader's vote."""
    lens = lens_for(request, slug)
    template = "arguments/debate_opinions.html"
    if opinions.waits_for_vote(lens):
        context = page_context(lens, waits=True, signed_in=lens.user_id is not None)
        return render(request, template, context, status=403)
    page = opinions.opinion_page(lens, opinions.stored_map(lens.debate.pk))
    return render(request, template, page_context(lens, page=page, dots=dots_svg(page)))
