"""Writing in place, each view four ways: full page, htmx fragment, denied, invalid."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Citation, Claim, Debate, Relation, Source
from tests.conftest import build_debate
from tests.factories import DebateFactory, ThesisFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, claim: Claim) -> str:
    return reverse(f"arguments:{name}", kwargs={"slug": claim.debate.slug, "pk": claim.pk})


# ---------------------------------------------------------------- reading


def test_a_branch_fragment_is_only_the_claims_pros_and_cons(client, pro, cast):
    child = services.claim_add(actor=cast.writer, parent=pro, stance="con", text="Not always.")
    response = client.get(url("claim", pro), {"part": "branch", "depth": "1"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert f'id="children-{pro.pk}"' in body and child.text in body
    assert 'aria-level="3"' in body  # depth 1 + 1 for the branch's children


def test_the_focus_page_is_a_whole_page_without_htmx(client, pro):
    body = client.get(url("claim", pro)).content.decode()
    assert "<html" in body and 'role="tree"' in body


def test_write_controls_show_only_to_those_who_may_write(client, cast, debate, thesis):
    page = client.get(debate.get_absolute_url()).content.decode()
    assert "Add pro" not in page and "Add con" not in page
    client.force_login(cast.viewer)
    page = client.get(debate.get_absolute_url()).content.decode()
    assert "Add pro" not in page
    client.force_login(cast.writer)
    page = client.get(debate.get_absolute_url()).content.decode()
    assert "Add pro" in page and "Add con" in page and "Link a claim" in page


def test_a_locked_debate_shows_no_write_controls(client, cast, debate):
    debate.status = Debate.Status.LOCKED
    debate.save()
    client.force_login(cast.writer)
    page = client.get(debate.get_absolute_url()).content.decode()
    assert "Add pro" not in page and "locked" in page


@pytest.mark.parametrize("size", [10, 2000])
def test_branch_and_focus_cost_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, size
):
    debate = build_debate(size, slug=f"q-{size}")
    claim = debate.claims.order_by("id")[1]
    # +2 on this first read of the debate: its strengths stored (structure/stored_strengths.py),
    # +2 its branch sizes (structure/stored_sizes.py).
    with django_assert_max_num_queries(10):
        assert client.get(url("claim", claim)).status_code == 200
    with django_assert_max_num_queries(6):
        response = client.get(url("claim", claim), {"part": "branch"}, **HTMX)
        assert response.status_code == 200


# ---------------------------------------------------------------- adding


def test_add_form_page_and_fragment(client, cast, thesis):
    client.force_login(cast.writer)
    page = client.get(url("claim_add", thesis), {"stance": "con"})
    assert page.status_code == 200 and b"<html" in page.content and b"Add con" in page.content
    fragment = client.get(url("claim_add", thesis), {"stance": "pro"}, **HTMX)
    assert b"<html" not in fragment.content and b'name="text"' in fragment.content


def test_adding_without_javascript_redirects_to_the_new_claim(client, cast, thesis):
    client.force_login(cast.writer)
    response = client.post(url("claim_add", thesis), {"stance": "con", "text": "Not so."})
    new = Claim.objects.get(text="Not so.")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/claims/{thesis.pk}/#claim-{new.pk}")
    assert new.parent_relations.get().stance == "con"


def test_adding_with_htmx_returns_the_branch_and_the_parent_out_of_band(client, cast, thesis):
    client.force_login(cast.writer)
    response = client.post(url("claim_add", thesis), {"stance": "pro", "text": "In place."}, **HTMX)
    body = response.content.decode()
    new = Claim.objects.get(text="In place.")
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#children-{thesis.pk}"
    assert f'id="claim-{new.pk}"' in body
    assert re.search(rf'id="body-{thesis.pk}"[^>]*hx-swap-oob="true"', body)
    assert "1 pro, 0 cons" in body
    assert "claimChanged" in response["HX-Trigger"]


def test_a_suggestion_is_pending_and_shown_to_its_author(client, cast, debate, thesis):
    client.force_login(cast.suggester)
    client.post(url("claim_add", thesis), {"stance": "pro", "text": "Maybe so."})
    claim = Claim.objects.get(text="Maybe so.")
    assert claim.status == Claim.Status.PENDING
    assert "Awaiting approval" in client.get(debate.get_absolute_url()).content.decode()
    client.force_login(cast.writer)
    assert "Maybe so." not in client.get(debate.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"stance": "pro", "text": ""}, "cannot be empty"),
        ({"stance": "pro", "text": "   "}, "cannot be empty"),
        ({"stance": "pro", "text": "x" * 501}, "500 characters"),
        ({"stance": "sideways", "text": "Valid words."}, "pro or a con"),
    ],
)
def test_bad_claims_get_a_clear_message_and_write_nothing(client, cast, thesis, data, message):
    client.force_login(cast.writer)
    for extra in ({}, HTMX):
        response = client.post(url("claim_add", thesis), data, **extra)
        assert response.status_code == 422
        assert message in response.content.decode()
    assert Claim.objects.count() == 1


def test_a_double_submitted_form_makes_one_claim(client, cast, thesis):
    client.force_login(cast.writer)
    for _ in range(2):
        client.post(url("claim_add", thesis), {"stance": "pro", "text": "Only once."})
    assert Claim.objects.filter(text="Only once.").count() == 1


@pytest.mark.parametrize("persona", ["viewer", "stranger_on_viewer_debate"])
def test_a_forged_post_without_the_right_role_is_403(client, cast, debate, thesis, persona):
    if persona == "stranger_on_viewer_debate":
        debate.default_role = "viewer"
        debate.save()
        client.force_login(cast.stranger)
    else:
        client.force_login(cast.viewer)
    response = client.post(url("claim_add", thesis), {"stance": "pro", "text": "Forged."})
    assert response.status_code == 403
    assert not Claim.objects.filter(text="Forged.").exists()


def test_anonymous_visitors_are_sent_to_log_in_or_refused(client, thesis):
    get = client.get(url("claim_add", thesis), {"stance": "pro"})
    assert get.status_code == 302 and "/accounts/login/" in get["Location"]
    assert client.post(url("claim_add", thesis), {"stance": "pro", "text": "x"}).status_code == 403


def test_posts_need_the_csrf_token(cast, thesis):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.writer)
    response = strict.post(url("claim_add", thesis), {"stance": "pro", "text": "No token."})
    assert response.status_code == 403
    assert not Claim.objects.filter(text="No token.").exists()


def test_a_missing_or_hidden_parent_is_a_404(client, cast, debate, pro):
    client.force_login(cast.writer)
    missing = reverse("arguments:claim_add", kwargs={"slug": debate.slug, "pk": 999999})
    assert client.post(missing, {"stance": "pro", "text": "Orphan."}).status_code == 404
    services.claim_hide(actor=cast.moderator, claim=pro)
    assert client.post(url("claim_add", pro), {"stance": "pro", "text": "x"}).status_code == 404


def test_a_private_debate_is_a_404_to_strangers_even_for_writes(client, cast, debate, thesis):
    debate.visibility = Debate.Visibility.PRIVATE
    debate.save()
    client.force_login(cast.stranger)
    assert client.post(url("claim_add", thesis), {"stance": "pro", "text": "x"}).status_code == 404


# ---------------------------------------------------------------- editing


def test_the_author_edits_in_place(client, cast, pro):
    client.force_login(cast.writer)
    assert b"<html" not in client.get(url("claim_edit", pro), **HTMX).content
    response = client.post(url("claim_edit", pro), {"text": "Sharper words."}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Retarget"] == f"#body-{pro.pk}"
    assert "Sharper words." in response.content.decode()
    pro.refresh_from_db()
    assert pro.text == "Sharper words."


def test_editing_someone_elses_claim_is_403(client, cast, pro):
    client.force_login(cast.suggester)
    assert client.post(url("claim_edit", pro), {"text": "Mine now."}).status_code == 403
    pro.refresh_from_db()
    assert pro.text != "Mine now."


def test_an_edit_to_empty_text_is_refused(client, cast, pro):
    client.force_login(cast.writer)
    response = client.post(url("claim_edit", pro), {"text": " "})
    assert response.status_code == 422 and b"cannot be empty" in response.content


# ---------------------------------------------------------------- sources


def test_a_source_is_attached_and_reused(client, cast, pro, con):
    client.force_login(cast.writer)
    data = {"url": "https://example.org/study", "title": "A study", "quote": "It helps.",
            "kind": "paper"}  # fmt: skip
    page = client.post(url("claim_cite", pro), data)
    assert page.status_code == 302
    fragment = client.post(url("claim_cite", con), data | {"quote": "It hurts."}, **HTMX)
    assert fragment["HX-Retarget"] == f"#body-{con.pk}"
    assert "A study" in fragment.content.decode()
    assert Source.objects.count() == 1 and Citation.objects.count() == 2


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "ftp://example.org/", "example"])
def test_a_source_must_be_http(client, cast, pro, bad):
    client.force_login(cast.writer)
    response = client.post(url("claim_cite", pro), {"url": bad, "title": "T", "kind": "other"})
    assert response.status_code == 422 and b"http" in response.content
    assert not Source.objects.exists()


def test_viewers_cannot_cite(client, cast, pro):
    client.force_login(cast.viewer)
    data = {"url": "https://example.org/", "title": "T", "kind": "other"}
    assert client.post(url("claim_cite", pro), data).status_code == 403


# ---------------------------------------------------------------- links


def test_the_link_picker_searches_and_links(client, cast, pro, con):
    client.force_login(cast.writer)
    results = client.get(url("claim_link", con), {"q": "spread", "part": "results"}, **HTMX)
    assert pro.text in results.content.decode() and b"<html" not in results.content
    response = client.post(url("claim_link", con), {"stance": "con", "claim": pro.pk}, **HTMX)
    assert response.status_code == 200
    link = Relation.objects.get(parent=con, child=pro)
    assert link.is_link and link.stance == "con"
    assert "Linked claim" in response.content.decode()


def test_a_link_to_another_debate_is_refused(client, cast, pro):
    elsewhere = ThesisFactory(debate=DebateFactory())
    client.force_login(cast.writer)
    response = client.post(url("claim_link", pro), {"stance": "pro", "claim": elsewhere.pk})
    assert response.status_code == 422 and b"this debate" in response.content
    assert not Relation.objects.filter(child=elsewhere).exists()


def test_a_claim_cannot_be_linked_where_it_already_stands(client, cast, thesis, pro):
    client.force_login(cast.writer)
    response = client.post(url("claim_link", thesis), {"stance": "pro", "claim": pro.pk})
    assert response.status_code == 422 and b"already" in response.content


def test_suggesters_cannot_link(client, cast, pro, con):
    client.force_login(cast.suggester)
    assert (
        client.post(url("claim_link", con), {"stance": "pro", "claim": pro.pk}).status_code == 403
    )


# ---------------------------------------------------------------- new debates


def test_a_signed_in_user_starts_a_debate(client, cast):
    client.force_login(cast.stranger)
    data = {"title": "Is tea better than coffee?", "thesis": "Tea is better.",
            "visibility": "public", "default_role": "suggester"}  # fmt: skip
    response = client.post(reverse("arguments:debate_new"), data)
    debate = Debate.objects.get(title="Is tea better than coffee?")
    assert response.status_code == 302 and response["Location"] == debate.get_absolute_url()
    assert debate.default_role == "suggester" and debate.owner == cast.stranger


def test_a_debate_needs_a_thesis_and_visitors_must_log_in(client, cast):
    data = {"title": "Q?", "thesis": " ", "visibility": "public", "default_role": "writer"}
    assert client.post(reverse("arguments:debate_new"), data).status_code == 302  # to login
    client.force_login(cast.stranger)
    response = client.post(reverse("arguments:debate_new"), data)
    assert response.status_code == 422
    assert not Debate.objects.filter(title="Q?").exists()


def test_approving_in_place_refreshes_the_claims_badge(client, cast, thesis):
    pending = services.claim_add(actor=cast.suggester, parent=thesis, stance="pro", text="Maybe.")
    client.force_login(cast.moderator)
    assert "Awaiting approval" in client.get(pending.get_absolute_url()).content.decode()
    response = client.post(url("claim_approve", pending), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and response["HX-Retarget"] == f"#body-{pending.pk}"
    assert "Awaiting approval" not in body and "Maybe." in body


# ---------------------------------------------------------------- where a form stands


@pytest.mark.parametrize(
    "name", ["claim_add", "claim_edit", "claim_cite", "claim_link", "claim_annotate"]
)
def test_a_form_on_its_own_page_posts_plainly_and_in_a_slot_with_htmx(client, cast, pro, name):
    """On its own page a form has no slot to swap into: it must not carry htmx's target
    (htmx would send nothing); opened in the claim's slot it posts with htmx."""
    client.force_login(cast.owner)
    alone = client.get(url(name, pro)).content.decode()
    assert "<html" in alone
    assert f'hx-target="#slot-{pro.pk}"' not in alone
    assert 'method="post"' in alone
    slotted = client.get(url(name, pro), HTTP_HX_TARGET=f"slot-{pro.pk}", **HTMX).content.decode()
    assert f'hx-target="#slot-{pro.pk}"' in slotted and "hx-post=" in slotted


