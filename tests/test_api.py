"""The JSON API (issue 32): tokens made and revoked on the profile page, reads through the
lens, cursors, ETags, problems, rate limits, and the write API's votes and notes."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from arguments import services
from arguments.models import AccessToken, Annotation, Claim, Debate, Stance, Vote
from arguments.rules import limits
from arguments.services.tokens import token_digest
from tests.conftest import build_debate

pytestmark = pytest.mark.django_db

API = "/api/v1"
THESIS = "Developers should release model weights openly."


def token_for(user, scope: str = "read") -> str:
    _token, secret = services.token_create(actor=user, name="script", scope=scope)
    return secret


def call(client: Client, method: str, path: str, secret: str | None = None, **kwargs):
    headers = kwargs.pop("headers", {})
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    return getattr(client, method)(
        API + path, headers=headers, content_type="application/json", **kwargs
    )


def get(client: Client, path: str, secret: str | None = None, **headers: str):
    return call(client, "get", path, secret, headers=headers)


def problem_of(answer, status: int) -> dict:
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    body = answer.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


# -- reading ------------------------------------------------------------------------------


def test_a_visitor_reads_a_public_debate_without_a_key(client, debate, pro, con):
    answer = get(client, f"/debates/{debate.slug}")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["stats"] | {} == {
        "claims": 3, "theses": 1, "pros": 1, "cons": 1, "sources": 0, "votes": 0, "pending": 0,
    }  # fmt: skip
    assert body["role"] is None
    assert [t["text"] for t in body["theses"]] == [THESIS]
    listed = get(client, "/debates").json()
    assert [d["slug"] for d in listed["items"]] == [debate.slug]
    assert listed["items"][0]["claim_count"] == 3


def test_a_claim_with_its_pros_cons_sources_notes_and_strength(
    client, debate, thesis, pro, con, cast
):
    services.source_cite(
        actor=cast.writer, claim=pro, url="https://example.org/a", quote="Said so."
    )
    services.annotation_add(actor=cast.writer, claim=pro, body="A public note.")
    services.annotation_add(
        actor=cast.writer, claim=pro, body="Only members.", visibility=Annotation.Visibility.DEBATE
    )
    services.vote_cast(user=cast.viewer, point=pro.parent_relations.get(), value=4)
    body = get(client, f"/debates/{debate.slug}/claims/{thesis.pk}").json()
    assert [c["id"] for c in body["pros"]] == [pro.pk]
    assert [c["id"] for c in body["cons"]] == [con.pk]
    assert body["why"]["contributions"][0]["claim_id"] == pro.pk
    detail = get(client, f"/debates/{debate.slug}/claims/{pro.pk}").json()
    assert detail["sources"][0]["url"] == "https://example.org/a"
    assert [n["body"] for n in detail["notes"]] == ["A public note."]  # a visitor's notes
    assert detail["votes"] == {"hidden": False, "counts": [0, 0, 0, 0, 1], "total": 1, "mine": None}
    member = token_for(cast.viewer)
    detail = get(client, f"/debates/{debate.slug}/claims/{pro.pk}", member).json()
    assert [n["body"] for n in detail["notes"]] == ["A public note.", "Only members."]
    assert detail["votes"]["mine"] == 4


def test_claims_page_by_cursor_in_id_order(client):
    debate = build_debate(25)
    first = get(client, f"/debates/{debate.slug}/claims?limit=10").json()
    assert first["total"] == 25 and len(first["items"]) == 10
    ids = [c["id"] for c in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = get(client, f"/debates/{debate.slug}/claims?limit=10&cursor={cursor}").json()
        ids += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
    assert ids == sorted(ids) and len(set(ids)) == 25
    problem_of(get(client, f"/debates/{debate.slug}/claims?cursor=abc"), 400)


def test_the_tree_unfolds_as_deep_as_asked(client):
    debate = build_debate(25)
    tree = get(client, f"/debates/{debate.slug}/tree?levels=1").json()
    assert len(tree) == 1 and len(tree[0]["pros"]) + len(tree[0]["cons"]) == 4
    assert all(c["pros"] == [] and c["cons"] == [] for c in tree[0]["pros"])
    deeper = get(client, f"/debates/{debate.slug}/tree?levels=2").json()
    assert any(c["pros"] for c in deeper[0]["pros"])


def test_guided_voting_hides_the_distribution_until_one_votes(client, debate, pro, cast):
    debate.hide_votes_until_voted = True
    debate.save(update_fields=["hide_votes_until_voted"])
    services.vote_cast(user=cast.viewer, point=pro.parent_relations.get(), value=3)
    writer = token_for(cast.writer, "write")
    votes = get(client, f"/debates/{debate.slug}/claims/{pro.pk}", writer).json()["votes"]
    assert votes == {"hidden": True, "counts": None, "total": 1, "mine": None}
    answer = call(
        client, "put", f"/debates/{debate.slug}/claims/{pro.pk}/vote", writer, data={"value": 1}
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["votes"] == {
        "hidden": False, "counts": [0, 1, 0, 1, 0], "total": 2, "mine": 1,
    }  # fmt: skip


def test_pseudonyms_not_usernames(client, debate, pro, cast):
    services.debate_make_pseudonymous(actor=cast.owner, debate=debate)
    body = get(client, f"/debates/{debate.slug}/claims/{pro.pk}").json()
    assert body["author"] != cast.writer.username
    assert cast.owner.username not in get(client, f"/debates/{debate.slug}").content.decode()


def test_activity_is_for_the_owner_and_moderators(client, debate, pro, cast):
    rows = get(client, f"/debates/{debate.slug}/activity", token_for(cast.moderator))
    assert rows.status_code == 200
    assert {r["username"] for r in rows.json()} >= {"wren"}
    problem_of(get(client, f"/debates/{debate.slug}/activity", token_for(cast.writer)), 403)
    problem_of(get(client, f"/debates/{debate.slug}/activity"), 403)


def test_cruxes_and_gaps(client, debate, pro, con, cast):
    assert get(client, f"/debates/{debate.slug}/cruxes").json() == []
    gaps = get(client, f"/debates/{debate.slug}/gaps").json()
    assert gaps["unsourced"]["total"] >= 2
    assert gaps["pending"]["total"] == 0


def test_debates_search_and_cursor(client, cast):
    for n in range(3):
        services.debate_create(
            owner=cast.owner, title=f"Cats or dogs {n}?", thesis="Cats.", visibility="public"
        )
    services.debate_create(
        owner=cast.owner, title="Tea or coffee?", thesis="Tea.", visibility="public"
    )
    found = get(client, "/debates?q=dogs&limit=2").json()
    assert [d["title"] for d in found["items"]] == ["Cats or dogs 2?", "Cats or dogs 1?"]
    rest = get(client, f"/debates?q=dogs&limit=2&cursor={found['next_cursor']}").json()
    assert [d["title"] for d in rest["items"]] == ["Cats or dogs 0?"]
    assert rest["next_cursor"] is None


# -- tokens -------------------------------------------------------------------------------


def test_a_token_is_made_on_the_profile_page_shown_once_and_stored_hashed(client, cast):
    client.force_login(cast.writer)
    page = client.post(reverse("arguments:token_create"), {"name": "My script", "scope": "write"})
    assert page.status_code == 201
    token = AccessToken.objects.get(user=cast.writer)
    html = page.content.decode()
    secret = html.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert secret.startswith("dm_") and token.digest == token_digest(secret)
    assert secret not in str(AccessToken.objects.filter(pk=token.pk).values().get())
    assert token.scope == "write"
    again = client.get(reverse("arguments:profile")).content.decode()
    assert secret not in again and token.prefix in again


def test_a_revoked_token_reads_nothing(client, cast, debate):
    secret = token_for(cast.writer)
    assert get(client, "/debates", secret).status_code == 200
    client.force_login(cast.writer)
    token = AccessToken.objects.get(user=cast.writer)
    answer = client.post(reverse("arguments:token_revoke", args=[token.pk]))
    assert answer.status_code == 302
    body = problem_of(get(Client(), "/debates", secret), 401)
    assert "revoked" in body["detail"]


def test_no_one_revokes_anothers_token(client, cast):
    secret = token_for(cast.writer)
    token = AccessToken.objects.get(user=cast.writer)
    client.force_login(cast.stranger)
    assert client.post(reverse("arguments:token_revoke", args=[token.pk])).status_code == 403
    assert get(Client(), "/debates", secret).status_code == 200


def test_a_wrong_token_or_scheme_is_refused_not_read_as_a_visitor(client, debate):
    problem_of(get(client, "/debates", "dm_not-a-token"), 401)
    answer = get(client, "/debates", HTTP_AUTHORIZATION="Basic Zm9vOmJhcg==")
    answer = client.get(f"{API}/debates", headers={"Authorization": "Basic Zm9vOmJhcg=="})
    assert problem_of(answer, 401)
    assert answer["WWW-Authenticate"].startswith("Bearer")


def test_the_session_cookie_lends_no_rights(client, cast, debate):
    """The API reads the token alone: a signed-in browser reads as a visitor (no CSRF)."""
    debate.visibility = Debate.Visibility.PRIVATE
    debate.save(update_fields=["visibility"])
    client.force_login(cast.owner)
    problem_of(get(client, f"/debates/{debate.slug}"), 404)
    assert get(client, f"/debates/{debate.slug}", token_for(cast.owner)).status_code == 200


# -- HTTP: ETags, problems, limits -------------------------------------------------------


def test_etag_and_if_none_match(client, debate, pro, cast):
    first = get(client, f"/debates/{debate.slug}")
    etag = first["ETag"]
    assert etag and "Authorization" in first["Vary"]
    again = get(client, f"/debates/{debate.slug}", HTTP_IF_NONE_MATCH=etag)
    again = client.get(f"{API}/debates/{debate.slug}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    services.claim_add(actor=cast.writer, parent=pro, stance=Stance.CON, text="Not so.")
    changed = client.get(f"{API}/debates/{debate.slug}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_problems_for_unknown_debates_claims_and_bad_input(client, debate, thesis):
    problem_of(get(client, "/debates/no-such-debate"), 404)
    problem_of(get(client, f"/debates/{debate.slug}/claims/999999"), 404)
    body = problem_of(get(client, f"/debates/{debate.slug}/claims?limit=0"), 422)
    assert body["errors"]


def test_too_many_requests_say_when_to_try_again(client, debate, monkeypatch):
    monkeypatch.setitem(
        limits.WRITE_LIMITS, "api", limits.WriteLimit(2, 2, limits.timedelta(minutes=1), "x")
    )
    get(client, "/debates")
    get(client, "/debates")
    answer = get(client, "/debates")
    problem_of(answer, 429)
    assert int(answer["Retry-After"]) >= 1


def test_the_schema_and_the_docs_are_served(client):
    schema = client.get(f"{API}/openapi.json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.1")
    answers = document["paths"]["/api/v1/debates/{slug}"]["get"]["responses"]
    assert "application/problem+json" in answers["404"]["content"]
    docs = client.get(f"{API}/docs")
    assert docs.status_code == 200
    assert b"swagger-ui-bundle.js" in docs.content
    assert b"cdn." not in docs.content


# -- writing ------------------------------------------------------------------------------


def test_a_write_token_votes_changes_and_withdraws(client, debate, pro, cast):
    writer = token_for(cast.writer, "write")
    path = f"/debates/{debate.slug}/claims/{pro.pk}/vote"
    assert call(client, "put", path, writer, data={"value": 3}).json()["votes"]["mine"] == 3
    assert call(client, "put", path, writer, data={"value": 1}).json()["votes"]["mine"] == 1
    assert Vote.objects.get(user=cast.writer).value == 1
    withdrawn = call(client, "delete", path, writer)
    assert withdrawn.status_code == 200 and withdrawn.json()["votes"]["mine"] is None
    assert not Vote.objects.filter(user=cast.writer).exists()
    problem_of(call(client, "put", path, writer, data={"value": 5}), 422)


def test_writes_need_a_write_token_and_the_role(client, debate, pro, cast):
    path = f"/debates/{debate.slug}/claims/{pro.pk}/vote"
    problem_of(call(client, "put", path, data={"value": 3}), 401)
    problem_of(call(client, "put", path, token_for(cast.writer), data={"value": 3}), 403)
    debate.voting_enabled = False
    debate.save(update_fields=["voting_enabled"])
    problem_of(call(client, "put", path, token_for(cast.writer, "write"), data={"value": 3}), 403)
    assert not Vote.objects.exists()


def test_a_note_and_a_reply_through_the_service(client, debate, pro, cast):
    writer = token_for(cast.writer, "write")
    path = f"/debates/{debate.slug}/claims/{pro.pk}/notes"
    answer = call(client, "post", path, writer, data={"body": "Which access?", "exact": "access"})
    assert answer.status_code == 201, answer.content
    note = Annotation.objects.get()
    assert note.author == cast.writer and note.exact == "access"
    reply = call(client, "post", path, writer, data={"body": "Yes.", "parent_id": note.pk})
    assert reply.status_code == 201
    assert Annotation.objects.get(body="Yes.").parent == note
    problem_of(
        call(client, "post", path, writer, data={"body": "", "motivation": "commenting"}), 422
    )
    problem_of(call(client, "post", path, writer, data={"body": "x", "exact": "absent words"}), 422)


def test_a_visitor_never_learns_of_a_hidden_claim(client, debate, pro, cast):
    services.claim_hide(actor=cast.moderator, claim=pro)
    problem_of(get(client, f"/debates/{debate.slug}/claims/{pro.pk}"), 404)
    moderator = token_for(cast.moderator)
    seen = get(client, f"/debates/{debate.slug}/claims/{pro.pk}", moderator).json()
    assert seen["status"] == Claim.Status.HIDDEN


def test_claim_list_costs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    debate = build_debate(300)
    get(client, f"/debates/{debate.slug}/claims")  # the structure loaded and kept
    with django_assert_max_num_queries(3):  # the debate, the stored rate count may cost one
        assert get(client, f"/debates/{debate.slug}/claims?limit=200").status_code == 200


def test_a_token_needs_a_name_and_a_scope(client, cast):
    client.force_login(cast.writer)
    unnamed = client.post(reverse("arguments:token_create"), {"name": " ", "scope": "read"})
    assert unnamed.status_code == 422 and "Name the token" in unnamed.content.decode()
    unscoped = client.post(reverse("arguments:token_create"), {"name": "x", "scope": "admin"})
    assert unscoped.status_code == 422
    assert not AccessToken.objects.exists()


def test_a_visitor_makes_no_token(client):
    answer = client.post(reverse("arguments:token_create"), {"name": "x", "scope": "write"})
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
    assert not AccessToken.objects.exists()


def test_problem_details_stay_english_whatever_language_the_client_asks_for(
    client, debate, pro, cast
):
    """A program reads them (docs/I18N.md): a French Accept-Language or cookie changes no word."""
    writer = token_for(cast.writer, "write")
    path = f"/debates/{debate.slug}/claims/{pro.pk}/notes"
    client.cookies["django_language"] = "fr"
    answer = call(
        client,
        "post",
        path,
        writer,
        data={"body": "x", "exact": "absent words"},
        headers={"Accept-Language": "fr"},
    )
    english = problem_of(answer, 422)
    del client.cookies["django_language"]
    again = problem_of(
        call(client, "post", path, writer, data={"body": "x", "exact": "absent words"}), 422
    )
    assert english["detail"] == again["detail"]
    assert answer.get("Content-Language", "en") == "en"
