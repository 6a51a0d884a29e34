"""Live updates: the poll's conditional GET, what it announces, and who may ask."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from arguments import languages, selectors, services
from arguments.live.poll_shortcut import LivePolls
from arguments.models import Debate, Stance
from tests.conftest import build_debate


def _poll_address(page: str) -> tuple[str, str]:
    """The poll URL and ETag a page hands to live.js."""
    url = re.search(r'data-live-url="([^"]+)"', page).group(1).replace("&amp;", "&")
    etag = re.search(r'data-live-etag="([^"]+)"', page).group(1).replace("&quot;", '"')
    return url, etag


def test_the_debate_and_focus_pages_carry_a_hidden_live_region(client, debate, pro) -> None:
    for address in (debate.get_absolute_url(), pro.get_absolute_url()):
        page = client.get(address).content.decode()
        region = r'<div class="live-notice" role="status" aria-live="polite"[^>]* hidden>'
        assert re.search(region, page)
        url, _etag = _poll_address(page)
        assert url.startswith(reverse("arguments:debate_live", args=[debate.slug]))


@pytest.mark.parametrize("size", [10, 2000])
def test_an_unchanged_debate_answers_304_with_one_query(
    client, cast, django_assert_max_num_queries, size
) -> None:
    debate = build_debate(size, slug=f"live-{size}")
    client.force_login(cast.writer)  # a signed-in reader: no session or user lookup either
    url, etag = _poll_address(client.get(debate.get_absolute_url()).content.decode())
    with django_assert_max_num_queries(1):
        response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response.content == b""


def test_a_change_is_announced_as_the_reader_would_count_it(client, cast, debate, thesis, pro):
    client.force_login(cast.viewer)
    url, etag = _poll_address(client.get(debate.get_absolute_url()).content.decode())
    services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.CON, text="A new con.")
    services.claim_add(actor=cast.editor, parent=pro, stance=Stance.PRO, text="A new pro.")
    services.vote_cast(user=cast.writer, point=thesis, value=3)
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "2 new claims, 1 new vote" in response.content.decode()
    assert "data-live-show" in response.content.decode()
    fresh = response["ETag"]
    assert fresh != etag
    # Polling again with the new ETag: unchanged since.
    assert client.get(url, headers={"If-None-Match": fresh}).status_code == 304


def test_my_own_votes_are_not_news_to_me(client, cast, debate, thesis, pro) -> None:
    client.force_login(cast.writer)
    url, etag = _poll_address(client.get(debate.get_absolute_url()).content.decode())
    services.vote_cast(user=cast.writer, point=thesis, value=3)  # mine, counted by live.js
    services.vote_cast(user=cast.editor, point=thesis, value=1)
    body = client.get(url + "&own=1", headers={"If-None-Match": etag}).content.decode()
    assert "1 new vote" in body
    assert client.get(url + "&own=x").status_code == 400


def test_my_own_claims_are_not_news_to_me(client, cast, debate, thesis) -> None:
    client.force_login(cast.writer)
    url, etag = _poll_address(client.get(debate.get_absolute_url()).content.decode())
    services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.CON, text="Mine.")
    body = client.get(url, headers={"If-None-Match": etag}).content.decode()
    assert "new claim" not in body


def test_claims_the_reader_may_not_see_are_not_counted(client, cast, thesis) -> None:
    debate = thesis.debate
    debate.requires_approval = True
    debate.save()
    client.force_login(cast.viewer)
    url, etag = _poll_address(client.get(debate.get_absolute_url()).content.decode())
    services.claim_add(actor=cast.suggester, parent=thesis, stance=Stance.CON, text="Pending.")
    body = client.get(url, headers={"If-None-Match": etag}).content.decode()
    assert "new claim" not in body
    # Nothing the viewer sees changed: no "Claims were edited or moved" either.
    assert "data-live-show" not in body


def test_a_pending_claim_is_no_news_to_a_visitor(client, cast, thesis, pro) -> None:
    """A suggestion waiting for approval changes nothing a visitor can see."""
    url, etag = _poll_address(client.get(thesis.debate.get_absolute_url()).content.decode())
    services.claim_add(actor=cast.suggester, parent=pro, stance=Stance.CON, text="Pending.")
    body = client.get(url, headers={"If-None-Match": etag}).content.decode()
    assert body.strip() == ""


def test_an_edit_is_news_to_others_and_not_to_its_author(client, cast, debate, pro) -> None:
    client.force_login(cast.moderator)
    url, etag = _poll_address(client.get(debate.get_absolute_url()).content.decode())
    services.claim_edit(actor=cast.moderator, claim=pro, text="Open weights spread access wide.")
    body = client.get(url + "&wrote=1", headers={"If-None-Match": etag}).content.decode()
    assert "data-live-show" not in body  # my own edit, counted by live.js
    assert "Claims were edited or moved" in client.get(url).content.decode()


def test_a_new_claim_comes_with_its_path_from_the_thesis(client, cast, debate, thesis, pro):
    url, etag = _poll_address(client.get(debate.get_absolute_url()).content.decode())
    deep = services.claim_add(actor=cast.writer, parent=pro, stance=Stance.CON, text="Deep.")
    body = client.get(url, headers={"If-None-Match": etag}).content.decode()
    assert f'data-live-paths="{thesis.pk}.{pro.pk}.{deep.pk}"' in body


def test_a_members_pages_are_never_stored_a_visitors_may_be(client, cast, debate, pro) -> None:
    assert "no-store" not in client.get(debate.get_absolute_url()).get("Cache-Control", "")
    client.force_login(cast.viewer)
    for address in (debate.get_absolute_url(), pro.get_absolute_url()):
        assert "no-store" in client.get(address)["Cache-Control"]


def test_a_private_debate_tells_outsiders_nothing(client, cast, debate, thesis) -> None:
    debate.visibility = Debate.Visibility.PRIVATE
    debate.save()
    client.force_login(cast.viewer)
    url, etag = _poll_address(client.get(debate.get_absolute_url()).content.decode())
    client.force_login(cast.stranger)
    poll = reverse("arguments:debate_live", args=[debate.slug])
    # Without the member's ticket the poll is a 404, changed or not, as for no debate at all.
    assert client.get(poll, headers={"If-None-Match": etag}).status_code == 404
    assert client.get(poll).status_code == 404
    forged = url.split("ticket=")[0] + "ticket=forged"
    assert client.get(forged, headers={"If-None-Match": etag}).status_code == 404
    assert client.get(reverse("arguments:debate_live", args=["no-such"])).status_code == 404


def test_a_bad_since_token_announces_nothing_rather_than_failing(client, debate) -> None:
    poll = reverse("arguments:debate_live", args=[debate.slug])
    response = client.get(poll, {"since": "x.y.z"})
    assert response.status_code == 200
    assert b"data-live-show" not in response.content
    assert client.post(poll).status_code == 405


class Fallback:
    """Django's application, as far as the wrapper can tell: records being asked."""

    def __init__(self) -> None:
        self.asked = 0

    def __call__(self, environ, start_response):
        self.asked += 1
        start_response("200 OK", [])
        return [b"django"]


