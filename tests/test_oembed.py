"""The oEmbed provider (/oembed) and the discovery links on debate and claim pages."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from arguments import services
from arguments.models import Debate

pytestmark = pytest.mark.django_db

OEMBED = "/oembed"


def page(debate: Debate, claim=None) -> str:
    path = claim.get_absolute_url() if claim else debate.get_absolute_url()
    return f"http://testserver{path}"


def test_it_describes_a_debate_as_a_rich_embed(client, debate, thesis):
    response = client.get(OEMBED, {"url": page(debate), "format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    data = response.json()
    assert data["version"] == "1.0"
    assert data["type"] == "rich"
    assert data["title"] == debate.title
    assert data["provider_name"] == "Debate map"
    assert data["provider_url"] == "http://testserver/"
    assert (data["width"], data["height"]) == (800, 600)
    html = data["html"]
    assert f'<iframe src="http://testserver/embed/d/{debate.slug}/"' in html
    assert 'width="800" height="600"' in html
    assert 'sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"' in html
    assert '<script src="http://testserver/static/js/embed.js" async></script>' in html


def test_format_defaults_to_json(client, debate, thesis):
    assert client.get(OEMBED, {"url": page(debate)}).status_code == 200


def test_it_describes_a_claim_as_its_branch(client, debate, thesis, pro):
    data = client.get(OEMBED, {"url": page(debate, pro)}).json()
    assert data["title"] == pro.text
    assert f"/embed/d/{debate.slug}/claims/{pro.pk}/" in data["html"]


def test_it_accepts_embed_urls_and_ignores_their_query(client, debate, thesis, pro):
    url = f"http://testserver/embed/d/{debate.slug}/claims/{pro.pk}/?theme=dark#x"
    data = client.get(OEMBED, {"url": url}).json()
    assert data["title"] == pro.text


def test_the_title_is_escaped_in_the_html(client, debate, thesis):
    Debate.objects.filter(pk=debate.pk).update(title='Is "<b>" bold?')
    html = client.get(OEMBED, {"url": page(debate)}).json()["html"]
    assert 'title="Argument map: Is &quot;&lt;b&gt;&quot; bold?"' in html


@pytest.mark.parametrize(
    ("maxwidth", "maxheight", "size"),
    [
        ("400", "", (400, 600)),
        ("", "300", (800, 300)),
        ("320", "240", (320, 240)),
        ("2000", "2000", (800, 600)),  # never larger than our own size
    ],
)
def test_it_obeys_the_max_sizes(client, debate, thesis, maxwidth, maxheight, size):
    query = {"url": page(debate), "maxwidth": maxwidth, "maxheight": maxheight}
    data = client.get(OEMBED, query).json()
    assert (data["width"], data["height"]) == size
    assert f'width="{size[0]}" height="{size[1]}"' in data["html"]


@pytest.mark.parametrize("value", ["0", "-5", "wide", "1.5"])
def test_a_bad_max_size_is_a_400(client, debate, thesis, value):
    response = client.get(OEMBED, {"url": page(debate), "maxwidth": value})
    assert response.status_code == 400
    assert "maxwidth" in response.json()["error"]


def test_other_formats_are_501(client, debate, thesis):
    response = client.get(OEMBED, {"url": page(debate), "format": "xml"})
    assert response.status_code == 501
    assert "json" in response.json()["error"]


def test_a_missing_url_is_a_400(client):
    assert client.get(OEMBED).status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example/d/{slug}/",  # a foreign site
        "http://testserver.evil.example/d/{slug}/",
        "not a url at all",
        "javascript:alert(1)",
        "//",
        "http://testserver/",  # ours, but not a debate
        "http://testserver/d/no-such-debate/",
        "http://testserver/d/{slug}/claims/999999/",
        "http://testserver/admin/",
        "/d/{slug}/",  # a bare path is not a URL
    ],
)
def test_unknown_foreign_or_malformed_urls_are_404(client, debate, thesis, url):
    response = client.get(OEMBED, {"url": url.format(slug=debate.slug)})
    assert response.status_code == 404
    assert response.json()["error"]


def test_a_hidden_claim_is_404(client, debate, thesis, pro, cast):
    services.claim_hide(actor=cast.moderator, claim=pro)
    assert client.get(OEMBED, {"url": page(debate, pro)}).status_code == 404


def test_a_private_debate_is_a_404_like_a_missing_one(client, debate, thesis, pro, cast):
    Debate.objects.filter(pk=debate.pk).update(visibility=Debate.Visibility.PRIVATE)
    client.force_login(cast.owner)  # the consumer's request is what counts, not who asks
    for url in (page(debate), page(debate, pro)):
        response = client.get(OEMBED, {"url": url})
        missing = client.get(OEMBED, {"url": url.replace(debate.slug, "no-such-debate")})
        assert response.status_code == 404
        assert response.json() == missing.json()


def test_an_unlisted_debate_is_embeddable(client, debate, thesis):
    Debate.objects.filter(pk=debate.pk).update(visibility=Debate.Visibility.UNLISTED)
    assert client.get(OEMBED, {"url": page(debate)}).status_code == 200


def test_it_only_reads(client, debate, thesis):
    assert client.post(OEMBED, {"url": page(debate)}).status_code == 405


# Discovery --------------------------------------------------------------------------------


def discovery(html: str) -> list[str]:
    return re.findall(r'<link rel="alternate" type="application/json\+oembed" href="([^"]+)"', html)


def test_the_debate_page_carries_the_discovery_link(client, debate, thesis):
    body = client.get(debate.get_absolute_url()).content.decode()
    links = discovery(body)
    assert len(links) == 1
    href = unescape(links[0])
    parts = urlsplit(href)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://testserver/oembed"
    query = parse_qs(parts.query)
    assert query == {"url": [page(debate)], "format": ["json"]}
    # And the link works.
    assert client.get(href).json()["title"] == debate.title


def test_the_claim_page_carries_its_own_discovery_link(client, debate, thesis, pro):
    body = client.get(pro.get_absolute_url() + "?order=newest").content.decode()
    (href,) = discovery(body)
    href = unescape(href)
    assert parse_qs(urlsplit(href).query)["url"] == [page(debate, pro)]
    assert client.get(href).json()["title"] == pro.text


def test_a_private_debate_has_no_discovery_link(client, debate, thesis, cast):
    Debate.objects.filter(pk=debate.pk).update(visibility=Debate.Visibility.PRIVATE)
    client.force_login(cast.owner)
    assert discovery(client.get(debate.get_absolute_url()).content.decode()) == []


def test_the_debate_list_has_no_discovery_link(client, debate, thesis):
    assert discovery(client.get(reverse("arguments:debate_list")).content.decode()) == []