def test_an_add_in_place_answers_at_the_levels_of_the_page_it_was_opened_on(
    client, cast, debate, pro
):
    """On the debate page a pro stands at aria-level 2: its add link carries its depth, the
    form in its slot carries it on, and the answer re-renders the pro at level 2 and the new
    claim at level 3 (it re-rendered them at the pro's focus page's 1 and 2)."""
    client.force_login(cast.writer)
    page = client.get(debate.get_absolute_url()).content.decode()
    add = f"{url('claim_add', pro)}?stance=con&amp;depth=1"
    assert f'href="{add}"' in page
    slot = {"HTTP_HX_TARGET": f"slot-{pro.pk}", **HTMX}
    form = client.get(add.replace("&amp;", "&"), **slot).content.decode()
    assert '<input type="hidden" name="depth" value="1">' in form
    text = "Open weights let outsiders find flaws sooner."
    data = {"stance": "con", "text": text, "depth": "1", "anyway": "1"}
    answer = client.post(url("claim_add", pro), data, **slot).content.decode()
    new = Claim.objects.get(text=text)
    assert re.search(rf'id="body-{pro.pk}"[^>]* aria-level="2"', answer)
    assert re.search(rf'id="body-{new.pk}"[^>]* aria-level="3"', answer)
    # On the pro's own page it stands at the top: its links carry no depth, and a form
    # without one answers at levels 1 and 2.
    focus = client.get(pro.get_absolute_url()).content.decode()
    assert f'href="{url("claim_add", pro)}?stance=con"' in focus
    plain = data | {"text": "Their flaws are found sooner.", "depth": ""}
    answer = client.post(url("claim_add", pro), plain, **slot).content.decode()
    assert re.search(rf'id="body-{pro.pk}"[^>]* aria-level="1"', answer)
    # A depth that is no level is refused before anything is written.
    written = Claim.objects.count()
    assert client.post(url("claim_add", pro), data | {"depth": "-1"}, **slot).status_code == 400
    assert Claim.objects.count() == written