def _wsgi(app, url: str, etag: str, method: str = "GET") -> str:
    path, _, query = url.partition("?")
    statuses: list[str] = []
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "HTTP_IF_NONE_MATCH": etag,
    }
    app(environ, lambda status, headers: statuses.append(status))
    return statuses[0]


def test_the_wsgi_fast_path_answers_only_an_unchanged_poll_with_a_ticket(
    client, cast, debate, thesis, django_assert_max_num_queries
) -> None:
    fallback = Fallback()
    app = LivePolls(fallback)
    url, etag = _poll_address(client.get(debate.get_absolute_url()).content.decode())
    with django_assert_max_num_queries(1):
        assert _wsgi(app, url, etag) == "304 Not Modified"
    assert fallback.asked == 0
    assert _wsgi(app, url, '"0.0"') == "200 OK"  # moved on: Django counts what changed
    assert _wsgi(app, url.split("&ticket=")[0], etag) == "200 OK"  # no ticket
    assert _wsgi(app, url.replace("ticket=", "ticket=x"), etag) == "200 OK"  # a forged one
    assert _wsgi(app, url, etag, method="POST") == "200 OK"
    other = build_debate(3, slug="another-debate")
    elsewhere = url.replace(debate.slug, other.slug)  # this debate's ticket on another's poll
    assert _wsgi(app, elsewhere, f'"{other.structure_version}.{other.tally_version}"') == "200 OK"
    assert fallback.asked == 5
    services.vote_cast(user=cast.writer, point=thesis, value=2)
    assert _wsgi(app, url, etag) == "200 OK"


def test_a_poll_through_the_shortcut_and_django_reads_the_versions_once(
    client, cast, debate, thesis
) -> None:
    client.force_login(cast.viewer)
    url, etag = _poll_address(client.get(debate.get_absolute_url()).content.decode())
    services.vote_cast(user=cast.writer, point=thesis, value=3)
    cookies = client.cookies.output(header="", sep=";")
    environ = RequestFactory().get(url, headers={"If-None-Match": etag}, HTTP_COOKIE=cookies)

    def django(environ, start_response):  # Django's handler, as the test client runs it
        response = client.handler(environ)
        start_response(f"{response.status_code} {response.reason_phrase}", [])
        return [response.content]

    statuses: list[str] = []
    with CaptureQueriesContext(connection) as captured:
        answer = b"".join(LivePolls(django)(environ.environ, lambda s, h: statuses.append(s)))
    assert statuses == ["200 OK"] and b"1 new vote" in answer  # moved on: Django answered
    versions = selectors.VERSIONS_SQL.split(" WHERE ")[0]
    reads = [q for q in captured.captured_queries if q["sql"].startswith(versions)]
    assert len(reads) == 1, "the view used what the shortcut read"
    # The versions (by the shortcut), the session and the user, the debate with the reader's
    # role, the points voted on since the structure held, and, as the first process to catch
    # up, the stored strengths' stamp and the rescored strengths. If this grows, say why here.
    assert len(captured) == 7


def test_a_notice_speaks_the_language_the_session_keeps(client, cast, debate, thesis):
    """The 304 path reads no session; past it, the notice is in the session's language."""
    client.force_login(cast.viewer)
    session = client.session
    session[languages.SESSION_KEY] = "fr"
    session.save()
    url, etag = _poll_address(client.get(debate.get_absolute_url()).content.decode())
    services.claim_add(actor=cast.writer, parent=thesis, stance=Stance.CON, text="A new con.")
    response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    assert "1 new claim" not in response.content.decode()
