"""What each participant did in a debate: the figures a teacher grades by (the activity page,
its CSV) — claims written, sources cited, votes cast, notes, flags received, last active.

A fixed number of grouped queries however many people took part: one per kind of act.

"As of" a snapshot (`AsOf`, `as_of`): the same figures counted over what the snapshot holds
and what was done by the moment it was taken, so later activity changes nothing: claims are
those in the snapshot (published and shown then, whatever became of them since), sources
and notes those on them added by then, votes those cast by then, flags those raised by
then. Two limits, as the rows keep no history of them: a vote withdrawn since is not counted,
and a note or flag is counted by its state now. Memberships and teachers' grades are now's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q

from arguments.models import (
    Annotation,
    Citation,
    Claim,
    Flag,
    Membership,
    Snapshot,
    SnapshotClaim,
    Vote,
)
from arguments.reading.feedback import Grades, grades_by_user
from arguments.reading.pseudonyms import pseudonyms_of

if TYPE_CHECKING:
    from collections.abc import Iterable

    from arguments.models import Debate


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


def activity_of(debate: Debate, at: AsOf | None = None) -> list[Activity]:
    """Every member and everyone who wrote, cited, voted or annotated in the debate, by name
    (as a class list reads); `at` a snapshot, as of it (see the module's note)."""
    published = Claim.Status.PUBLISHED
    claims_then = Claim.objects.filter(debate=debate)
    cited = Citation.objects.filter(claim__debate=debate)
    voted = Vote.objects.filter(Q(relation__debate=debate) | Q(thesis__debate=debate))
    noted = Annotation.objects.filter(claim__debate=debate, status=Annotation.Status.PUBLISHED)
    flagged = Flag.objects.filter(
        Q(claim__debate=debate) | Q(annotation__claim__debate=debate),
        status__in=[Flag.Status.OPEN, Flag.Status.UPHELD],
    )
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
        flagged = flagged.filter(created_at__lte=at.taken_at)
        vote_time = "created_at"  # a vote changed since was cast by then
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
    flags = Counter(
        dict(
            flagged.filter(claim__isnull=False)
            .values_list("claim__author_id")
            .annotate(n=Count("id"))
        )
    ) + Counter(
        dict(
            flagged.filter(annotation__isnull=False)
            .values_list("annotation__author_id")
            .annotate(n=Count("id"))
        )
    )
    roles = dict(Membership.objects.filter(debate=debate).values_list("user_id", "role"))
    user_ids = set(roles) | set(claims) | set(sources) | set(votes) | set(notes)
    accounts = get_user_model().objects.filter(pk__in=user_ids)
    people = {
        pk: (username, display_name(first, last, username))
        for pk, username, first, last in accounts.values_list(
            "pk", "username", "first_name", "last_name"
        )
    }
    pseudonyms = pseudonyms_of(debate, user_ids) if debate.pseudonymous else {}
    grades = grades_by_user(debate)
    rows = []
    for uid in user_ids:
        times = [t[uid] for t in (claims_at, sources_at, votes_at, notes_at) if uid in t]
        rows.append(
            Activity(
                user_id=uid,
                username=people.get(uid, ("", ""))[0],
                name=people.get(uid, ("", ""))[1],
                role=roles.get(uid, ""),
                claims=claims[uid],
                sources=sources[uid],
                votes=votes[uid],
                notes=notes[uid],
                flags_received=flags[uid],
                last_active=max(times) if times else None,
                pseudonym=pseudonyms.get(uid, ""),
                grades=grades.get(uid, Grades()),
            )
        )
    rows.sort(key=lambda a: (a.name.casefold(), a.username))
    return rows
