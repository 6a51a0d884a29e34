"""What a reader follows and what they have heard of: the follow control's state, the
notifications page's lists, the bell's unread count. Reads only: following and marking read
are services (services/following.py); notices are written by live/notifications.py."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.core.cache import cache
from django.urls import reverse

from arguments.live.notifications import still_seen, unread_key
from arguments.models import Follow, Notification, NotificationSettings

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from arguments.reading.lens import Lens

BELL_SECONDS = 60  # how long a count may be stale in a worker that did not write it


def is_following(lens: Lens, claim_id: int | None) -> bool:
    """Whether the reader follows the debate (`claim_id` None) or this claim of it; one
    query, for signed-in readers only."""
    if lens.user_id is None:
        return False
    return Follow.objects.filter(user_id=lens.user_id, debate=lens.debate, claim=claim_id).exists()


def follow_context(
    lens: Lens, claim_id: int | None, next_url: str, *, following: bool | None = None
) -> dict[str, object]:
    """What `_follow.html` needs; `following` is asked of the database when not known."""
    slug = lens.debate.slug
    if claim_id is None:
        action = reverse("arguments:debate_follow", args=[slug])
    else:
        action = reverse("arguments:claim_follow", args=[slug, claim_id])
    if following is None:
        following = is_following(lens, claim_id)
    return {
        "action": action,
        "following": following,
        "signed_in": lens.user_id is not None,
        "what": "debate" if claim_id is None else "claim",
        "next": next_url,
        "sign_in": f"{reverse('account_login')}?{urlencode({'next': next_url})}",
        "feed": reverse("arguments:debate_feed", args=[slug]) if claim_id is None else "",
    }


def notifications_of(user: User, *, limit: int = 200) -> list[Notification]:
    """The reader's latest notices, newest first, with their debates: those whose claims they
    may still know of (a claim hidden since drops its notices, `still_seen`)."""
    notices = list(
        Notification.objects.filter(recipient=user)
        .select_related("debate")
        .order_by("-created_at", "-id")[:limit]
    )
    for notice in notices:
        notice.recipient = user  # the lens is the reader's, with no query for them
    return still_seen(notices)


def follows_of(user: User, *, limit: int = 200) -> list[Follow]:
    """What the reader follows, newest first, with the debates and claims."""
    return list(
        Follow.objects.filter(user=user)
        .select_related("debate", "claim")
        .order_by("-created_at")[:limit]
    )


def digest_of(user: User) -> str:
    """How often the reader is e-mailed their notices (daily until they choose)."""
    settings = NotificationSettings.objects.filter(user=user).first()
    return settings.digest if settings else NotificationSettings.Digest.DAILY


def unread_count(user_id: int) -> int:
    """The bell's count of the reader's unread notices: cached, and dropped by whatever
    changes it (a new notice, marking read)."""
    key = unread_key(user_id)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient_id=user_id, read_at=None).count()
        cache.set(key, count, BELL_SECONDS)
    return count
