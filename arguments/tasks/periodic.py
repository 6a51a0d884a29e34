"""Periodic work, scheduled in the database so that several workers (or machines) run each
period's job once: every worker calls `enqueue_due()` every few seconds; for each job whose
`ScheduledRun.next_at` has passed, a conditional update moves `next_at` one period on, and
only the worker whose update changed the row enqueues the job's task. No cron, no leader.

- digests: e-mail digests to readers due one (live/digests.send_digests), every 5 minutes;
- LTI scores: participation scores the LMS gradebooks have not got yet, every 10 minutes;
- LTI rosters: the course rosters of the debates courses link, every 6 hours;
- clean-up: expired share links switched off, finished task results and import jobs
  older than a month deleted, every hour;
- snapshots: debates whose freezing deadline has passed frozen (services/snapshots.py),
  every two minutes;
- task deadlines: the share links of debates whose task asked for it switched off at the
  task's deadline (services/tasks.py), every two minutes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.tasks import Task, task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from arguments.live.digests import send_digests
from arguments.models import CourseActivity, ImportJob, ScheduledRun, ShareLink
from arguments.services.grades import scores_send
from arguments.services.lti import lti_tool_key_ensure
from arguments.services.roster import course_roster_fetch
from arguments.services.snapshots import snapshots_due
from arguments.services.tasks import task_deadlines_pass

logger = logging.getLogger(__name__)
KEPT_FOR = timedelta(days=30)


@task()
def digests_send() -> str:
    sent = send_digests()
    return f"{sent.readers} digests, {sent.notices} notifications"


@task()
def lti_scores_sync() -> str:
    if not CourseActivity.objects.exclude(lineitem_url="").exists():
        return "no graded course"
    lti_tool_key_ensure()  # the token request is signed with our key
    summary = scores_send()
    for error in summary.errors:
        logger.warning("LTI score not sent (retried at the next sync): %s", error)
    return f"sent {summary.sent}; unchanged {summary.unchanged}; failed {summary.failed}"


@task()
def lti_rosters_sync() -> str:
    """Each course's roster, in the name of the debate's owner (who linked it)."""
    activities = CourseActivity.objects.select_related("debate__owner", "resource_link__context")
    fetched = failed = 0
    if activities.exists():
        lti_tool_key_ensure()
    for activity in activities:
        try:
            course_roster_fetch(actor=activity.debate.owner, activity=activity)
            fetched += 1
        except (PermissionDenied, ValidationError) as error:
            failed += 1
            logger.warning("LTI roster of %s not fetched: %s", activity, error)
    return f"{fetched} rosters fetched, {failed} failed"


@task()
def clean_up() -> str:
    now = timezone.now()
    expired = ShareLink.objects.filter(is_active=True, expires_at__lte=now).update(is_active=False)
    old = now - KEPT_FOR
    jobs, _ = ImportJob.objects.filter(
        status__in=(ImportJob.Status.DONE, ImportJob.Status.FAILED), updated_at__lt=old
    ).delete()
    results, _ = DBTaskResult.objects.finished().filter(finished_at__lt=old).delete()
    return f"{expired} share links expired, {jobs} import jobs and {results} task results deleted"


@task()
def snapshots_freeze() -> str:
    return f"{snapshots_due()} debates frozen at their deadline"


@task()
def task_deadlines() -> str:
    return f"{task_deadlines_pass()} share links switched off at a task's deadline"


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    task: Task[[], str]


SCHEDULE = (
    Periodic("digests", timedelta(minutes=5), digests_send),
    Periodic("lti scores", timedelta(minutes=10), lti_scores_sync),
    Periodic("lti rosters", timedelta(hours=6), lti_rosters_sync),
    Periodic("clean-up", timedelta(hours=1), clean_up),
    Periodic("snapshots", timedelta(minutes=2), snapshots_freeze),
    Periodic("task deadlines", timedelta(minutes=2), task_deadlines),
)


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue each periodic job that is due and that this caller won; the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for job in SCHEDULE:
        if _claim(job, now):
            job.task.enqueue()
            enqueued.append(job.name)
    return enqueued


def _claim(job: Periodic, now: datetime) -> bool:
    """Move the job's `next_at` on if it is due; True for the one caller whose update did."""
    try:
        with transaction.atomic():
            run, created = ScheduledRun.objects.get_or_create(
                name=job.name, defaults={"next_at": now + job.every, "last_started_at": now}
            )
    except IntegrityError:  # another worker created it at the same moment: theirs to run
        return False
    if created:
        return True
    moved = ScheduledRun.objects.filter(pk=job.name, next_at=run.next_at, next_at__lte=now).update(
        next_at=now + job.every, last_started_at=now
    )
    return moved == 1
