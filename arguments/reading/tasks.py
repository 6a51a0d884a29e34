"""Tasks and who has done them: each participant's progress on a debate's tasks (write N
pros or cons, under a given claim or anywhere; cite N sources; vote on N claims; annotate N
claims), counting published work done before the task's deadline.

One grouped read per kind of act the tasks ask for (at most four queries), however many
participants and tasks there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

from arguments.models import Annotation, Citation, Claim, Relation, Stance, Task, Vote

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from arguments.models import Debate
    from arguments.reading.lens import Lens

CLAIM_KINDS = {Task.Kind.ARGUMENTS, Task.Kind.PROS, Task.Kind.CONS}


@dataclass(frozen=True)
class TaskProgress:
    """One participant's progress on one task."""

    task: Task
    done: int  # counted up to the task's number

    @property
    def complete(self) -> bool:
        return self.done >= self.task.count


def tasks_of(debate: Debate) -> list[Task]:
    """The debate's tasks (not removed), oldest first, with the claim each is under."""
    return list(
        Task.objects.filter(debate=debate, removed_at__isnull=True)
        .select_related("under")
        .order_by("created_at", "pk")
    )


def _before(task: Task, when: datetime) -> bool:
    return task.deadline is None or when <= task.deadline


def progress_of(
    debate: Debate, tasks: list[Task], user_ids: Iterable[int] | None = None
) -> dict[int, list[TaskProgress]]:
    """Each participant's progress on every task (those with none done yet too, when
    `user_ids` names them)."""
    wanted = set(user_ids) if user_ids is not None else None
    kinds = {task.kind for task in tasks}
    acts: dict[str, list[tuple[int, datetime, str, int | None]]] = defaultdict(list)

    def mine(field: str) -> Q:
        return Q(**{f"{field}__in": wanted}) if wanted is not None else Q()

    if kinds & CLAIM_KINDS:
        claims = Relation.objects.filter(
            mine("child__author_id"),
            debate=debate,
            is_link=False,
            child__status=Claim.Status.PUBLISHED,
            child__author__isnull=False,
        ).values_list("child__author_id", "child__created_at", "stance", "parent_id")
        acts["claims"] = list(claims)
    if Task.Kind.SOURCES in kinds:
        sources = Citation.objects.filter(
            mine("added_by_id"),
            claim__debate=debate,
            claim__status=Claim.Status.PUBLISHED,
            added_by__isnull=False,
        ).values_list("added_by_id", "created_at")
        acts["sources"] = [(uid, at, "", None) for uid, at in sources]
    if Task.Kind.VOTES in kinds:
        votes = Vote.objects.filter(
            Q(relation__debate=debate) | Q(thesis__debate=debate), mine("user_id")
        ).values_list("user_id", "created_at")
        acts["votes"] = [(uid, at, "", None) for uid, at in votes]
    if Task.Kind.NOTES in kinds:
        notes = Annotation.objects.filter(
            mine("author_id"),
            claim__debate=debate,
            status=Annotation.Status.PUBLISHED,
            author__isnull=False,
        ).values_list("author_id", "created_at")
        acts["notes"] = [(uid, at, "", None) for uid, at in notes]
    people = set(wanted or ()) | {row[0] for rows in acts.values() for row in rows}
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for task in tasks:
        for uid, at, stance, parent in acts[_source(task)]:
            if not _before(task, at):
                continue
            if task.kind in CLAIM_KINDS:
                if task.under_id is not None and parent != task.under_id:
                    continue
                if task.kind == Task.Kind.PROS and stance != Stance.PRO:
                    continue
                if task.kind == Task.Kind.CONS and stance != Stance.CON:
                    continue
            counts[(uid, task.pk)] += 1
    return {
        uid: [TaskProgress(task, min(counts[(uid, task.pk)], task.count)) for task in tasks]
        for uid in people
    }


def _source(task: Task) -> str:
    if task.kind in CLAIM_KINDS:
        return "claims"
    sources = {Task.Kind.SOURCES: "sources", Task.Kind.VOTES: "votes", Task.Kind.NOTES: "notes"}
    return sources[Task.Kind(task.kind)]


def completion_by_user(debate: Debate) -> tuple[int, dict[int, int]]:
    """How many tasks the debate has, and how many each participant has completed."""
    tasks = tasks_of(debate)
    if not tasks:
        return 0, {}
    progress = progress_of(debate, tasks)
    return len(tasks), {uid: sum(p.complete for p in rows) for uid, rows in progress.items()}


def claims_for_tasks(lens: Lens, limit: int = 200) -> list[tuple[int, str]]:
    """(id, text) of the published claims a task may be under, theses first (tasks are
    usually under a thesis), as the lens shows them."""
    nodes = lens.structure.nodes
    return [
        (claim_id, nodes[claim_id].text)
        for claim_id in lens.visible_ids
        if nodes[claim_id].status == Claim.Status.PUBLISHED
    ][:limit]
