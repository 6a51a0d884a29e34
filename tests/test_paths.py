"""The debate's addresses answered before Django (arguments/paths.py): the URLconf serves each
route the shortcuts match, and a path matches a shortcut's regex exactly when Django would
resolve it to that view, with the same slug."""

from __future__ import annotations

import pytest
from django.urls import Resolver404, resolve, reverse
from hypothesis import given
from hypothesis import strategies as st

from arguments import paths
from arguments.live.poll_shortcut import POLL_PATH
from arguments.views.visitor_pages import PAGE_PATH

SHORTCUTS = [
    (paths.DEBATE_PAGE, "arguments:debate", PAGE_PATH),
    (paths.DEBATE_POLL, "arguments:debate_live", POLL_PATH),
]


@pytest.mark.parametrize(("route", "name", "regex"), SHORTCUTS)
def test_the_urlconf_serves_the_route_each_shortcut_matches(route, name, regex) -> None:
    path = reverse(name, kwargs={"slug": "open-weights_2"})
    match = resolve(path)
    assert (match.route, match.view_name) == (route, name)
    assert regex.match(path).group(1) == "open-weights_2"


# Paths near the debate's: slugs with and without the converter's letters, every tail.
slug_text = st.text(alphabet="aZ09-_.%/é \n", max_size=8)
tail = st.sampled_from(["/", "/live/", "/live", "/live/x/", "/x/", "", "//", "/\n"])
head = st.sampled_from(["/d/", "/d", "/e/", "/d/x/d/", "d/"])


@given(path=st.builds(lambda h, s, t: h + s + t, head, slug_text, tail))
def test_a_shortcut_matches_exactly_what_django_resolves_to_its_view(path: str) -> None:
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    for _route, name, regex in SHORTCUTS:
        found = regex.match(path)
        resolved = match is not None and match.view_name == name
        assert (found is not None) == resolved, (path, name)
        if found is not None:
            assert found.group(1) == match.kwargs["slug"]
