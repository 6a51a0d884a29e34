"""E-mail digests of notifications: who is due one, what it says, and its one-click
unsubscribe (a signed token: no sign-in needed, nothing stored).

`send_digests()` is what the scheduler's `manage.py send_digests` runs. It is safe to run
twice, or twice at once: each reader's digest is built and marked sent (`emailed_at`) under a
lock on their settings row, and only notices not yet e-mailed are picked. A mail server that
fails leaves the transaction rolled back, so the notices wait for the next run; a digest that
cannot be sent is logged and skipped, never the others' (one reader's bad notice once stopped
every digest of every run).

A digest is written in its reader's language (their profile's, else the site's), like the
notices it lists, which were made in it when they happened.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from arguments import selectors
from arguments.live.notifications import still_seen
from arguments.models import Notification, NotificationSettings

logger = logging.getLogger(__name__)

Digest = NotificationSettings.Digest
# The module's old path, kept: links already sent stay valid.
UNSUBSCRIBE_SALT = "arguments.digests.unsubscribe"
EVERY = {
    Digest.IMMEDIATELY: timedelta(0),
    Digest.DAILY: timedelta(days=1),
    Digest.WEEKLY: timedelta(days=7),
}
MAX_ITEMS = 50  # a digest lists at most this many notices (the page has them all)


def token_for(user_id: int) -> str:
    return signing.dumps(user_id, salt=UNSUBSCRIBE_SALT)


def user_of(token: str) -> int | None:
    """Whose unsubscribe token this is, or None when it is not one of ours."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def unsubscribe_url(user_id: int) -> str:
    return settings.SITE_URL + reverse("arguments:unsubscribe", args=[token_for(user_id)])


@dataclass(frozen=True)
class Sent:
    readers: int
    notices: int
    failed: int = 0  # readers whose digest could not be sent this run (logged)


SUBJECT_LENGTH = 120


def subject_of(text: str) -> str:
    """A one-notice digest's subject: the notice's words on one line (a header may hold no
    line break: a reply "ok\\nBcc: …" must neither fail the mail nor add a header)."""
    return " ".join(text.split())[:SUBJECT_LENGTH]


def _due(choice: NotificationSettings, now: datetime) -> bool:
    if choice.digest == Digest.OFF:
        return False
    last = choice.last_digest_at
    return last is None or now - last >= EVERY[Digest(choice.digest)]


def _message(user, notices: list[Notification]) -> EmailMessage:
    """The digest's e-mail, in the language active (`_send_one` sets the reader's)."""
    unsubscribe = unsubscribe_url(user.pk)
    count = len(notices)
    lines = [
        _("Hello %(name)s,") % {"name": user.get_username()},
        "",
        ngettext(
            "%(count)s new notification in your debates:",
            "%(count)s new notifications in your debates:",
            count,
        )
        % {"count": count},
        "",
    ]
    for notice in notices[:MAX_ITEMS]:
        when = formats.date_format(timezone.localtime(notice.created_at), "SHORT_DATETIME_FORMAT")
        lines.append(f"- {notice.text} ({when})")
        if notice.note:
            lines.append("  " + _("Moderator's note: %(note)s") % {"note": notice.note})
        lines.append(f"  {settings.SITE_URL}{notice.url}")
    if count > MAX_ITEMS:
        more = count - MAX_ITEMS
        lines.append(
            ngettext("… and %(count)s more.", "… and %(count)s more.", more) % {"count": more}
        )
    lines += [
        "",
        _("All your notifications: %(url)s")
        % {"url": settings.SITE_URL + reverse("arguments:notifications")},
        _("Stop these e-mails (one click): %(url)s") % {"url": unsubscribe},
    ]
    return EmailMessage(
        subject=ngettext(
            "%(count)s new notification in your debates",
            "%(count)s new notifications in your debates",
            count,
        )
        % {"count": count}
        if count > 1
        else subject_of(notices[0].text),
        body="\n".join(lines),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def send_digests(now: datetime | None = None) -> Sent:
    """E-mail every reader who is due a digest the notices not e-mailed yet."""
    now = now or timezone.now()
    waiting = (
        Notification.objects.filter(emailed_at=None, read_at=None)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    readers = notices = failed = 0
    for user in get_user_model().objects.filter(pk__in=list(waiting)).exclude(email=""):
        try:
            sent = _send_one(user, now)
        except Exception:  # one reader's digest never stops the others': logged, next run
            logger.exception("Digest for user %s could not be sent", user.pk)
            failed += 1
            continue
        if sent:
            readers += 1
            notices += sent
    return Sent(readers, notices, failed)


def _send_one(user, now: datetime) -> int:
    """E-mail one reader their digest if due, marking its notices sent; how many it held
    (0: none sent). One transaction: a failure leaves their notices waiting."""
    with transaction.atomic():
        NotificationSettings.objects.get_or_create(user=user)
        choice = NotificationSettings.objects.select_for_update().get(user=user)
        if not _due(choice, now):
            return 0
        batch = list(
            Notification.objects.select_for_update()
            .filter(recipient=user, emailed_at=None, read_at=None)
            .select_related("debate")
            .order_by("created_at", "id")
        )
        if not batch:  # another run took them
            return 0
        for notice in batch:
            notice.recipient = user
        shown = still_seen(batch)  # notices of claims hidden since are never e-mailed
        if shown:
            language = selectors.member_language(user.pk) or settings.LANGUAGE_CODE
            with translation.override(language):
                message = _message(user, shown)
            message.send()
            choice.last_digest_at = now
            choice.save(update_fields=["last_digest_at"])
        Notification.objects.filter(pk__in=[n.pk for n in batch]).update(emailed_at=now)
    return len(shown)
