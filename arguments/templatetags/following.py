"""Follow controls: `{% follow_control lens %}` for the debate, `{% follow_control lens
claim_id %}` for one claim (the header's bell is a view, loaded by htmx)."""

from __future__ import annotations

from django import template

from arguments.live.following import follow_context
from arguments.reading.lens import Lens

register = template.Library()


@register.inclusion_tag("arguments/_follow.html", takes_context=True)
def follow_control(context: template.Context, lens: Lens, claim_id: int | None = None) -> dict:
    request = context.get("request")
    next_url = request.get_full_path() if request is not None else lens.urls.page
    return follow_context(lens, claim_id, next_url)
