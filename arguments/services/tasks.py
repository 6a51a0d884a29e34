"""Tasks: the owner or a moderator attaches tasks to a debate (write N pros or cons, under a
given claim or anywhere; cite N sources; vote on N claims; annotate N claims), each with an
optional deadline; students see their progress on the debate page (reading/tasks.py).

`Action.MANAGE_TASKS` for both writes. A removed task is kept (`removed_at`), as everything
written on the site is.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from arguments.live import notifications
from arguments.models import Claim, Debate, ShareLink, Task
from arguments.rules.permissions import Action, require

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser

logger = logging.getLogger(__name__)
MAX_COUNT = 100
MAX_TASKS = 20  # per debate: a task list a student reads at a glance


@transaction.atomic
def task_add(
    *,
    actor: AnyUser,
    debate: Debate,
    kind: str,
    count: int,
    under: Claim | None = None,
    deadline: dt.datetime | None = None,
    closes_share_links: bool = False,
) -> Task:
    """Attach a task to the debate."""
    require(actor, Action.MANAGE_TASKS, debate)
    assert actor.is_authenticated  # require() lets no visitor write
    if kind not in Task.Kind.values:
        raise ValidationError({"kind": _("Choose what the task asks for.")})
    if not 1 <= count <= MAX_COUNT:
        raise ValidationError({"count": _("Ask for 1 to %(max)s.") % {"max": MAX_COUNT}})
    if under is not None:
        if under.debate_id != debate.pk or under.status != Claim.Status.PUBLISHED:
            raise ValidationError({"under": _("Choose a published claim of this debate.")})
        if kind not in (Task.Kind.ARGUMENTS, Task.Kind.PROS, Task.Kind.CONS):
            raise ValidationError({"under": _("Only pros and cons are written under a claim.")})
    if deadline is not None and deadline <= timezone.now():
        raise ValidationError({"deadline": _("Choose a deadline in the future.")})
    if closes_share_links and deadline is None:
        raise ValidationError(
            {"closes_share_links": _("Set a deadline for the share links to switch off at.")}
        )
    locked = Debate.objects.select_for_update().get(pk=debate.pk)
    if locked.task_count >= MAX_TASKS:
        raise ValidationError(_("A debate holds at most %(max)s tasks.") % {"max": MAX_TASKS})
    task = Task.objects.create(
        debate=debate,
        kind=kind,
        count=count,
        under=under,
        deadline=deadline,
        closes_share_links=closes_share_links,
        created_by=actor,
    )
    Debate.objects.filter(pk=debate.pk).update(task_count=F("task_count") + 1)
    debate.task_count = locked.task_count + 1
    return task


@transaction.atomic
def task_remove(*, actor: AnyUser, task: Task) -> None:
    """Take a task off the debate (kept, marked removed)."""
    debate = task.debate
    require(actor, Action.MANAGE_TASKS, debate)
    removed = Task.objects.filter(pk=task.pk, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )
    if removed:
        # Never below zero, even for a task made outside this service (the admin, a script).
        Debate.objects.filter(pk=debate.pk, task_count__gt=0).update(task_count=F("task_count") - 1)
        debate.task_count = max(debate.task_count - 1, 0)


def task_deadlines_pass(now: dt.datetime | None = None) -> int:
    """The task worker's part at a deadline: for each task past its deadline that asks for
    it, switch its debate's share links off, once (the caller whose update stamps
    `links_closed_at` does it), log it and tell the task's maker; how many links went off.

    No actor: the teacher chose this when they set the task (`Action.MANAGE_TASKS`). Those
    who joined keep their role; the teacher may switch a link on again on the share page."""
    now = now or timezone.now()
    closed = 0
    due = Task.objects.filter(
        closes_share_links=True,
        links_closed_at__isnull=True,
        removed_at__isnull=True,
        deadline__lte=now,
    ).select_related("debate")
    for task in due:
        with transaction.atomic():
            won = Task.objects.filter(pk=task.pk, links_closed_at__isnull=True).update(
                links_closed_at=now
            )
            if not won:
                continue  # another worker did it
            links = ShareLink.objects.filter(
                debate_id=task.debate_id, is_active=True, revoked_at__isnull=True
            ).update(is_active=False)
            closed += links
            logger.info(
                "Task %s of debate %s passed its deadline: %s share links switched off",
                task.pk,
                task.debate.slug,
                links,
            )
            notifications.after_commit(
                notifications.task_deadline_passed, task_id=task.pk, links=links
            )
    return closed