def test_similar_claims_keep_the_place_of_their_form(client, cast, pro, con):
    client.force_login(cast.writer)
    query = {
        "part": "similar",
        "stance": "con",
        "text": "Released weights cannot ever be recalled.",
    }
    alone = client.get(url("claim_add", pro), query, **HTMX).content.decode()
    assert "Link this one instead" in alone and "hx-post" not in alone
    slotted = client.get(url("claim_add", pro), query | {"slot": "1"}, **HTMX).content.decode()
    assert f'hx-target="#slot-{pro.pk}"' in slotted


# ---------------------------------------------------------------- controls in sight


def test_the_columns_offer_add_pro_and_add_con_to_those_who_may(client, cast, debate, thesis):
    page = debate.get_absolute_url()
    client.force_login(cast.owner)
    body = client.get(page).content.decode()
    add_pro = url("claim_add", thesis) + "?stance=pro"
    add_con = url("claim_add", thesis) + "?stance=con"
    assert f'<a href="{add_pro}" class="column-add action-pro">Add pro</a>' in body
    assert f'<a href="{add_con}" class="column-add action-con">Add con</a>' in body
    # A new thesis's empty columns say so, and point to the button above.
    assert "No cons yet — add one above." in body and "No pros yet — add one above." in body
    client.logout()
    visitor = client.get(page).content.decode()
    assert "column-add" not in visitor and "add one" not in visitor
    assert "No cons yet." in visitor


