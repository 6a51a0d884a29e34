"""A vote marks the debate's opinion map wanted (issue 33; docs/ARCHITECTURE.md, "The
opinion map"): the computation itself runs on the task worker (arguments/tasks/opinions.py),
never in a request, and never imports scikit-learn into a web process."""

from __future__ import annotations

from django.db.models import DateTimeField, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from arguments.models import OpinionMap


def opinions_wanted(debate_id: int) -> None:
    """Say that the debate's opinion map lacks a vote, in the vote's transaction: one query
    (two for the debate's first vote). `wanted_at` keeps the first such vote's time, so a
    burst of votes is one mark, and the worker one job."""
    now = timezone.now()
    marked = OpinionMap.objects.filter(debate_id=debate_id).update(
        wanted_at=Coalesce("wanted_at", Value(now), output_field=DateTimeField())
    )
    if not marked:
        # No row yet: create it wanted. A concurrent first vote may have just created it (and
        # marked it): nothing to add, and no savepoint for the conflict.
        OpinionMap.objects.bulk_create(
            [OpinionMap(debate_id=debate_id, wanted_at=now)], ignore_conflicts=True
        )
