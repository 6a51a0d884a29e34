"""Personal access tokens for the API, made and revoked on the profile page (docs/API.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from arguments import selectors, services
from arguments.models import AccessToken
from arguments.views.access import SignedInRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def profile_context(user: User, **extra: object) -> dict[str, object]:
    """The profile page's lists: my debates, my claims, my API tokens."""
    return {
        "debates": selectors.debates_of(user),
        "claims": selectors.claims_by(user),
        "tokens": selectors.tokens_of(user),
        "scopes": AccessToken.Scope.choices,
        **extra,
    }


@login_required
@require_POST
def token_create(request: SignedInRequest) -> HttpResponse:
    """Make a token and show its secret once, on the page this answer is (never in a
    redirect, a message or a log: only its digest is kept)."""
    try:
        token, secret = services.token_create(
            actor=request.user,
            name=request.POST.get("name", ""),
            scope=request.POST.get("scope", ""),
        )
    except ValidationError as error:
        context = profile_context(request.user, token_error=" ".join(error.messages))
        return render(request, "arguments/profile.html", context, status=422)
    context = profile_context(request.user, new_token=token, new_secret=secret)
    response = render(request, "arguments/profile.html", context, status=201)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: SignedInRequest, token_id: int) -> HttpResponse:
    services.token_revoke(actor=request.user, token_id=token_id)
    messages.success(request, _("The token is revoked: it no longer works."))
    return redirect(reverse("arguments:profile") + "#tokens")
