"""Template helpers for the moderation fragment of each claim: cheap, no queries."""

from __future__ import annotations

from django import template

from arguments.moderation import Notice

register = template.Library()


@register.filter
def notice_for(notices: dict[int, Notice] | None, claim_id: int) -> Notice | None:
    """`notices|notice_for:item.node.id`: what this reader should be told about the claim."""
    if not notices:
        return None
    return notices.get(claim_id)
