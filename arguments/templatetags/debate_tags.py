"""Template filters for debates: sanitized Markdown."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from arguments.markup import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    # render_markdown sanitizes with nh3, so the result is safe to mark as such.
    return mark_safe(render_markdown(text))


@register.filter
def percent(value: float | None) -> str:
    """0.634 -> '63%'; signed effects keep their sign ('-12%')."""
    if value is None:
        return ""
    return f"{round(value * 100)}%"
