"""Freezing a debate: a `Snapshot` taken by its owner or a moderator, or at the deadline
they set (the periodic task `tasks.periodic.snapshots_due`). What a snapshot holds and how
it is read is `reading/snapshots.py`; once written it is never changed (the models refuse).
"""

from __future__ import annotations

from datetime import datetime
from json import JSONEncoder
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max
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
    return _take(debate, taken_by=actor if actor.is_authenticated else None, note=note)


def _take(
    debate: Debate,
    *,
    taken_by: User | None,
    note: str,
    reason: Snapshot.Reason = Snapshot.Reason.BY_HAND,
) -> Snapshot:
    # The read is its own database snapshot (a read-only transaction on PostgreSQL), so it
    # runs before the write's transaction: every claim and relation of one moment.
    frozen = freeze(debate)
    with transaction.atomic():
        # The debate's row orders two freezes of one debate: each gets its own number.
        Debate.objects.select_for_update().filter(pk=debate.pk).values_list("pk").first()
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
    """Set (or clear, with None) when the debate freezes by itself: a course's deadline."""
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


def snapshots_due(now: datetime | None = None) -> int:
    """Freeze every debate whose deadline has passed, once each (the caller whose update
    clears the deadline takes the snapshot); how many were taken."""
    now = now or timezone.now()
    taken = 0
    for debate in Debate.objects.filter(freeze_at__lte=now, archived_at__isnull=True):
        won = Debate.objects.filter(pk=debate.pk, freeze_at=debate.freeze_at).update(freeze_at=None)
        if won:
            _take(debate, taken_by=None, note="", reason=Snapshot.Reason.DEADLINE)
            taken += 1
    return taken
