"""The names a writer may mention, for the "@name" autocomplete of claim and note forms
(static/js/mentions.js). Without JavaScript one types the name; nothing depends on this."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from arguments.reading.mentions import mentionable
from arguments.views.access import lens_for


@require_GET
def mention_names(request: HttpRequest, slug: str) -> JsonResponse:
    """`?q=` a name's beginning: up to eight names the reader already sees in the debate."""
    lens = lens_for(request, slug)
    if not request.user.is_authenticated:
        raise PermissionDenied(_("Sign in first."))
    prefix = request.GET.get("q", "")[:60]
    names = [{"name": m.name, "insert": m.insert} for m in mentionable(lens, prefix)]
    return JsonResponse({"names": names})
