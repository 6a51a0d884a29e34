"""Following a debate or a claim, and the reader's notifications (read, settings)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arguments.live.notifications import unread_key
from arguments.models import Claim, Debate, Follow, Notification, NotificationSettings
from arguments.rules.permissions import role_in
from arguments.services.guards import sees_where_it_stands

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser


def follow_set(*, user: AnyUser, debate: Debate, claim: Claim | None, on: bool) -> bool:
    """Follow (`on`) or stop following a debate, or one claim of it, that the reader sees.
    Returns whether they follow it now; following twice or leaving twice changes nothing."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to follow a debate."))
    if on:
        role = role_in(user, debate)
        seen = role is not None and (
            claim is None or sees_where_it_stands(role, user.pk, debate, claim.pk)
        )
        if not seen:
            raise PermissionDenied(_("You cannot follow what you cannot read."))
    found = Follow.objects.filter(user=user, debate=debate, claim=claim)
    if not on:
        found.delete()
        return False
    try:
        with transaction.atomic():
            Follow.objects.get_or_create(user=user, debate=debate, claim=claim)
    except IntegrityError:  # a double click raced: the other request followed it
        pass
    return True


def follow_drop(*, user: User, follow_id: int) -> None:
    """Stop following, from the list of what I follow (even what I may no longer read)."""
    Follow.objects.filter(user=user, pk=follow_id).delete()


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark my notifications read: these (`ids`), or all of them."""
    unread = Notification.objects.filter(recipient=user, read_at=None)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    count = unread.update(read_at=timezone.now())
    cache.delete(unread_key(user.pk))
    return count


def digest_choose(*, user: User, digest: str) -> NotificationSettings:
    """How often I want my notifications by e-mail (off, immediately, daily, weekly)."""
    return _digest_save(user.pk, digest)


def digest_unsubscribe(*, user_id: int) -> NotificationSettings:
    """No more e-mails, for whoever an unsubscribe link names: no sign-in, so only their id
    is known (the link's signed token is the authority, live/digests.py)."""
    return _digest_save(user_id, NotificationSettings.Digest.OFF)


def _digest_save(user_id: int, digest: str) -> NotificationSettings:
    if digest not in NotificationSettings.Digest.values:
        raise ValidationError({"digest": _("Choose how often to be e-mailed.")})
    settings, _created = NotificationSettings.objects.update_or_create(
        user_id=user_id, defaults={"digest": digest}
    )
    return settings
