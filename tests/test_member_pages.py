"""A member's debate page kept whole per reader (arguments/views/member_pages.py)."""

from __future__ import annotations

import pytest

from arguments.views import member_pages


@pytest.mark.django_db
def test_smoke(client, cast, debate, pro):
    client.force_login(cast.writer)
    first = client.get(debate.get_absolute_url())
    assert first.status_code == 200
    assert len(member_pages._pages) == 1
    second = client.get(debate.get_absolute_url())
    assert second.status_code == 200
