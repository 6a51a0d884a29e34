"""Requests to write: where the owner allows it (`Debate.accepts_write_requests`), a viewer
or suggester asks to become a writer with a short message; the owner and the moderators hear
of it (a notice, the settings page's list, the scoped admin) and accept or decline it.

Asking is `Action.REQUEST_WRITE`; deciding is `Action.MANAGE_MEMBERS`. Accepting raises the
asker to writer through the one raise (`memberships.membership_raise`), never lowering a
role they gained meanwhile.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arguments.live import notifications
from arguments.models import Debate, Role, WriteRequest
from arguments.rules.limits import check_rate
from arguments.rules.permissions import Action, require
from arguments.services.memberships import membership_raise

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser

MESSAGE_MAX = 500
REQUESTS_PER_DAY = 5  # per person, across debates: a request notifies every moderator


@transaction.atomic
def write_request_make(*, actor: AnyUser, debate: Debate, message: str) -> WriteRequest:
    """Ask to become a writer; the debate's owner and moderators are told. Asking again
    while a request waits changes its message."""
    require(actor, Action.REQUEST_WRITE, debate)
    assert actor.is_authenticated  # require() lets no visitor write
    message = message.strip()
    if len(message) > MESSAGE_MAX:
        raise ValidationError(
            {"message": _("Keep it under %(max)s characters.") % {"max": MESSAGE_MAX}}
        )
    waiting = (
        WriteRequest.objects.select_for_update()
        .filter(debate=debate, user=actor, status=WriteRequest.Status.OPEN)
        .first()
    )
    if waiting is not None:
        waiting.message = message
        waiting.save(update_fields=["message"])
        return waiting
    check_rate(
        WriteRequest.objects.filter(user=actor),
        limit=REQUESTS_PER_DAY,
        window=timedelta(days=1),
        field="created_at",
        what="asked to write",
    )
    made = WriteRequest.objects.create(debate=debate, user=actor, message=message)
    notifications.after_commit(notifications.write_requested, request_id=made.pk)
    return made


@transaction.atomic
def write_request_decide(*, actor: AnyUser, request: WriteRequest, accept: bool) -> WriteRequest:
    """Accept (the asker becomes a writer) or decline a waiting request; the asker is told."""
    debate = request.debate
    require(actor, Action.MANAGE_MEMBERS, debate)
    assert actor.is_authenticated  # require() lets no visitor write
    row = WriteRequest.objects.select_for_update().get(pk=request.pk)
    if row.status != WriteRequest.Status.OPEN:
        raise ValidationError(
            _("This request was already %(status)s.") % {"status": row.get_status_display().lower()}
        )
    row.status = WriteRequest.Status.ACCEPTED if accept else WriteRequest.Status.DECLINED
    row.decided_by, row.decided_at = actor, timezone.now()
    row.save(update_fields=["status", "decided_by", "decided_at"])
    if accept:
        membership_raise(debate=debate, user=row.user, role=Role.WRITER)
    notifications.after_commit(notifications.write_request_decided, request_id=row.pk)
    return row
