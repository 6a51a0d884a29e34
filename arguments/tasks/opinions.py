"""The opinion map computed in the background (issue 33; docs/ARCHITECTURE.md, "The opinion
map").

A vote marks the debate's `OpinionMap` wanted (services/opinions.py, in the vote's
transaction). Every task worker, at each upkeep (`worker.UPKEEP_SECONDS`), calls
`enqueue_wanted()`: for each wanted map not yet enqueued, a conditional update sets
`enqueued_at` and only the worker whose update changed the row enqueues `opinions_task`, as
the periodic jobs are scheduled. The votes cast between two upkeeps, or while a job waits,
make one job: 60 votes, one computation. The job clears both marks before it reads the
votes, so a vote that lands while it computes marks the map again and the next upkeep
enqueues the next run: the stored map lacks a vote for at most one upkeep and one run. A job
lost with its worker (failed after `worker.MAX_ATTEMPTS`) leaves `enqueued_at` behind; after
`LOST_AFTER` the map is enqueued again.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from arguments.models import Debate, OpinionMap, Vote
from arguments.structure import opinion_groups

LOST_AFTER = timedelta(minutes=30)


def enqueue_wanted() -> list[int]:
    """Enqueue one computation per wanted opinion map that this caller won; their debates."""
    now = timezone.now()
    waiting = OpinionMap.objects.filter(wanted_at__isnull=False).filter(
        Q(enqueued_at=None) | Q(enqueued_at__lt=now - LOST_AFTER)
    )
    enqueued = []
    for pk, debate_id, was in waiting.values_list("pk", "debate_id", "enqueued_at"):
        with transaction.atomic():
            if OpinionMap.objects.filter(pk=pk, enqueued_at=was).update(enqueued_at=now):
                opinions_task.enqueue(debate_id)
                enqueued.append(debate_id)
    return enqueued


def _votes_of(debate_id: int) -> list[opinion_groups.Vote]:
    """Every own vote of the debate as (user, point, claim, value): two queries, one per kind
    of point (an OR across the two joins would read the whole vote table)."""
    own = Vote.objects.filter(perspective=None).order_by()
    impact = own.filter(relation__debate_id=debate_id).values_list(
        "user_id", "relation_id", "relation__child_id", "value"
    )
    truth = own.filter(thesis__debate_id=debate_id).values_list("user_id", "thesis_id", "value")
    votes = [(user, f"r{point}", claim, value) for user, point, claim, value in impact]
    votes += [(user, f"c{claim}", claim, value) for user, claim, value in truth]
    return votes


def opinions_compute(debate_id: int) -> OpinionMap | None:
    """Compute and store the debate's opinion map now (the task's work; the bench's and the
    screenshots'). None when the debate is gone."""
    OpinionMap.objects.filter(debate_id=debate_id).update(wanted_at=None, enqueued_at=None)
    version = Debate.objects.filter(pk=debate_id).values_list("tally_version", flat=True).first()
    if version is None:
        return None
    result = opinion_groups.compute(_votes_of(debate_id))
    now = timezone.now()
    row, created = OpinionMap.objects.get_or_create(
        debate_id=debate_id,
        defaults={"result": result, "computed_from": version, "computed_at": now},
    )
    if not created:
        # Never replace a result computed from later votes (two runs racing).
        OpinionMap.objects.filter(pk=row.pk).exclude(computed_from__gt=version).update(
            result=result, computed_from=version, computed_at=now
        )
        row.refresh_from_db()
    return row


@task()
def opinions_task(debate_id: int) -> str:
    """The queue's entry: compute the debate's opinion map."""
    row = opinions_compute(debate_id)
    if row is None:
        return "no such debate"
    return f"{row.result.get('voters', 0)} voters in {row.result.get('k', 0)} groups"
