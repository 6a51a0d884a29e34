"""What each participant did in a debate: the figures a teacher grades by (the activity page,
its CSV) — claims written, sources cited, votes cast, notes, flags received, last active.

Now: from stored per-participant counts (`ParticipantActivity`, kept current by the votes
and counted again from the rows when a write moved the debate's versions: see "stored counts"
below), a page of the table reading only its own rows' figures.

"As of" a snapshot (`AsOf`, `as_of`): the same figures counted over what the snapshot holds
and what was done by the moment it was taken, so later activity changes nothing: claims are
those in the snapshot (published and shown then, whatever became of them since), sources
and notes those on them added by then, votes those cast by then, flags those raised by
then. Two limits, as the rows keep no history of them: a vote withdrawn since is not counted,
and a note or flag is counted by its state now. Memberships and teachers' grades are now's.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Case, Count, F, Max, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.tasks import task

from arguments import caches, selectors
from arguments.models import (
    ActivityStamp,
    Annotation,
    Citation,
    Claim,
    Debate,
    Flag,
    Membership,
    ParticipantActivity,
    Snapshot,
    SnapshotClaim,
    Vote,
)
from arguments.reading.feedback import Grades, grades_by_user
from arguments.reading.pseudonyms import pseudonyms_of
from arguments.structure.snapshot import in_snapshot, snapshot

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping, Sequence

    from django.db.models import QuerySet


@dataclass(frozen=True)
class Activity:
    """One participant's figures in one debate."""

    user_id: int
    username: str
    name: str  # the name they gave (an instant-access account's display name), else username
    role: str  # their membership's role ("" for someone who took part without one)
    claims: int = 0  # published claims they wrote
    sources: int = 0  # citations they added to published claims
    votes: int = 0
    notes: int = 0  # published annotations and replies
    flags_received: int = 0  # upheld or open flags on their claims and notes
    last_active: datetime | None = None
    pseudonym: str = ""  # their name in a pseudonymous debate
    grades: Grades = field(default_factory=Grades)  # the teacher's grades (reading/feedback.py)

    @property
    def grade(self) -> int | None:
        return self.grades.grade

    @property
    def released(self) -> bool:
        return self.grades.released

    @property
    def claim_grade_mean(self) -> float | None:
        return self.grades.claim_grade_mean

    @property
    def graded_claims(self) -> int:
        return self.grades.graded_claims

    @property
    def total(self) -> int:
        return self.claims + self.sources + self.votes + self.notes


def _grouped(
    rows: Iterable[tuple[int | None, int, datetime]],
) -> tuple[Counter[int], dict[int, datetime]]:
    counts: Counter[int] = Counter()
    latest: dict[int, datetime] = {}
    for user_id, n, last in rows:
        if user_id is not None:
            counts[user_id] = n
            latest[user_id] = last
    return counts, latest


@dataclass(frozen=True)
class AsOf:
    """A snapshot's moment: its number, its row and when it was taken."""

    number: int
    snapshot_id: int
    taken_at: datetime


def as_of(debate: Debate, number: int) -> AsOf | None:
    """The debate's snapshot `number` as a moment to count activity at; None if none."""
    found = (
        Snapshot.objects.filter(debate=debate, number=number).values_list("pk", "taken_at").first()
    )
    return AsOf(number, *found) if found is not None else None


def display_name(first_name: str, last_name: str, username: str) -> str:
    """How a teacher knows a participant: the name they gave (a student joining through an
    instant-access link types one; it is kept as the account's first name), else the
    username."""
    return " ".join(part for part in (first_name, last_name) if part).strip() or username


@dataclass(frozen=True, slots=True)
class Person:
    """A participant as the activity table names them."""

    user_id: int
    username: str
    name: str


def _people(user_ids: Collection[int] | QuerySet[Any]) -> list[Person]:
    accounts = get_user_model().objects.filter(pk__in=user_ids)
    found = [
        Person(pk, username, display_name(first, last, username))
        for pk, username, first, last in accounts.values_list(
            "pk", "username", "first_name", "last_name"
        )
    ]
    found.sort(key=lambda p: (p.name.casefold(), p.username))
    return found


def people_of(debate: Debate) -> list[Person]:
    """Every member and everyone who wrote, cited, voted or annotated in the debate now, by
    name as a class list reads: the names only (one query when the stored counts are current),
    so that a page of the table reads the figures of its own rows."""
    fresh = _current(debate)
    members = Membership.objects.filter(debate=debate).values("user_id")
    if fresh is not None:
        return _people(set(members.values_list("user_id", flat=True)) | set(fresh))
    counted = ParticipantActivity.objects.filter(debate=debate).values("user_id")
    return _people(
        get_user_model().objects.filter(Q(pk__in=members) | Q(pk__in=counted)).values("pk")
    )


