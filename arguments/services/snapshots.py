"""Freezing a debate: a `Snapshot` taken by its owner or a moderator, or at the deadline
they set. What a snapshot holds and how it is read is `reading/snapshots.py`; once written it
is never changed (the models refuse).

A deadline freezes the state at its instant: setting it queues `deadline_freeze_task` to run
at that instant (`run_after`; the periodic job `snapshots` is the fallback when no worker ran
it), and from the deadline until its snapshot is taken every write is refused by the
permission function (`rules.permissions.role_refusal`: "being frozen at its deadline"), so a
write between the deadline and the worker's run cannot land in the version that was due.
"""

from __future__ import annotations

from datetime import datetime
from json import JSONEncoder
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from arguments.models import Debate, Snapshot, SnapshotClaim
from arguments.reading.snapshots import OutlineRow, freeze
from arguments.rules.permissions import Action, require
from arguments.services.guards import attribute

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser

NOTE_MAX_LENGTH = 200
# Rows per batch when writing an outline.
OUTLINE_BATCH = 2000


def debate_freeze(*, actor: AnyUser, debate: Debate, note: str = "") -> Snapshot:
    """Take a snapshot of the debate as it stands now (its owner's and moderators' act)."""
    require(actor, Action.FREEZE_DEBATE, debate)
    note = " ".join(note.split())
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("Keep the note to %(max)s characters.") % {"max": NOTE_MAX_LENGTH}}
        )
    taken = _take(debate, taken_by=actor if actor.is_authenticated else None, note=note)
    assert taken is not None  # by hand: always taken
    return taken


def _take(
    debate: Debate,
    *,
    taken_by: User | None,
    note: str,
    reason: Snapshot.Reason = Snapshot.Reason.BY_HAND,
    deadline: datetime | None = None,
) -> Snapshot | None:
    """Freeze the debate. With a `deadline`, only while that is still the debate's deadline:
    the snapshot is written and the deadline cleared in one transaction under the debate's
    row lock, so two workers never both take it (the second finds it cleared: None), and
    writes stay refused until the snapshot exists."""
    # The read is its own database snapshot (a read-only transaction on PostgreSQL), so it
    # runs before the write's transaction: every claim and relation of one moment.
    frozen = freeze(debate)
    with transaction.atomic():
        # The debate's row orders two freezes of one debate: each gets its own number.
        locked = Debate.objects.select_for_update().filter(pk=debate.pk)
        if deadline is not None:
            if locked.values_list("freeze_at", flat=True).first() != deadline:
                return None  # another worker took it, or the deadline moved
            locked.update(freeze_at=None)
        else:
            locked.values_list("pk").first()
        last = Snapshot.objects.filter(debate=debate).aggregate(last=Max("number"))["last"]
        snapshot = Snapshot.objects.create(
            debate=debate,
            number=(last or 0) + 1,
            title=frozen.title,
            reason=reason,
            note=note,
            taken_by=taken_by,
            document=frozen.document,
            sha256=frozen.sha256,
            claim_count=len(frozen.outline),
            votes_hidden=frozen.votes_hidden,
        )
        _insert_outline(snapshot, frozen.outline)
    return snapshot


def _insert_outline(snapshot: Snapshot, outline: list[OutlineRow]) -> None:
    """Write the outline's rows in batches of one statement each. Not `bulk_create`: its
    per-value preparation of 20,000 rows' JSON cost seconds, over the 3 s a snapshot of
    that size may take (the bench's `snapshot_take_ms`)."""
    table = SnapshotClaim._meta.db_table
    # PostgreSQL's columns are jsonb: a parameter sent as text is cast; SQLite's are text.
    json = "%s::jsonb" if connection.vendor == "postgresql" else "%s"
    sql = (
        f"INSERT INTO {table} (snapshot_id, claim_id, parent_id, depth, position, path, data) "
        f"VALUES (%s, %s, %s, %s, %s, {json}, {json})"
    )
    dumps = JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    with connection.cursor() as cursor:
        for start in range(0, len(outline), OUTLINE_BATCH):
            cursor.executemany(
                sql,
                [
                    (
                        snapshot.pk, row.claim_id, row.parent_id, row.depth, row.position,
                        dumps(row.path), dumps(row.data),
                    )
                    for row in outline[start : start + OUTLINE_BATCH]
                ],
            )  # fmt: skip


@transaction.atomic
def debate_freeze_at(*, actor: AnyUser, debate: Debate, at: datetime | None) -> None:
    """Set (or clear, with None) when the debate freezes by itself: a course's deadline. The
    freeze is queued for that instant (stored in the same transaction: none for a rollback)."""
    require(actor, Action.FREEZE_DEBATE, debate)
    if at is not None and at <= timezone.now():
        raise ValidationError({"freeze_at": _("Choose a time in the future.")})
    row = Debate.objects.select_for_update().get(pk=debate.pk)
    if row.freeze_at == at:
        return
    row.freeze_at = at
    attribute(row, actor=actor, reason="snapshot deadline")
    row.save(update_fields=["freeze_at", "updated_at"])
    debate.freeze_at = at
    if at is not None:
        deadline_freeze_task.using(run_after=at).enqueue(debate.pk, at.isoformat())


@task()
def deadline_freeze_task(debate_id: int, deadline: str) -> str:
    """The queue's entry, run at the deadline's instant: freeze the debate if that is still
    its deadline (a moved or cleared deadline, or one the periodic job already took, is
    left alone)."""
    at = datetime.fromisoformat(deadline)
    debate = Debate.objects.filter(pk=debate_id, freeze_at=at, archived_at__isnull=True).first()
    if debate is None:
        return "no longer due"
    taken = _take(debate, taken_by=None, note="", reason=Snapshot.Reason.DEADLINE, deadline=at)
    return f"version {taken.number}" if taken is not None else "taken by another worker"


def snapshots_due(now: datetime | None = None) -> int:
    """Freeze every debate whose deadline has passed and whose task has not run yet (no
    worker was up at the instant), once each; how many were taken."""
    now = now or timezone.now()
    taken = 0
    for debate in Debate.objects.filter(freeze_at__lte=now, archived_at__isnull=True):
        deadline = debate.freeze_at
        reason = Snapshot.Reason.DEADLINE
        if _take(debate, taken_by=None, note="", reason=reason, deadline=deadline) is not None:
            taken += 1
    return taken
