"""What templates may not decide, and what every page-or-fragment answer must say.

Templates read `item.actions.*` and `item.urls.*` from the reading lens: they hold no role
or status literals, no permission logic and no URLs built by concatenation. An address that
answers a page or a fragment (htmx) varies on `HX-Request`, so no cache serves one for the
other.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from arguments.models import Annotation, Claim, Debate, Flag, ImportJob, Role, ShareLink, Stance
from tests.test_reading_lens import build_world

TEMPLATES = Path(settings.BASE_DIR) / "templates" / "arguments"
TAG = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.S)
QUOTED = re.compile(r"""["']([a-z_]+)["']""")
LITERALS = {
    *Role.values,
    *Claim.Status.values,
    *Debate.Status.values,
    *Debate.Visibility.values,
    *Annotation.Visibility.values,
    *Annotation.Status.values,
    *Flag.Status.values,
    *Stance.values,
}
# Deciding in a template who may do what, instead of reading the lens's answer.
PERMISSION_LOGIC = re.compile(r"user\.pk|user\.is_staff|user_id\s*==|author_id")
URL_ATTRIBUTE = re.compile(r"""\b(href|action|src|hx-get|hx-post)="([^"]*)\"""")


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", _templates(), ids=lambda p: p.name)
def test_no_role_or_status_literals_in_template_tags(path: Path) -> None:
    for tag in TAG.findall(path.read_text()):
        if tag.startswith(("{% url", "{% partialdef", "{% include", "{% load", "{% cache")):
            continue
        found = set(QUOTED.findall(tag)) & LITERALS
        assert not found, f"{path.name}: {tag!r} compares with {found}"


@pytest.mark.parametrize("path", _templates(), ids=lambda p: p.name)
def test_no_permission_logic_in_templates(path: Path) -> None:
    for tag in TAG.findall(path.read_text()):
        assert not PERMISSION_LOGIC.search(tag), f"{path.name}: {tag!r} decides permissions"


@pytest.mark.parametrize("path", _templates(), ids=lambda p: p.name)
def test_no_url_is_built_by_concatenation(path: Path) -> None:
    """A link is one URL from the lens (or one `{% url %}`), never pieces joined."""
    for attribute, value in URL_ATTRIBUTE.findall(path.read_text()):
        if "{" not in value:
            continue
        whole = TAG.fullmatch(value.strip())
        assert whole, f"{path.name}: {attribute}={value!r} joins pieces into a URL"


PAGE_OR_FRAGMENT_KWARGS = {
    "slug": lambda w: w.debate.slug,
    "pk": lambda w: w.con.pk,
    "note_id": lambda w: w.notes[0].pk,
    "flag_id": lambda w: w.flag.pk,
    "user_id": lambda w: w.debate.owner_id,
    "format_name": lambda w: "json",
    "language": lambda w: "fr",  # the JavaScript catalog's
    "follow_id": lambda w: 999999,  # none of mine: dropping it changes nothing
    "link_id": lambda w: _share_link(w).pk,
    "token": lambda w: _share_link(w).token,
    # The moderator's own import (the client below is the moderator), finished.
    "job_id": lambda w: (
        ImportJob.objects.create(
            owner=w.debate.memberships.get(role=Role.MODERATOR).user,
            format="json",
            debate=w.debate,
            status=ImportJob.Status.DONE,
        ).pk
    ),
    "tag": lambda w: "no-such-tag",  # a 404 either way
    "section": lambda w: "about",  # the debate's settings: the owner's part
    "activity_id": lambda w: 0,  # no course links the world: a 404 either way
    "group_id": lambda w: 0,  # no groups in the world: a 404 either way
    "number": lambda w: 1,  # the world's first snapshot (the freeze posted below takes it)
    "token_id": lambda w: 999999,  # no API token of mine: a 403 either way
    "request_id": lambda w: 999999,  # no request to write in the world: a 404 either way
    "task_id": lambda w: 999999,  # no task in the world: a 404 either way
}


def _share_link(world: Any) -> ShareLink:
    link, _ = ShareLink.objects.get_or_create(
        debate=world.debate, defaults={"token": "varies", "role": "writer"}
    )
    return link


def _is_fragment(response: Any) -> bool:
    html = "text/html" in response.get("Content-Type", "")
    return html and response.status_code in (200, 422, 429) and b"<html" not in response.content


@pytest.mark.django_db
def test_every_page_or_fragment_answer_varies_on_htmx(client, cast) -> None:
    """Each address is asked twice, as a page and as htmx; where the answers differ (one a
    fragment, or another status), both say `Vary: HX-Request`."""
    from arguments import urls

    world = build_world(cast, "open")
    client.force_login(cast.moderator)
    checked = 0
    for pattern in urls.urlpatterns:
        names = pattern.pattern.converters.keys()
        address = reverse(
            f"arguments:{pattern.name}",
            kwargs={name: PAGE_OR_FRAGMENT_KWARGS[name](world) for name in names},
        )
        answers = []
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.get(address, **headers)
            if response.status_code == 405:
                response = client.post(address, {"text": "Varies?", "stance": "pro"}, **headers)
            answers.append(response)
        page, fragment = answers
        same = page.status_code == fragment.status_code
        if same and _is_fragment(page) == _is_fragment(fragment):
            continue  # one answer for both: nothing to vary
        checked += 1
        for response in answers:
            assert "HX-Request" in response.get("Vary", ""), (
                f"{pattern.name}: {response.status_code} without Vary: HX-Request"
            )
    assert checked >= 10