def activity_of(
    debate: Debate, at: AsOf | None = None, *, only: Sequence[Person] | None = None
) -> list[Activity]:
    """Every member and everyone who wrote, cited, voted or annotated in the debate, by name
    (as a class list reads), or `only` these people (a page of `people_of`, in its order);
    `at` a snapshot, as of it (see the module's note). Now: from the stored counts."""
    roles_of = Membership.objects.filter(debate=debate)
    if only is not None:
        people = list(only)
        ids = [p.user_id for p in people]
        roles_of = roles_of.filter(user_id__in=ids)
        counts = counted_from_rows(debate, at) if at is not None else counted_now(debate, ids)
    else:
        counts = counted_from_rows(debate, at) if at is not None else counted_now(debate)
    roles = dict(roles_of.values_list("user_id", "role"))
    if only is None:
        people = _people(set(roles) | set(counts))
    user_ids = [p.user_id for p in people]
    flags = _flags_received(debate, at, user_ids if only is not None else None)
    pseudonyms = pseudonyms_of(debate, user_ids) if debate.pseudonymous else {}
    grades = grades_by_user(debate)
    rows = []
    for person in people:
        uid = person.user_id
        counted = counts.get(uid, NOTHING)
        rows.append(
            Activity(
                user_id=uid,
                username=person.username,
                name=person.name,
                role=roles.get(uid, ""),
                claims=counted.claims,
                sources=counted.sources,
                votes=counted.votes,
                notes=counted.notes,
                flags_received=flags[uid],
                last_active=counted.last_active,
                pseudonym=pseudonyms.get(uid, ""),
                grades=grades.get(uid, Grades()),
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class Counted:
    """One participant's counts of each kind of act and the time of the latest of each."""

    claims: int = 0
    claims_at: datetime | None = None
    sources: int = 0
    sources_at: datetime | None = None
    votes: int = 0
    votes_at: datetime | None = None
    notes: int = 0
    notes_at: datetime | None = None

    @property
    def last_active(self) -> datetime | None:
        times = [t for t in (self.claims_at, self.sources_at, self.votes_at, self.notes_at) if t]
        return max(times) if times else None


COUNTED = tuple(f.name for f in fields(Counted))
NOTHING = Counted()


def counted_from_rows(
    debate: Debate, at: AsOf | None = None, *, users: Collection[int] | None = None
) -> dict[int, Counted]:
    """Every participant's counts from the debate's rows (four grouped queries over all of
    them): what the stored counts are a copy of, and, `at` a snapshot, the counts as of it;
    `users`: theirs only (each query by its author's or voter's index)."""
    published = Claim.Status.PUBLISHED
    claims_then = Claim.objects.filter(debate=debate)
    cited = Citation.objects.filter(claim__debate=debate)
    voted = Vote.objects.filter(Q(relation__debate=debate) | Q(thesis__debate=debate))
    noted = Annotation.objects.filter(claim__debate=debate, status=Annotation.Status.PUBLISHED)
    if at is None:
        claims_then = claims_then.filter(status=published)
        cited = cited.filter(claim__status=published)
        vote_time = "updated_at"
    else:
        held = SnapshotClaim.objects.filter(snapshot_id=at.snapshot_id).values("claim_id")
        claims_then = claims_then.filter(pk__in=held)
        cited = cited.filter(claim_id__in=held, created_at__lte=at.taken_at)
        voted = voted.filter(created_at__lte=at.taken_at)
        noted = noted.filter(claim_id__in=held, created_at__lte=at.taken_at)
        vote_time = "created_at"  # a vote changed since was cast by then
    if users is not None:
        claims_then = claims_then.filter(author_id__in=users)
        cited = cited.filter(added_by_id__in=users)
        voted = voted.filter(user_id__in=users)
        noted = noted.filter(author_id__in=users)
    claims, claims_at = _grouped(
        claims_then.values_list("author_id").annotate(n=Count("id"), last=Max("created_at"))
    )
    sources, sources_at = _grouped(
        cited.values_list("added_by_id").annotate(n=Count("id"), last=Max("created_at"))
    )
    votes, votes_at = _grouped(
        voted.values_list("user_id").annotate(n=Count("id"), last=Max(vote_time))
    )
    notes, notes_at = _grouped(
        noted.values_list("author_id").annotate(n=Count("id"), last=Max("created_at"))
    )
    return {
        uid: Counted(
            claims[uid],
            claims_at.get(uid),
            sources[uid],
            sources_at.get(uid),
            votes[uid],
            votes_at.get(uid),
            notes[uid],
            notes_at.get(uid),
        )
        for uid in set(claims) | set(sources) | set(votes) | set(notes)
    }


def _flags_received(
    debate: Debate, at: AsOf | None, user_ids: Collection[int] | None
) -> Counter[int]:
    """Open or upheld flags on each participant's claims and notes (`user_ids`: theirs only):
    the debate's flags by their own column and status (an index range: what the debate has,
    not a join through every claim of it), each with its target's author."""
    flagged = Flag.objects.filter(debate=debate, status__in=[Flag.Status.OPEN, Flag.Status.UPHELD])
    if at is not None:
        flagged = flagged.filter(created_at__lte=at.taken_at)
    if user_ids is not None:
        flagged = flagged.filter(
            Q(claim__author_id__in=user_ids) | Q(annotation__author_id__in=user_ids)
        )
    authors = flagged.values_list(Coalesce("claim__author_id", "annotation__author_id"))
    return Counter(
        {author: n for author, n in authors.annotate(n=Count("id")) if author is not None}
    )


# -- stored counts (issue 35) ------------------------------------------------------------
#
# The activity table reads each participant's counts from `ParticipantActivity` rows, current
# while the debate's `ActivityStamp` carries the debate's structure and tally versions. Every
# write that changes a claim, citation or note moves the structure version (they all call
# `bump_version`), and every vote the tally version, so a stamp behind the debate says the
# counts are behind whichever writer it was (a service, the admin, a merge, an import, a bare
# queryset update that bumps): the reader counts them again from the rows and stores what
# changed, as the stored strengths are kept. A vote, the write a class makes most, keeps the
# counts current itself (`vote_counted`): it moves its voter's row and the stamp with the
# debate's tally version when the stamp's was current, so the table after a vote costs its
# rows. After writes that named the claims they changed (`StructureChange`, no `rebuilt_in`
# since the stamp), with the votes counted, the reader counts again only the people those
# claims concern: their authors, who cited them and who wrote notes on them (`_current`).


caches.register(
    "activity counts",
    kept=caches.Kept.DATABASE,
    key="`ParticipantActivity` rows by debate and user, stamped (`ActivityStamp`) with the "
    "debate's structure and tally versions they were counted at",
    stale="the stamp differs from the debate's versions: the next activity table counts the "
    "rows again and stores what changed; a vote moves its voter's row and the stamp itself",
)


# More claims changed since the stamp than this (or more people who wrote, cited or noted on
# them than `USERS_MAX`): count every participant again instead of those people.
CHANGES_MAX = 500
USERS_MAX = 500


@dataclass(frozen=True, slots=True)
class _Versions:
    """The debate's versions and its activity stamp's, as one query read them."""

    structure: int
    tally: int
    rebuilt_in: int
    stamp: tuple[int, int, int] | None  # (structure, tally, votes counted); None: no stamp

    @property
    def current(self) -> bool:
        return self.stamp is not None and self.stamp[:2] == (self.structure, self.tally)

    @property
    def votes_counted(self) -> int | None:
        return self.stamp[2] if self.stamp is not None else None

    @property
    def named_since(self) -> int | None:
        """The stamp's structure version when every write since named the claims it changed
        and no vote came in since (the counts are behind those claims only), else None."""
        if self.stamp is None or self.stamp[1] != self.tally:
            return None
        return self.stamp[0] if self.rebuilt_in <= self.stamp[0] else None


def _versions_and_stamp(debate: Debate) -> _Versions:
    """The debate's (structure, tally) versions and its activity stamp: one query."""
    stamps = ActivityStamp.objects.filter(debate_id=OuterRef("pk"))
    row = (
        Debate.objects.filter(pk=debate.pk)
        .values_list(
            "structure_version",
            "tally_version",
            "rebuilt_in",
            Subquery(stamps.values("structure_version")[:1]),
            Subquery(stamps.values("tally_version")[:1]),
            Subquery(stamps.values("votes_counted")[:1]),
        )
        .get()
    )
    structure, tally, rebuilt_in, stamp_structure, stamp_tally, counted = row
    stamp = None if stamp_structure is None else (stamp_structure, stamp_tally, counted)
    return _Versions(structure, tally, rebuilt_in, stamp)


def _stored(debate: Debate, user_ids: Collection[int] | None) -> dict[int, Counted]:
    rows = ParticipantActivity.objects.filter(debate=debate)
    if user_ids is not None:
        rows = rows.filter(user_id__in=user_ids)
    return {uid: Counted(*figures) for uid, *figures in rows.values_list("user_id", *COUNTED)}


def _current(debate: Debate) -> dict[int, Counted] | None:
    """None when the stored counts are current (one query), or were made current by counting
    again just the people the writes since touched; else every participant's counts from the
    rows, stored."""
    if _versions_and_stamp(debate).current:
        return None
    stores = not in_snapshot()  # inside a caller's snapshot nothing is stored
    for _attempt in range(2):  # a vote between the count and its store: once more
        with snapshot():
            now = _versions_and_stamp(debate)
            touched = _touched_since(debate, now.named_since) if stores else None
            counted = counted_from_rows(debate, users=touched)  # None: everyone
        if touched is None:
            break
        only = store_counts(
            debate.pk, now.structure, now.tally, now.votes_counted, counted, only=touched
        )
        if only or _versions_and_stamp(debate).current:  # or another reader stored them
            return None
    else:
        with snapshot():
            now = _versions_and_stamp(debate)
            counted = counted_from_rows(debate)
    store_counts(debate.pk, now.structure, now.tally, now.votes_counted, counted)
    return counted


def _touched_since(debate: Debate, since: int | None) -> list[int] | None:
    """The people whose counts the writes after structure version `since` may have changed:
    the authors of the claims they changed (`StructureChange`), who added those claims'
    citations and who wrote their notes (two queries); None when `since` is None or they are
    too many (`CHANGES_MAX`, `USERS_MAX`). A claim's status counts for its author and its
    citations' adders; a note's for its author: each write that changes one names the claim."""
    if since is None:
        return None
    changed = selectors.claims_changed_since(debate.pk, since)
    if len(changed) > CHANGES_MAX:
        return None
    if not changed:
        return []
    # One query (a union of three, by each table's claim index); no ordering in its parts.
    authors = Claim.objects.filter(pk__in=changed, author_id__isnull=False)
    adders = Citation.objects.filter(claim_id__in=changed, added_by_id__isnull=False)
    noters = Annotation.objects.filter(claim_id__in=changed, author_id__isnull=False)
    people = (
        authors.order_by()
        .values_list("author_id")
        .union(
            adders.order_by().values_list("added_by_id"),
            noters.order_by().values_list("author_id"),
        )
    )
    found = sorted({uid for (uid,) in people})
    return found if len(found) <= USERS_MAX else None


def counted_now(debate: Debate, user_ids: Collection[int] | None = None) -> dict[int, Counted]:
    """Every participant's counts now (`user_ids`: theirs only) from the stored counts: two
    queries when they are current; else counted from the rows and stored."""
    counted = _current(debate)
    if counted is None:
        return _stored(debate, user_ids)
    if user_ids is None:
        return counted
    return {uid: counted[uid] for uid in user_ids if uid in counted}


@task()
def store_counts_task(debate_id: int) -> bool:
    """The queue's entry after an import: the participants' counts of a debate written in
    bulk counted and stored in the task worker (1.3 s at 200,000 claims), not in the first
    owner's or moderator's request that lists them (the "See as" picker, the activity
    table). True when they were behind."""
    debate = Debate.objects.filter(pk=debate_id).first()
    return debate is not None and _current(debate) is not None


def store_counts(
    debate_id: int,
    structure: int,
    tally: int,
    votes_counted: int | None,
    counted: Mapping[int, Counted],
    *,
    only: Collection[int] | None = None,
) -> bool:
    """Store counts made at these versions, as the changes from what is stored, under the
    stamp's row lock; not when a vote was counted in since they were read (`votes_counted`,
    None: no stamp then), nor over counts of newer versions. True when it stored.

    `only`: the counts are those people's alone (the others' stored counts were current at
    the stamp and no write since touched them): their rows are stored, the others kept."""
    if in_snapshot():
        return False
    with transaction.atomic():
        ActivityStamp.objects.bulk_create(
            [ActivityStamp(debate_id=debate_id)], ignore_conflicts=True
        )
        now = (
            ActivityStamp.objects.select_for_update()
            .filter(debate_id=debate_id)
            .values_list("structure_version", "tally_version", "votes_counted")
            .get()
        )
        if now[2] != (votes_counted or 0) or now[:2] == (structure, tally):
            return False
        if now[0] > structure or now[1] > tally:
            return False
        if only is not None and now[1] != tally:
            return False  # the others' votes are behind: only a whole count catches them up
        stored = _stored_for_update(debate_id, only)
        gone = [uid for uid in stored if uid not in counted]
        if gone:
            ParticipantActivity.objects.filter(debate_id=debate_id, user_id__in=gone).delete()
        changed = [
            ParticipantActivity(debate_id=debate_id, user_id=uid, **dataclasses.asdict(figures))
            for uid, figures in counted.items()
            if stored.get(uid) != figures
        ]
        ParticipantActivity.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["debate", "user"],
            update_fields=list(COUNTED),
            batch_size=500,
        )
        ActivityStamp.objects.filter(debate_id=debate_id).update(
            structure_version=structure, tally_version=tally
        )
    return True


def _stored_for_update(debate_id: int, only: Collection[int] | None) -> dict[int, Counted]:
    rows = ParticipantActivity.objects.filter(debate_id=debate_id)
    if only is not None:
        rows = rows.filter(user_id__in=only)
    return {uid: Counted(*figures) for uid, *figures in rows.values_list("user_id", *COUNTED)}


_STAMPS = ActivityStamp._meta.db_table
_DEBATES = Debate._meta.db_table
# One statement: count the vote into the stamp (made when there is none: stale) and, if the
# stored votes were current before the vote (the stamp's tally version the debate's), move the
# stamp with the debate's tally version (the vote has moved it by `step`: 1, or 0 for a vote
# as a named perspective); it answers whether the stamp's tally is current now, that is, was
# before the vote. The structure version plays no part: a write moves no vote, so the votes
# stay counted while the claims, sources and notes wait for the next reader (`_current`),
# who then counts again only the people the writes touched.
_VOTE_COUNTED = (
    f"INSERT INTO {_STAMPS} (debate_id, structure_version, tally_version, votes_counted) "
    "VALUES (%s, 0, 0, 1) ON CONFLICT (debate_id) DO UPDATE "
    f"SET votes_counted = {_STAMPS}.votes_counted + 1, tally_version = CASE WHEN "
    f"{_STAMPS}.tally_version + %s = (SELECT tally_version FROM {_DEBATES} WHERE id = %s) "
    f"THEN {_STAMPS}.tally_version + %s ELSE {_STAMPS}.tally_version END "
    f"RETURNING {_STAMPS}.tally_version = (SELECT tally_version FROM {_DEBATES} WHERE id = %s)"
)


def vote_counted(
    *, debate_id: int, user_id: int, added: int, at: datetime | None, tallied: bool
) -> None:
    """Count a vote into the stored activity counts, in the vote's transaction, after it:
    `added` +1 (cast at `at`), 0 (changed at `at`) or -1 (withdrawn); `tallied` when it
    moved the debate's tally version (not a vote as a named perspective). When the stored
    votes were current before the vote (whatever writes wait to be counted), its voter's row
    and the stamp's tally version move with it (two
    queries, three for someone's first vote; a withdrawal counts the voter's votes again);
    either way the stamp records it (one query), so a reader who counted before it stores
    nothing."""
    step = 1 if tallied else 0
    with connection.cursor() as cursor:
        cursor.execute(_VOTE_COUNTED, [debate_id, step, debate_id, step, debate_id])
        (current,) = cursor.fetchone()
    if not current:
        return
    rows = ParticipantActivity.objects.filter(debate_id=debate_id, user_id=user_id)
    if added < 0 or at is None:
        mine = Vote.objects.filter(
            Q(relation__debate_id=debate_id) | Q(thesis__debate_id=debate_id), user_id=user_id
        ).aggregate(n=Count("id"), last=Max("updated_at"))
        rows.update(votes=mine["n"], votes_at=mine["last"])
        rows.filter(claims=0, sources=0, votes=0, notes=0).delete()
        return
    later = Case(
        When(Q(votes_at__isnull=True) | Q(votes_at__lt=at), then=Value(at)),
        default=F("votes_at"),
    )
    if rows.update(votes=F("votes") + added, votes_at=later) == 0:
        if added == 0:  # a changed vote of someone with no counts: the counts were wrong
            ActivityStamp.objects.filter(debate_id=debate_id).update(structure_version=0)
            return
        ParticipantActivity.objects.create(
            debate_id=debate_id, user_id=user_id, votes=added, votes_at=at
        )
