"""Template context shared by every page of a debate."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse


def claim_urls(request: HttpRequest) -> dict[str, str]:
    """`claims_url`, the prefix of the debate's claim URLs ("/d/<slug>/claims/").

    Tree templates build each claim's links from it: reversing a URL per link per claim cost
    more than rendering the claim itself (docs/PERFORMANCE.md).
    """
    match = request.resolver_match
    slug = match.kwargs.get("slug") if match else None
    if not slug:
        return {}
    return {"claims_url": reverse("arguments:debate", kwargs={"slug": slug}) + "claims/"}
