"""The debate's addresses answered before Django resolves URLs: a visitor's kept page
(views/visitor_pages.py) and the idle reader's poll (live/poll_shortcut.py). Each is one
route, which the URLconf gives to `path()` and from which the shortcut's regex is made, so
the two cannot disagree (tests/test_paths.py holds the URLconf to it)."""

from __future__ import annotations

import re

from django.urls.converters import SlugConverter

SLUG = "<slug:slug>"
DEBATE_PAGE = f"d/{SLUG}/"  # arguments:debate
DEBATE_POLL = f"d/{SLUG}/live/"  # arguments:debate_live


def path_regex(route: str) -> re.Pattern[str]:
    """A route of the debates' URLconf (included at the site's root) as a regex over a
    request's whole path, with the slug, matched as Django's slug converter matches it, its
    one group."""
    head, tail = route.split(SLUG)
    return re.compile(rf"/{re.escape(head)}({SlugConverter.regex}){re.escape(tail)}\Z")
