"""What the tree shows about moderation, per reader (filled in by the moderation work)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from arguments.models import Debate


def claim_notices(*, user: Any, debate: Debate) -> dict[int, Any]:
    """claim id -> what its author (or a moderator) should be told about it; one query."""
    return {}
