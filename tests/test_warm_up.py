"""A worker loads at start what its first request would (arguments/views/warm_up.py)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
from django.template import engines
from django.urls import reverse

from arguments.reading import links
from arguments.views import warm_up


def test_warm_up_parses_every_site_template_and_every_language(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger=warm_up.__name__):
        loaded = warm_up.warm_up()
    assert not caplog.records, "a site template failed to parse"
    names = warm_up._template_names(engines["django"])
    assert "arguments/debate_list.html" in names
    assert "django/forms/widgets/input.html" in names
    assert loaded["templates"] == len(names)
    assert loaded["languages"] >= 6
    assert loaded["patterns"] > 100


def test_each_debates_routes_are_the_urls_the_urlconf_reverses() -> None:
    """Each pattern is reversed once with holes for the slug and the id
    (`links.route_patterns`), then filled per debate: the same URLs as reversing each."""
    for slug in ("open-weights", "a_b-9", "slug-hole"):
        routes = links.routes_for(slug)
        for field, (name, key) in links._PATTERNS.items():
            route = getattr(routes, field)
            assert route(42) == reverse(name, kwargs={"slug": slug, key: 42}), field
    assert {f.name for f in fields(links.Routes)} == set(links._PATTERNS)


def test_a_warm_worker_holds_no_database_connection_before_its_first_request() -> None:
    """So a server may load the app before forking its workers (gunicorn's --preload)."""
    code = (
        "import debate.wsgi\n"
        "from django.db import connections\n"
        "print(sum(connections[a].connection is not None for a in connections))\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True,
        env=os.environ | {"PYTHONPATH": str(root), "DJANGO_SETTINGS_MODULE": "debate.settings"},
    )  # fmt: skip
    assert done.stdout.strip().splitlines()[-1] == "0"
