"""What each participant did in a debate: the figures a teacher grades by (the activity page,
its CSV) — claims written, sources cited, votes cast, notes, flags received, last active.

A fixed number of grouped queries however many people took part: one per kind of act.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q

from arguments.models import Annotation, Citation, Claim, Flag, Membership, Vote
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


def display_name(first_name: str, last_name: str, username: str) -> str:
    """How a teacher knows a participant: the name they gave (a student joining through an
    instant-access link types one; it is kept as the account's first name), else the
    username."""
    return " ".join(part for part in (first_name, last_name) if part).strip() or username


def activity_of(debate: Debate) -> list[Activity]:
    """Every member and everyone who wrote, cited, voted or annotated in the debate, by name
    (as a class list reads)."""
    published = Claim.Status.PUBLISHED
    claims, claims_at = _grouped(
        Claim.objects.filter(debate=debate, status=published)
        .values_list("author_id")
        .annotate(n=Count("id"), last=Max("created_at"))
    )
    sources, sources_at = _grouped(
        Citation.objects.filter(claim__debate=debate, claim__status=published)
        .values_list("added_by_id")
        .annotate(n=Count("id"), last=Max("created_at"))
    )
    votes, votes_at = _grouped(
        Vote.objects.filter(Q(relation__debate=debate) | Q(thesis__debate=debate))
        .values_list("user_id")
        .annotate(n=Count("id"), last=Max("updated_at"))
    )
    notes, notes_at = _grouped(
        Annotation.objects.filter(claim__debate=debate, status=Annotation.Status.PUBLISHED)
        .values_list("author_id")
        .annotate(n=Count("id"), last=Max("created_at"))
    )
    flagged = Flag.objects.filter(
        Q(claim__debate=debate) | Q(annotation__claim__debate=debate),
        status__in=[Flag.Status.OPEN, Flag.Status.UPHELD],
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
