"""Template helpers for the moderation fragment of each claim: cheap, no queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from arguments.moderation import Notice
from arguments.permissions import Action, permits

register = template.Library()


@register.filter
def notice_for(notices: dict[int, Notice] | None, claim_id: int) -> Notice | None:
    """`notices|notice_for:item.node.id`: what this reader should be told about the claim."""
    if not notices:
        return None
    return notices.get(claim_id)


@dataclass(frozen=True, slots=True)
class ModerationControls:
    flag: bool = False
    moderate: bool = False
    staff: bool = False


@register.simple_tag
def moderation_controls(user: Any, debate: Any, role: Any) -> ModerationControls:
    """Which moderation controls the reader gets; from the role already known (no query)."""
    if user is None or not user.is_authenticated or role is None or debate is None:
        return ModerationControls()
    return ModerationControls(
        flag=permits(user, Action.FLAG, debate, role=role),
        moderate=permits(user, Action.MODERATE, debate, role=role),
        staff=user.is_staff,
    )