@pytest.mark.parametrize("size", [10, 2000])
def test_a_write_through_the_view_costs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, size
):
    debate = build_debate(size, slug=f"w-{size}")
    parent = debate.claims.order_by("id")[1]
    client.force_login(debate.owner)
    client.get(url("claim", parent))  # the worker holds the debate, as the writer's did
    data = {"stance": "pro", "anyway": "1"}
    # Before the write: session, user, debate, the parent, the rate limit. The write: the
    # twin and the position (one aggregate), the claim and its history, the relation and
    # its history, the version (one UPDATE ... RETURNING), the change record, the follow,
    # the notice's task (+ savepoints in tests). After it: the debate again, the catch-up
    # (versions, the changed claims, their relations, citations, notes), the strengths and
    # sizes it stored (stamp, rows; sizes read, stamp, rows), my votes, my notices: 27 with
    # the transactions' statements (32 before issue 35w: the version read apart, the
    # position apart, the follow looked up first in a savepoint). If this grows, say why.
    for n in range(2):
        with django_assert_max_num_queries(27) as captured:
            response = client.post(url("claim_add", parent), data | {"text": f"New {n}."}, **HTMX)
        assert response.status_code == 200 and f"New {n}." in response.content.decode()
    sql = [q["sql"] for q in captured.captured_queries]
    # The catch-up finds the relations by the changed claims' ids (their indexes), not by
    # the debate's: that walked every relation of the debate on every write.
    relinked = [s for s in sql if "arguments_relation" in s and '"child_id" IN' in s]
    assert relinked and all('"debate_id"' not in s.split("WHERE")[1] for s in relinked)
    assert Relation.objects.filter(parent=parent).order_by("-position")[0].child.text == "New 1."
