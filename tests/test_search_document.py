"""The stored search document (migration 0013, PostgreSQL only): PostgreSQL keeps it in step
with a claim's text, so an edited claim is found by its new words only."""

from __future__ import annotations

import pytest
from django.db import connection

from arguments import services
from arguments.explore import search
from arguments.models import Debate, Stance
from arguments.reading.lens import Lens

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL column"),
]


def _found(debate: Debate, user, query: str) -> list[int]:
    lens = Lens.of(Debate.objects.get(pk=debate.pk), user)
    return [hit.claim_id for hit in search.search_debate(lens, query)]


def test_an_edited_claim_is_found_by_its_new_words_only(debate, thesis, cast):
    claim = services.claim_add(
        actor=cast.writer, parent=thesis, stance=Stance.PRO, text="Audits need the weights."
    )
    assert _found(debate, cast.writer, "audits") == [claim.pk]
    services.claim_edit(actor=cast.writer, claim=claim, text="Inspections need the weights.")
    assert _found(debate, cast.writer, "audits") == []
    assert _found(debate, cast.writer, "inspections") == [claim.pk]


def test_the_nearest_claims_above_the_threshold_are_similar_most_similar_first(
    debate, thesis, cast
):
    def add(text: str, parent=thesis):
        return services.claim_add(actor=cast.writer, parent=parent, stance=Stance.CON, text=text)

    near = add("Released weights cannot be recalled.")
    nearer = add("Released weights can never be recalled.")
    add("Open models help small labs.")
    under = add("Closed models keep their weights.")
    lens = Lens.of(Debate.objects.get(pk=debate.pk), cast.writer)
    found = search.similar_claims(lens, "Released weights can never be recalled!", under=under.pk)
    assert [claim_id for claim_id, _text in found] == [nearer.pk, near.pk]
