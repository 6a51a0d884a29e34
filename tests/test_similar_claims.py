"""Near-duplicate warnings while writing (issue 19): as a draft is typed (htmx) and on a first
submit without JavaScript, up to three similar claims the writer sees, each linkable in place."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from arguments import services
from arguments.explore import search
from arguments.models import Claim, Relation, Stance
from arguments.reading.lens import Lens
from tests.conftest import build_debate

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
NEAR_COPY = "Released weights can never be recalled."  # the `con` fixture, reworded


def _add_url(debate, parent) -> str:
    return reverse("arguments:claim_add", args=[debate.slug, parent.pk])


def test_typing_a_near_copy_shows_it_with_link_this_one_instead(client, debate, cast, con, pro):
    client.force_login(cast.writer)
    reply = services.claim_add(actor=cast.writer, parent=pro, stance=Stance.CON, text="Not so.")
    response = client.get(
        _add_url(debate, reply), {"part": "similar", "stance": "pro", "text": NEAR_COPY}, **HTMX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert con.text in body and "Link this one instead" in body
    assert reverse("arguments:claim_link", args=[debate.slug, reply.pk]) in body
    assert f'name="claim" value="{con.pk}"' in body and 'name="stance" value="pro"' in body


def test_an_unrelated_or_short_draft_shows_nothing(client, debate, cast, con, thesis):
    client.force_login(cast.writer)
    for text in ("Recalled.", "Markets reward transparency about benchmarks."):
        body = client.get(
            _add_url(debate, thesis), {"part": "similar", "text": text}, **HTMX
        ).content.decode()
        assert "Link this one instead" not in body


def test_the_form_asks_the_server_as_the_writer_types(client, debate, cast, thesis):
    client.force_login(cast.writer)
    body = client.get(_add_url(debate, thesis), {"stance": "con"}).content.decode()
    assert 'hx-trigger="input changed delay:400ms"' in body
    assert f'hx-target="#similar-{thesis.pk}"' in body and "part=similar" in body


def test_claims_the_writer_cannot_see_are_never_offered(client, debate, cast, thesis, pro):
    hidden = services.claim_add(
        actor=cast.editor, parent=pro, stance=Stance.CON, text="Hidden text about audits of models."
    )
    services.claim_hide(actor=cast.moderator, claim=hidden)
    draft = {"part": "similar", "text": "Hidden text about audits of the models."}
    client.force_login(cast.writer)
    assert (
        "Link this one instead"
        not in client.get(_add_url(debate, thesis), draft, **HTMX).content.decode()
    )
    client.force_login(
        cast.moderator
    )  # a moderator sees hidden claims, but only published are offered
    assert (
        "Link this one instead"
        not in client.get(_add_url(debate, thesis), draft, **HTMX).content.decode()
    )
    services.claim_restore(actor=cast.moderator, claim=hidden)
    client.force_login(cast.writer)  # once published, it is offered (the test above can fail)
    assert (
        "Link this one instead"
        in client.get(_add_url(debate, thesis), draft, **HTMX).content.decode()
    )


def test_a_viewer_may_not_ask(client, debate, cast, thesis):
    client.force_login(cast.viewer)
    response = client.get(_add_url(debate, thesis), {"part": "similar", "text": NEAR_COPY}, **HTMX)
    assert response.status_code == 403


def test_without_javascript_a_first_submit_warns_and_post_it_anyway_posts(
    client, debate, cast, con, pro
):
    client.force_login(cast.writer)
    url = _add_url(debate, pro)
    response = client.post(url, {"stance": "con", "text": NEAR_COPY})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Post it anyway" in body and "Link this one instead" in body and con.text in body
    assert not Claim.objects.filter(text=NEAR_COPY).exists()
    response = client.post(url, {"stance": "con", "text": NEAR_COPY, "anyway": "1"})
    assert response.status_code == 302
    assert Claim.objects.filter(text=NEAR_COPY).exists()


def test_a_submit_of_a_new_claim_is_not_held_up(client, debate, cast, con, pro):
    client.force_login(cast.writer)
    response = client.post(_add_url(debate, pro), {"stance": "con", "text": "Forks spread fast."})
    assert response.status_code == 302


def test_link_this_one_instead_links_the_claim_in_place(client, debate, cast, con, pro):
    client.force_login(cast.writer)
    link = reverse("arguments:claim_link", args=[debate.slug, pro.pk])
    response = client.post(link, {"claim": con.pk, "stance": "con"}, **HTMX)
    assert response.status_code == 200
    assert Relation.objects.filter(parent=pro, child=con, is_link=True, stance="con").exists()


@pytest.mark.parametrize("size", [10, 2000])
def test_the_check_costs_the_same_queries_on_a_small_and_a_large_debate(
    client, django_assert_max_num_queries, size
):
    debate = build_debate(size)
    thesis = debate.claims.get(is_thesis=True)
    client.force_login(debate.owner)
    query = {"part": "similar", "text": "Claim 7 of this debate, reworded a little."}
    client.get(_add_url(debate, thesis), query, **HTMX)  # the structure loads once
    # Session and user (2), the debate (1), the claim acted on (1), trigram ranking on
    # PostgreSQL, the claims' index on SQLite (1); whoever changes it explains why.
    with django_assert_max_num_queries(6):
        assert client.get(_add_url(debate, thesis), query, **HTMX).status_code == 200


# Issue 35d: on SQLite the candidates come from the claims' trigram index (FTS5, bm25 rank), not
# from the first 5,000 claims by id within a time budget.

TWIN = "Regulators should audit the training data of frontier models every year."
TWIN_DRAFT = "Regulators should audit the training data of frontier models each year!"


def test_a_twin_of_a_claim_beyond_the_five_thousandth_is_found():
    debate = build_debate(5200)
    thesis = debate.claims.get(is_thesis=True)
    late = debate.claims.order_by("-id")[10]  # the 5,190th by id; main read the first 5,000
    Claim.objects.filter(pk=late.pk).update(text=TWIN)
    lens = Lens.of(debate, debate.owner)
    assert search.similar_claims(lens, TWIN_DRAFT, under=thesis.pk) == [(late.pk, TWIN)]


HOSTILE = [
    'He said "weights are "dangerous" and closed" models',
    "open NEAR(weights recall, 2) AND models OR NOT safety",
    "weights* AND ^models -safety +audits (unbalanced",
    "((((( open weights ))) can never be recalled",
    'text: "a" : b : ^c * NEAR( "" "" " \' ; -- DROP TABLE',
    "Released weights 🔓🤖 can never be recalled 🚀🚀🚀",
    "🔓🤖🚀🔓🤖🚀🔓🤖🚀🔓🤖🚀",
    "\u00c9tats et r\u00e9gulateurs: les poids publi\u00e9s ne reviennent jamais",
    "{}[]<>|\\/:;,.?!@#$%^&*()_+=`~" * 3,
]


@pytest.mark.parametrize("draft", HOSTILE)
def test_drafts_with_the_index_syntax_answer_normally(client, debate, cast, thesis, con, draft):
    client.force_login(cast.writer)
    response = client.get(_add_url(debate, thesis), {"part": "similar", "text": draft}, **HTMX)
    assert response.status_code == 200
    response = client.post(_add_url(debate, thesis), {"stance": "pro", "text": draft})
    assert response.status_code in (302, 422)  # written, or "reads like a claim already here"


def test_a_near_copy_written_with_quotes_and_emoji_is_still_found(debate, cast, pro, con):
    lens = Lens.of(debate, cast.writer)
    draft = f'"{con.text[:-1]}" 🔓 NEAR('
    assert [pk for pk, _text in search.similar_claims(lens, draft, under=pro.pk)] == [con.pk]


def test_a_twin_in_another_script_and_case_is_found(debate, cast, pro, thesis):
    # SQLite's index folds the case of every letter (not only ASCII) and keeps diacritics
    # (migration 0034 sets no `remove_diacritics`), as difflib's comparison of lowered texts.
    text = "Les États ne rappellent jamais les poids déjà publiés."
    claim = services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.CON, text=text)
    lens = Lens.of(debate, cast.writer)
    draft = "LES ÉTATS ne rappellent jamais les poids déjà publiés !"
    assert [pk for pk, _text in search.similar_claims(lens, draft, under=pro.pk)] == [claim.pk]


def test_the_index_is_asked_for_words_only_the_longest_pairs_first():
    phrases = search.draft_phrases('Open "weights" NEAR(can) never* be ^recalled OR not')
    # Inside a quoted FTS5 string "NEAR" is text, not the operator.
    assert phrases == ["Open weights", "weights NEAR", "can never", "NEAR can"]
    assert all(re.fullmatch(r"\w+( \w+)?", phrase) for phrase in phrases)
    assert search.draft_phrases("a an of be to") == []  # no word of a trigram: no query
    assert search.draft_phrases("Transparency!") == ["Transparency"]


@pytest.mark.parametrize("size", [10, 2000])
def test_the_check_itself_reads_a_fixed_number_of_statements(django_assert_num_queries, size):
    debate = build_debate(size)
    thesis = debate.claims.get(is_thesis=True)
    twin = debate.claims.order_by("-id").first()
    Claim.objects.filter(pk=twin.pk).update(text=TWIN)
    lens = Lens.of(debate, debate.owner)
    # The claims beneath `under` (1), the candidates: the index on SQLite, the trigram distance
    # on PostgreSQL (1), their ways up (2); whoever changes it explains why.
    with django_assert_num_queries(4):
        found = search.similar_claims(lens, TWIN_DRAFT, under=thesis.pk)
    assert found == [(twin.pk, TWIN)]
