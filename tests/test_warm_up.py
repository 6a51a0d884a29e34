"""A worker loads at start what its first request would (arguments/views/warm_up.py)."""

from __future__ import annotations

import logging

import pytest
from django.template import engines

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

