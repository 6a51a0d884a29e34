"""The live-updates region of a debate's pages (`{% live_notice lens %}`)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from arguments.live import polls
from arguments.reading.lens import Lens

register = template.Library()


@register.inclusion_tag("arguments/_live_notice.html", takes_context=True)
def live_notice(context: template.Context, lens: Lens) -> dict[str, object]:
    """Where live.js polls from (with the page's versions and a ticket, bound to the reader
    and their session) and the empty, hidden region it fills: without JavaScript nothing
    shows, and reloading shows the news."""
    versions = polls.page_versions(lens)
    request = context.get("request")
    session = getattr(request, "session", None)
    ticket = polls.ticket_for(
        lens.debate.pk,
        user_id=lens.user_id,
        session_key=session.session_key if session is not None else None,
    )
    query = urlencode({"since": versions.token, "ticket": ticket})
    poll = reverse("arguments:debate_live", args=[lens.debate.slug])
    return {
        "poll_url": f"{poll}?{query}",
        "etag": versions.etag,
        "seconds": polls.POLL_SECONDS,
    }
