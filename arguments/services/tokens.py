"""Personal access tokens for the API: made and revoked by their owner on the profile page.

A token is a random secret shown once; only its SHA-256 is stored (`AccessToken.digest`), so a
copy of the database lends no one a reader's access. A token speaks for its owner only: it
reads what they see and, with the write scope, votes and writes notes through the same
services and permission function as the site's forms.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arguments.models import AccessToken

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser

# Marks the secret as ours (secret scanners and a reader's eye recognise it).
TOKEN_PREFIX = "dm_"
# Enough for anyone's scripts; a cap keeps a leaked session from minting thousands.
TOKENS_PER_ACCOUNT = 20


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(*, actor: AnyUser, name: str, scope: str) -> tuple[AccessToken, str]:
    """A new token of the signed-in actor's, and its secret (shown once, never stored)."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Sign in first."))
    name = " ".join(name.split())[:80]
    if not name:
        raise ValidationError(_("Name the token (what will use it?)."))
    if scope not in AccessToken.Scope.values:
        raise ValidationError(_("Choose read, or read and write."))
    live = AccessToken.objects.filter(user=actor, revoked_at__isnull=True)
    if live.count() >= TOKENS_PER_ACCOUNT:
        raise ValidationError(
            _("You have %(max)s tokens already; revoke one you no longer use.")
            % {"max": TOKENS_PER_ACCOUNT}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken.objects.create(
        user=actor, name=name, scope=scope, digest=token_digest(secret), prefix=secret[:10]
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor: AnyUser, token_id: int) -> None:
    """Revoke one of the actor's tokens for good (someone else's: PermissionDenied)."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("Sign in first."))
    updated = AccessToken.objects.filter(pk=token_id, user=actor, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated and not AccessToken.objects.filter(pk=token_id, user=actor).exists():
        raise PermissionDenied(_("That token is not yours."))


def token_used(token: AccessToken) -> None:
    """Stamp when a token was last used, at most once a minute (a write per API read would
    cost more than the read)."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
