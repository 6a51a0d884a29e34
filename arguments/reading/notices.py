"""What the tree shows about moderation, per reader: one query per page, whatever its size.

- To a claim's author: the latest flag a moderator upheld on it (reason, fallacy and the
  moderator's note), and whether they may still ask for a review.
- To a reporter: that they already flagged the claim (so the Flag control is not offered twice).
- To moderators: how many flags are open on each claim, and for which reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connections
from django.utils.translation import gettext

from arguments import replicas
from arguments.models import Claim, Flag, Role
from arguments.rules.permissions import at_least

if TYPE_CHECKING:
    from arguments.models import Debate


@dataclass(slots=True)
class FlagNote:
    """One flag as a reader is told about it (never who raised it)."""

    id: int
    reason: str
    fallacy: str
    status: str
    resolution_note: str
    review_requested: bool

    @property
    def reason_label(self) -> str:
        return str(Flag.Reason(self.reason).label)

    @property
    def fallacy_label(self) -> str:
        return str(Flag.Fallacy(self.fallacy).label) if self.fallacy else ""

    @property
    def fallacy_explanation(self) -> str:
        english = Flag.FALLACY_EXPLANATIONS.get(self.fallacy, "") if self.fallacy else ""
        return gettext(english) if english else ""

    @property
    def under_review(self) -> bool:
        return self.status == Flag.Status.OPEN and self.review_requested

    @property
    def can_request_review(self) -> bool:
        return self.status == Flag.Status.UPHELD and not self.review_requested


@dataclass(slots=True)
class Notice:
    """What one reader should be told about one claim."""

    to_author: FlagNote | None = None  # the outcome the claim's author should see
    own_flag: FlagNote | None = None  # the reader's own open flag on the claim
    open_count: int = 0  # moderators: open flags on the claim
    open_reasons: list[str] = field(default_factory=list)


FLAG_COLUMNS = (
    "f.id, f.claim_id, c.author_id, f.reporter_id, f.reason, f.fallacy, f.status, "
    "f.resolution_note, f.review_requested_at, f.created_at"
)


def _notice_query(user_id: int, debate_id: int, moderates: bool) -> tuple[str, list[Any]]:
    """The flags a reader is told about, as SQL: up to three parts joined by UNION, each
    found through its own index (the reader's claims, the reader's flags, the debate's open
    flags for a moderator). As one OR over a join, the database read every claim of the
    debate (6 ms at 20,000 claims on SQLite); as the ORM's union, compiling it took 2 ms of
    every signed-in page on PostgreSQL."""
    flag, claim = Flag._meta.db_table, Claim._meta.db_table
    conditions: list[tuple[str, list[Any]]] = [
        # Upheld flags, and those reopened by the author's review request, concern the
        # author; the reader's claims are found by author first (a few), not by debate.
        (
            f"f.claim_id IN (SELECT id FROM {claim} WHERE author_id = %s) "
            "AND (f.status = %s OR (f.status = %s AND f.review_requested_at IS NOT NULL))",
            [user_id, Flag.Status.UPHELD, Flag.Status.OPEN],
        ),
        ("f.reporter_id = %s AND f.status = %s", [user_id, Flag.Status.OPEN]),
    ]
    parts, params = [], []
    for condition, condition_params in conditions:
        parts.append(
            f"SELECT {FLAG_COLUMNS} FROM {flag} f "
            f"INNER JOIN {claim} c ON c.id = f.claim_id WHERE c.debate_id = %s AND {condition}"
        )
        params += [debate_id, *condition_params]
    if moderates:
        # The debate's open flags by the flag's own debate and status (its index): through
        # the claims' debate, it read every claim of the debate (14 ms at 200,000 claims).
        # A claim's flag carries its claim's debate (`Flag.save`).
        parts.append(
            f"SELECT {FLAG_COLUMNS} FROM {flag} f "
            f"INNER JOIN {claim} c ON c.id = f.claim_id WHERE f.debate_id = %s AND f.status = %s"
        )
        params += [debate_id, Flag.Status.OPEN]
    # Newest first: columns 10 and 1 are created_at and id.
    return " UNION ".join(parts) + " ORDER BY 10 DESC, 1 DESC", params


def claim_notices(*, user: Any, debate: Debate, role: Role | None) -> dict[int, Notice]:
    """claim id -> what the reader, of `role` in the debate, should be told about it; one
    query (none for visitors)."""
    if not user.is_authenticated:
        return {}
    moderates = at_least(role, Role.MODERATOR)
    with connections[replicas.reads_from()].cursor() as cursor:
        cursor.execute(*_notice_query(user.pk, debate.pk, moderates))
        rows = cursor.fetchall()
    notices: dict[int, Notice] = {}
    for row in rows:
        flag_id, claim_id, author_id, reporter_id, *rest = row
        reason, fallacy, status, note, asked, _created_at = rest
        notice = notices.setdefault(claim_id, Notice())
        flag = FlagNote(
            id=flag_id,
            reason=reason,
            fallacy=fallacy,
            status=status,
            resolution_note=note,
            review_requested=asked is not None,
        )
        # Rows come newest first: the first that fits each slot is the latest.
        concerns_author = status == Flag.Status.UPHELD or asked is not None
        if author_id == user.pk and concerns_author and notice.to_author is None:
            notice.to_author = flag
        if reporter_id == user.pk and status == Flag.Status.OPEN and notice.own_flag is None:
            notice.own_flag = flag
        if moderates and status == Flag.Status.OPEN:
            notice.open_count += 1
            label = flag.fallacy_label or flag.reason_label
            if label not in notice.open_reasons:
                notice.open_reasons.append(label)
    return notices
