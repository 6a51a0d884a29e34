"""Follow controls (`{% follow_control lens %}`, `{% follow_control lens claim_id %}`) and the
header's bell (`{% notification_bell %}`)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from arguments.models import Follow
from arguments.reading.lens import Lens

register = template.Library()


def follow_context(
    lens: Lens, claim_id: int | None, next_url: str, *, following: bool | None = None
) -> dict[str, object]:
    """What `_follow.html` needs; `following` is asked of the database when not known."""
    slug = lens.debate.slug
    if claim_id is None:
        action = reverse("arguments:debate_follow", args=[slug])
    else:
        action = reverse("arguments:claim_follow", args=[slug, claim_id])
    if following is None and lens.user_id is not None:
        found = Follow.objects.filter(user_id=lens.user_id, debate=lens.debate, claim=claim_id)
        following = found.exists()  # one query, for signed-in readers only
    return {
        "action": action,
        "following": bool(following),
        "signed_in": lens.user_id is not None,
        "what": "debate" if claim_id is None else "claim",
        "next": next_url,
        "sign_in": f"{reverse('account_login')}?{urlencode({'next': next_url})}",
        "feed": reverse("arguments:debate_feed", args=[slug]) if claim_id is None else "",
    }


@register.inclusion_tag("arguments/_follow.html", takes_context=True)
def follow_control(context: template.Context, lens: Lens, claim_id: int | None = None) -> dict:
    request = context.get("request")
    next_url = request.get_full_path() if request is not None else lens.urls.page
    return follow_context(lens, claim_id, next_url)
