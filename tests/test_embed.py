"""Embed pages (/embed/d/<slug>/, one claim's branch), their options, the Embed dialog, and
the framing policy of every page: only embeds may be framed, by the debate's allow-list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Claim, Debate, Stance

pytestmark = pytest.mark.django_db


@pytest.fixture
def sub_pro(pro: Claim, cast) -> Claim:
    """A pro of the pro: two levels under the thesis, folded when depth is 1."""
    return services.claim_add(
        actor=cast.writer, parent=pro, stance=Stance.PRO, text="Researchers can audit them."
    )


def embed_url(debate: Debate, claim: Claim | None = None, query: str = "") -> str:
    if claim is None:
        url = reverse("arguments:embed_debate", args=[debate.slug])
    else:
        url = reverse("arguments:embed_claim", args=[debate.slug, claim.pk])
    return f"{url}?{query}" if query else url


def frame_ancestors(response) -> str:
    policy = response.headers.get("Content-Security-Policy", "")
    for directive in policy.split(";"):
        name, _, value = directive.strip().partition(" ")
        if name == "frame-ancestors":
            return value
    return ""


# The embed pages, four ways ---------------------------------------------------------------


def test_it_shows_the_map_read_only_with_a_header(client, debate, thesis, pro, con, sub_pro):
    response = client.get(embed_url(debate))
    assert response.status_code == 200
    body = response.content.decode()
    assert thesis.text in body and pro.text in body and con.text in body
    assert sub_pro.text in body  # depth 2 by default, as on the debate page
    assert 'role="tree"' in body
    assert "Open in new tab to take part" in body
    assert debate.get_absolute_url() in body
    assert "Add pro" not in body and "Edit" not in body
    assert "embed-frame.js" in body


def test_it_shows_strength_and_vote_summaries_but_no_vote_form(client, cast, debate, thesis, pro):
    body = client.get(embed_url(debate)).content.decode()
    assert 'class="votes"' in body and "not yet rated" in body  # no vote: no default 50 %
    services.vote_cast(user=cast.writer, point=thesis, value=3)
    body = client.get(embed_url(debate)).content.decode()
    assert 'class="votes"' in body and "Strength" in body
    assert "vote-form" not in body and "csrfmiddlewaretoken" not in body


def test_its_why_link_explains_strength_cross_origin(client, debate, thesis, pro, cast):
    client.force_login(cast.owner)  # ignored: the frame is anonymous
    url = reverse("arguments:embed_why", args=[debate.slug, thesis.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert frame_ancestors(response) == "'self' https:"
    Debate.objects.filter(pk=debate.pk).update(visibility=Debate.Visibility.PRIVATE)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 405


def test_it_needs_no_cookie_and_sets_none(client, debate, thesis):
    response = client.get(embed_url(debate))
    assert response.status_code == 200
    assert not response.cookies  # no session, no CSRF cookie: works in a sandboxed frame
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_it_ignores_the_visitors_session(client, debate, thesis, pro, cast):
    client.force_login(cast.owner)
    body = client.get(embed_url(debate)).content.decode()
    assert pro.text in body
    assert "Add pro" not in body and "Edit" not in body and "X-CSRFToken" not in body


def test_it_shows_one_claim_and_its_branch(client, debate, thesis, pro, con, sub_pro):
    response = client.get(embed_url(debate, pro))
    assert response.status_code == 200
    body = response.content.decode()
    assert pro.text in body and sub_pro.text in body
    assert con.text not in body
    assert "Whole map" in body
    assert reverse("arguments:claim", args=[debate.slug, pro.pk]) in body


def test_its_branch_fragment_is_one_level_and_allowed_cross_origin(
    client, debate, thesis, pro, sub_pro
):
    response = client.get(embed_url(debate, pro, "part=branch&depth=1"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert f'id="children-{pro.pk}"' in body
    assert sub_pro.text in body
    assert 'aria-level="3"' in body
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert not response.cookies


def test_it_answers_a_cors_preflight(client, debate, thesis):
    response = client.options(
        embed_url(debate, thesis, "part=branch"),
        HTTP_ORIGIN="null",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="hx-request",
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "HX-Request" in response.headers["Access-Control-Allow-Headers"]


def test_it_refuses_to_write(client, debate, thesis):
    assert client.post(embed_url(debate)).status_code == 405


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("depth=0", [], ["pro", "con"]),
        ("depth=1", ["pro", "con"], ["sub_pro"]),
        ("depth=3", ["pro", "con", "sub_pro"], []),
    ],
)
def test_its_depth_option_opens_that_many_levels(
    client, debate, thesis, pro, con, sub_pro, query, shown, hidden
):
    claims = {"pro": pro, "con": con, "sub_pro": sub_pro}
    body = client.get(embed_url(debate, query=query)).content.decode()
    assert thesis.text in body
    for name in shown:
        assert claims[name].text in body
    for name in hidden:
        assert claims[name].text not in body


def test_its_theme_and_header_options(client, debate, thesis):
    body = client.get(embed_url(debate, query="theme=dark&header=0")).content.decode()
    assert "theme-dark" in body
    assert "Open in new tab to take part" not in body
    # Kept when following a claim: its link in the frame carries the options.
    assert f'href="{embed_url(debate, thesis)}?theme=dark&amp;header=0"' in body
    assert "theme-light" in client.get(embed_url(debate)).content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("depth=99", "depth must be"),
        ("depth=-1", "depth must be"),
        ("depth=two", "depth must be"),
        ("theme=neon", "theme must be"),
        ("header=maybe", "header must be"),
    ],
)
def test_a_bad_option_is_a_clear_400(client, debate, thesis, query, message):
    response = client.get(embed_url(debate, query=query))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_hidden_claim_is_a_404(client, debate, thesis, pro, sub_pro, cast):
    services.claim_hide(actor=cast.moderator, claim=pro)
    assert client.get(embed_url(debate, pro)).status_code == 404
    # Its branch goes with it, and the map no longer shows it.
    assert client.get(embed_url(debate, sub_pro)).status_code == 404
    assert client.get(embed_url(debate, pro, "part=branch")).status_code == 404
    assert pro.text not in client.get(embed_url(debate)).content.decode()


def test_a_hidden_claim_stays_hidden_even_from_its_moderator(client, debate, thesis, pro, cast):
    services.claim_hide(actor=cast.moderator, claim=pro)
    client.force_login(cast.moderator)
    assert client.get(embed_url(debate, pro)).status_code == 404


def test_unknown_debates_and_claims_are_404(client, debate, thesis, con):
    assert client.get("/embed/d/no-such-debate/").status_code == 404
    assert client.get(f"/embed/d/{debate.slug}/claims/999999/").status_code == 404
    other = services.debate_create(
        owner=debate.owner, title="Another question?", thesis="Another thesis."
    )
    # A claim of another debate is not a claim of this one.
    assert client.get(embed_url(other, con)).status_code == 404


def test_a_private_debate_is_not_embeddable(client, debate, thesis, pro, cast):
    Debate.objects.filter(pk=debate.pk).update(visibility=Debate.Visibility.PRIVATE)
    client.force_login(cast.owner)  # not even for its owner: an embed has no reader
    for url in (embed_url(debate), embed_url(debate, pro), embed_url(debate, pro, "part=branch")):
        response = client.get(url)
        assert response.status_code == 404  # as if there were none: the slug tells nothing
        body = response.content.decode()
        assert "no embeddable debate" in body and "LTI" in body
        assert thesis.text not in body and pro.text not in body
        missing = client.get(url.replace(debate.slug, "no-such-debate"))
        assert (missing.status_code, missing.content) == (404, response.content)


def test_an_unlisted_debate_is_embeddable(client, debate, thesis):
    Debate.objects.filter(pk=debate.pk).update(visibility=Debate.Visibility.UNLISTED)
    assert client.get(embed_url(debate)).status_code == 200


def test_a_merged_claim_follows_its_merge(client, debate, thesis, pro):
    Claim.objects.filter(pk=pro.pk).update(merged_into=thesis)
    Claim.objects.filter(pk=pro.pk).update(status=Claim.Status.DELETED)
    response = client.get(embed_url(debate, pro, "theme=dark"))
    assert response.status_code == 302
    assert response["Location"] == embed_url(debate, thesis, "theme=dark")


def test_it_costs_a_fixed_number_of_queries(
    client, debate, thesis, pro, django_assert_max_num_queries
):
    client.get(embed_url(debate))  # warm the structure cache
    with django_assert_max_num_queries(2, info="an embed page: the debate, then the cache"):
        assert client.get(embed_url(debate)).status_code == 200


# Framing policy ---------------------------------------------------------------------------


def test_an_embed_may_be_framed_by_any_https_origin_by_default(client, debate, thesis):
    response = client.get(embed_url(debate))
    assert frame_ancestors(response) == "'self' https:"
    assert "X-Frame-Options" not in response.headers


def test_an_embed_may_be_framed_only_by_the_debates_allow_list(client, debate, thesis, pro):
    Debate.objects.filter(pk=debate.pk).update(
        embed_origins="https://school.example\n"
        "  https://*.moodle.example/  \n"
        "not an origin; script-src *\n"
        "HTTPS://School.example\n"
        "http://localhost:8080"
    )
    for url in (embed_url(debate), embed_url(debate, pro), embed_url(debate, pro, "part=branch")):
        response = client.get(url)
        assert frame_ancestors(response) == (
            "'self' https://school.example https://*.moodle.example http://localhost:8080"
        )
        policy = response.headers["Content-Security-Policy"]
        assert "script-src *" not in policy  # an origin cannot smuggle in a directive
        assert "script-src 'self' 'nonce-" in policy or "script-src 'self';" in policy


def test_embed_error_pages_may_show_in_any_frame(client, debate, thesis):
    response = client.get(embed_url(debate, query="depth=99"))
    assert frame_ancestors(response) == "*"
    assert "X-Frame-Options" not in response.headers


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "debate",
        "claim",
        "dialog",
        "/admin/login/",
        "/accounts/login/",
        "/accounts/signup/",
        "/oembed?url=x",
        "/no-such-page/",
    ],
)
def test_every_other_page_refuses_to_be_framed(client, debate, thesis, url):
    url = {
        "debate": debate.get_absolute_url(),
        "claim": thesis.get_absolute_url(),
        "dialog": reverse("arguments:embed_dialog", args=[debate.slug]),
    }.get(url, url)
    response = client.get(url)
    assert response.status_code in {200, 404}
    assert response.headers["X-Frame-Options"] == "DENY"
    assert frame_ancestors(response) == "'none'"


def test_a_signed_in_page_refuses_to_be_framed_too(client, debate, thesis, cast):
    client.force_login(cast.writer)
    response = client.get(debate.get_absolute_url())
    assert response.headers["X-Frame-Options"] == "DENY"
    assert frame_ancestors(response) == "'none'"


# The Embed dialog -------------------------------------------------------------------------


def test_the_debate_page_links_to_the_embed_dialog(client, debate, thesis, pro):
    dialog = reverse("arguments:embed_dialog", args=[debate.slug])
    assert f'href="{dialog}"' in client.get(debate.get_absolute_url()).content.decode()
    claim_page = client.get(pro.get_absolute_url()).content.decode()
    assert f'href="{dialog}?claim={pro.pk}"' in claim_page


def test_the_dialog_gives_the_snippet_the_oembed_url_and_a_preview(client, debate, thesis):
    response = client.get(reverse("arguments:embed_dialog", args=[debate.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body
    assert "&lt;iframe src=&quot;http://testserver/embed/d/" in body  # the snippet, escaped
    assert "sandbox=&quot;allow-scripts" in body
    assert "static/js/embed.js" in body
    assert "/oembed?url=http%3A%2F%2Ftestserver%2Fd%2F" in body
    assert f'class="embed-preview" src="/embed/d/{debate.slug}/"' in body
    assert "Any site served over https may show this debate" in body


def test_the_dialog_options_change_the_snippet_and_preview(client, debate, thesis, pro):
    url = reverse("arguments:embed_dialog", args=[debate.slug])
    response = client.get(url, {"claim": pro.pk, "depth": 1, "theme": "dark", "header": 0})
    body = response.content.decode()
    assert (
        f"/embed/d/{debate.slug}/claims/{pro.pk}/?depth=1&amp;amp;theme=dark&amp;amp;header=0"
        in body
    )
    assert (
        f'src="/embed/d/{debate.slug}/claims/{pro.pk}/?depth=1&amp;theme=dark&amp;header=0"' in body
    )


def test_the_dialog_as_an_htmx_fragment(client, debate, thesis):
    response = client.get(
        reverse("arguments:embed_dialog", args=[debate.slug]),
        {"theme": "dark"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert body.strip().startswith("{#") is False
    assert 'id="embed-dialog"' in body and "theme=dark" in body


def test_the_dialog_with_a_bad_option_says_so(client, debate, thesis):
    response = client.get(reverse("arguments:embed_dialog", args=[debate.slug]), {"depth": "9"})
    assert response.status_code == 400
    assert "depth must be" in response.content.decode()


def test_the_dialog_for_a_hidden_or_unknown_claim_is_a_404(client, debate, thesis, pro, cast):
    url = reverse("arguments:embed_dialog", args=[debate.slug])
    services.claim_hide(actor=cast.moderator, claim=pro)
    assert client.get(url, {"claim": pro.pk}).status_code == 404
    assert client.get(url, {"claim": "x"}).status_code == 404


def test_the_dialog_of_a_private_debate_offers_lti_only(client, debate, thesis, cast):
    Debate.objects.filter(pk=debate.pk).update(visibility=Debate.Visibility.PRIVATE)
    url = reverse("arguments:embed_dialog", args=[debate.slug])
    assert client.get(url).status_code == 404  # a stranger does not learn it exists
    client.force_login(cast.owner)
    body = client.get(url).content.decode()
    assert "cannot be embedded" in body
    assert "http://testserver/lti/login/" in body and "http://testserver/lti/jwks/" in body
    assert "&lt;iframe" not in body
