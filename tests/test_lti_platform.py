"""LTI Advantage against an independent platform: `lti1p3platform` (PyPI) builds and signs the
launches, issues access tokens against our JWKS, and checks deep-linking responses; it runs
as a real HTTP server on a local port (its JWKS, token, score and membership endpoints), so
our tool reaches it over HTTP exactly as it reaches an LMS. The score and roster endpoints
record and answer what an LMS would, behind the library's own token check."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from jwcrypto.jwk import JWK
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti_tool.models import LtiDeployment, LtiRegistration, LtiUser

from arguments.models import CourseActivity, Membership, Role, ScoreReport, Vote
from arguments.tasks.worker import run_all

pytestmark = pytest.mark.django_db

PORTS = range(8850, 8860)
CLIENT_ID = "debate-map"
DEPLOYMENT_ID = "deployment-7"
TOOL = "http://testserver"
CONTEXT_ID = "course-101"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
INSTITUTION_ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


class PlatformConf(LTI1P3PlatformConfAbstract):
    """The platform's side of one registration (our tool), as the library wants it."""

    def init_platform_config(self, **kwargs: Any) -> None:
        self.registration_ = kwargs["registration"]

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        return self.registration_


class PreflightRequest(Request):
    """The tool's redirect to the platform's auth URL, as the library reads requests."""

    def build_metadata(self, request: Any) -> dict[str, Any]:
        return {"method": "GET", "get_data": request, "form_data": {}, "headers": {}, "path": ""}


class Launch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return launch_data  # the auto-submitting form's fields


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: Any) -> None:
        self._lti_message_hint = json.dumps(kwargs)

    def get_redirect(self, url: str) -> str:
        return url


@dataclass
class Platform:
    """An LMS course on a local port: the library's keys and token endpoint, one graded
    line item that records the scores posted to it, and the course's roster."""

    url: str
    registration: Registration
    conf: PlatformConf
    scores: list[dict[str, Any]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    fail_scores: bool = False
    fail_roster: bool = False

    @property
    def lineitem(self) -> str:
        return f"{self.url}/courses/101/lineitems/1/lineitem"

    @property
    def memberships(self) -> str:
        return f"{self.url}/courses/101/memberships"


def _handler(platform: Platform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet tests
            pass

        def _send(self, status: int, body: object, content_type: str) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorized(self, scope: str) -> bool:
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            try:
                return platform.conf.validate_token(token, allowed_scopes=[scope])
            except Exception:  # any bad or expired token: 401, as an LMS answers
                return False

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/jwks":
                self._send(200, {"keys": platform.registration.get_jwks()}, "application/json")
            elif path == urlsplit(platform.memberships).path:
                if not self._authorized(NRPS_SCOPE) or platform.fail_roster:
                    self._send(401, {"error": "unauthorized"}, "application/json")
                    return
                container = {
                    "id": platform.memberships,
                    "context": {"id": CONTEXT_ID, "title": "Ethics 101"},
                    "members": platform.members,
                }
                self._send(
                    200, container, "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
                )
            else:
                self._send(404, {}, "application/json")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode()
            path = urlsplit(self.path).path
            if path == "/token":
                form = dict(parse_qsl(body))
                platform.token_requests.append(form)
                try:
                    token = platform.conf.get_access_token(form)
                except Exception as error:  # the library refused the assertion
                    self._send(
                        400, {"error": "invalid_client", "detail": str(error)}, "application/json"
                    )
                    return
                self._send(200, token, "application/json")
            elif path == urlsplit(platform.lineitem).path + "/scores":
                if not self._authorized(SCORE_SCOPE):
                    self._send(401, {"error": "unauthorized"}, "application/json")
                elif platform.fail_scores:
                    self._send(503, {"error": "busy"}, "application/json")
                elif self.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                    self._send(415, {}, "application/json")
                else:
                    platform.scores.append(json.loads(body))
                    self._send(200, {}, "application/json")
            else:
                self._send(404, {}, "application/json")

    return Handler


@pytest.fixture
def platform(client) -> Iterator[Platform]:
    key = JWK.generate(kty="RSA", size=2048)
    server = None
    for port in PORTS:  # the ports this checkout may use; another test run may hold one
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), BaseHTTPRequestHandler)
            break
        except OSError:
            continue
    assert server is not None, "no free port in 8850-8859"
    url = f"http://127.0.0.1:{server.server_address[1]}"
    registration = (
        Registration()
        .set_iss(url)
        .set_client_id(CLIENT_ID)
        .set_deployment_id(DEPLOYMENT_ID)
        .set_oidc_login_url(f"{TOOL}/lti/login/")
        .set_launch_url(f"{TOOL}/lti/launch/")
        .set_deeplink_launch_url(f"{TOOL}/lti/launch/")
        .set_platform_public_key(key.export_to_pem().decode())
        .set_platform_private_key(key.export_to_pem(private_key=True, password=None).decode())
        # The platform verifies what we sign with the keys we publish.
        .set_tool_key_set(client.get("/lti/jwks/").json())
    )
    conf = PlatformConf(registration=registration)
    conf.get_registration()
    platform = Platform(url=url, registration=registration, conf=conf)
    server.RequestHandlerClass = _handler(platform)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    LtiRegistration.objects.create(
        name="Independent LMS",
        issuer=url,
        client_id=CLIENT_ID,
        auth_url=f"{url}/auth",
        token_url=f"{url}/token",
        keyset_url=f"{url}/jwks",
    )
    LtiDeployment.objects.create(
        registration=LtiRegistration.objects.get(issuer=url),
        deployment_id=DEPLOYMENT_ID,
        is_active=True,
    )
    yield platform
    server.shutdown()
    server.server_close()


def platform_launch(client, platform: Platform, user_id: str, roles: list[str], setup=None):
    """The whole launch: the platform starts the login, the tool redirects to the platform's
    auth URL, the platform answers with the id_token it builds and signs."""
    login = Login(None, platform.conf)
    login.set_lti_message_hint(resource="link-1")
    start = urlsplit(login.prepare_preflight_url(user_id))
    query = {**dict(parse_qsl(start.query)), "lti1p3_new_window": "1"}
    redirect = client.get(start.path, query)
    assert redirect.status_code == 302, redirect.content
    preflight = {k: v[0] for k, v in parse_qs(urlsplit(redirect["Location"]).query).items()}
    launch = Launch(PreflightRequest(preflight), platform.conf)
    launch.set_user_data(user_id, roles, full_name=f"User {user_id}")
    launch.set_launch_context_claim(CONTEXT_ID, context_title="Ethics 101")
    launch.set_launch_presentation_claim("iframe", return_url=f"{platform.url}/courses/101")
    launch.set_nrps(platform.memberships)
    if setup is not None:
        setup(launch)
    form = launch.lti_launch()
    return client.post(
        urlsplit(form["launch_url"]).path, {"id_token": form["id_token"], "state": form["state"]}
    )


def graded_link(client, platform: Platform, debate) -> dict[str, Any]:
    """A teacher picks the debate as graded; the platform checks and keeps the content item."""
    response = platform_launch(
        client,
        platform,
        "teacher-1",
        [INSTRUCTOR],
        lambda launch: launch.set_dl(
            f"{platform.url}/deep-link-return", accept_types={"ltiResourceLink"}
        ),
    )
    assert response.status_code == 303, response.content
    token = parse_qs(urlsplit(response["Location"]).query)["launch"][0]
    picker = client.get(response["Location"]).content.decode()
    assert 'name="graded"' in picker
    returned = client.post(
        "/lti/deep-link/", {"launch": token, "debate": debate.slug, "graded": "1"}
    ).content.decode()
    jwt = re.search(r'name="JWT" value="([^"]+)"', returned).group(1)
    (item,) = platform.conf.validate_deeplinking_resp({"JWT": jwt})
    client.logout()
    return item


def learner_launch(client, platform: Platform, item: dict[str, Any], user_id: str = "learner-1"):
    def setup(launch: Launch) -> None:
        launch.set_launch_url(item["url"])
        launch.set_resource_link_claim("link-1", title=item["title"])
        launch.set_custom_parameters_claim(item.get("custom", {}))
        # The platform made a line item from the content item's lineItem; its launches name it.
        launch.set_ags(
            lineitems_url=f"{platform.url}/courses/101/lineitems",
            lineitem_url=platform.lineitem,
            allow_creating_lineitems=False,
        )

    return platform_launch(client, platform, user_id, [LEARNER], setup)


def test_a_learners_claim_and_vote_reach_the_platform_as_a_score_on_the_deep_linked_line_item(
    client, platform, debate, thesis, pro
):
    item = graded_link(client, platform, debate)
    assert item["lineItem"] == {
        "scoreMaximum": 100,
        "label": debate.title,
        "resourceId": debate.slug,
        "tag": "participation",
    }
    launched = learner_launch(client, platform, item)
    assert launched.status_code == 303, launched.content
    page = client.get(launched["Location"]).content.decode()
    assert f'href="{platform.url}/courses/101" target="_top"' in page  # Back to the course
    learner = LtiUser.objects.get(sub="learner-1").auth_user
    assert ScoreReport.objects.filter(user=learner, activity__lineitem_url=platform.lineitem)

    # The learner takes part through the tool's own pages.
    add = reverse("arguments:claim_add", args=[debate.slug, thesis.pk])
    assert client.post(add, {"stance": "con", "text": "Misuse is cheap."}).status_code == 302
    vote = reverse("arguments:claim_vote", args=[debate.slug, pro.pk])
    assert client.post(vote, {"value": "3"}).status_code == 302
    assert Vote.objects.filter(user=learner).count() == 1
    assert not platform.scores  # nothing is sent during the learner's requests

    out = StringIO()
    call_command("lti_sync_scores", stdout=out)
    assert "sent 1" in out.getvalue()
    (score,) = platform.scores
    assert score["userId"] == "learner-1"
    assert score["scoreGiven"] == 20.0  # 2 points (a claim, a vote) of 10 for full marks
    assert score["scoreMaximum"] == 100
    assert score["activityProgress"] == "InProgress"
    assert score["gradingProgress"] == "FullyGraded"
    # One token, asked for with an assertion signed by our key, for the score scope only.
    (token_request,) = platform.token_requests
    assert token_request["scope"] == SCORE_SCOPE

    # Unchanged scores are not sent again; --resend sends them all.
    call_command("lti_sync_scores", stdout=(out := StringIO()))
    assert "sent 0; unchanged 1" in out.getvalue() and len(platform.scores) == 1
    call_command("lti_sync_scores", "--resend", stdout=(out := StringIO()))
    assert "sent 1" in out.getvalue() and len(platform.scores) == 2


def test_a_failed_send_is_kept_shown_and_retried_later(client, platform, debate, thesis, cast):
    item = graded_link(client, platform, debate)
    learner_launch(client, platform, item)
    platform.fail_scores = True
    call_command("lti_sync_scores", stdout=(out := StringIO()), stderr=StringIO())
    assert "failed 1" in out.getvalue()
    report = ScoreReport.objects.get()
    assert report.attempts == 1 and "503" in report.error and report.retry_at is not None
    assert report.sent_at is None
    # Not before its time; then it goes through and the error is cleared.
    platform.fail_scores = False
    call_command("lti_sync_scores", stdout=(out := StringIO()))
    assert "sent 0" in out.getvalue()
    ScoreReport.objects.update(retry_at=None)
    call_command("lti_sync_scores", stdout=(out := StringIO()))
    assert "sent 1" in out.getvalue()
    report.refresh_from_db()
    assert report.error == "" and report.attempts == 0 and report.sent_score == 0.0
    # The owner sees what was sent on the settings page.
    client.force_login(cast.owner)
    page = client.get(reverse("arguments:debate_settings", args=[debate.slug])).content.decode()
    assert "LMS courses and grades" in page and "0 / 100" in page and "Sent" in page


def test_the_roster_fetch_makes_the_course_members_participants_with_their_course_roles(
    client, platform, debate, thesis, cast
):
    item = graded_link(client, platform, debate)
    learner_launch(client, platform, item)
    platform.members = [
        {"user_id": "learner-1", "roles": [LEARNER], "status": "Active", "given_name": "Ada"},
        {"user_id": "learner-2", "roles": [LEARNER, INSTITUTION_ADMIN], "given_name": "Bo"},
        {"user_id": "teacher-2", "roles": [INSTRUCTOR], "given_name": "Cy"},
        {"user_id": "gone-1", "roles": [LEARNER], "status": "Inactive"},
        {"user_id": 5, "roles": [LEARNER]},
    ]
    activity = CourseActivity.objects.get()
    client.force_login(cast.owner)
    response = client.post(
        reverse("arguments:course_roster", args=[debate.slug, activity.pk]), follow=True
    )
    assert "3 course members; 2 new in this debate; 2 inactive" in response.content.decode()
    roles = {
        m.user.lti_users.get().sub: m.role
        for m in Membership.objects.filter(debate=debate, user__lti_users__isnull=False)
    }
    assert roles == {
        "learner-1": Role.WRITER,
        "learner-2": Role.WRITER,
        "teacher-2": Role.MODERATOR,
    }
    # The new learner's score goes to the gradebook too; the one who left gets no account.
    assert set(ScoreReport.objects.values_list("sub", flat=True)) == {"learner-1", "learner-2"}
    assert not LtiUser.objects.filter(sub="gone-1").exists()

    # The command does the same, in the name of a manager; a stranger may not.
    out = StringIO()
    call_command("lti_fetch_roster", debate.slug, "--by", cast.owner.username, stdout=out)
    assert "3 members, 0 new" in out.getvalue()
    with pytest.raises(Exception, match="may not manage"):
        call_command("lti_fetch_roster", debate.slug, "--by", cast.writer.username)


def test_a_refused_roster_fetch_says_why_and_writes_nothing(client, platform, debate, thesis, cast):
    item = graded_link(client, platform, debate)
    learner_launch(client, platform, item)
    platform.members = [{"user_id": "learner-9", "roles": [LEARNER]}]
    platform.fail_roster = True
    members = Membership.objects.count()
    client.force_login(cast.owner)
    activity = CourseActivity.objects.get()
    response = client.post(
        reverse("arguments:course_roster", args=[debate.slug, activity.pk]), follow=True
    )
    assert "The platform refused the roster (401)" in response.content.decode()
    assert Membership.objects.count() == members
    assert not LtiUser.objects.filter(sub="learner-9").exists()


# Service addresses: only the platform's own hosts (SSRF) ----------------------------------


@pytest.fixture
def elsewhere() -> Iterator[list[str]]:
    """Another address (same machine, another port): records any request that reaches it."""
    reached: list[str] = []

    class Spy(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            reached.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_POST = do_GET

    server = None
    for port in reversed(PORTS):
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), Spy)
            break
        except OSError:
            continue
    assert server is not None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    reached.insert(0, f"http://127.0.0.1:{server.server_address[1]}")
    yield reached
    server.shutdown()
    server.server_close()


def launch_with_services(client, platform: Platform, item, lineitem: str, memberships: str):
    def setup(launch: Launch) -> None:
        launch.set_launch_url(item["url"])
        launch.set_resource_link_claim("link-1", title=item["title"])
        launch.set_custom_parameters_claim(item.get("custom", {}))
        launch.set_ags(
            lineitems_url=f"{platform.url}/courses/101/lineitems",
            lineitem_url=lineitem,
            allow_creating_lineitems=False,
        )
        launch.set_nrps(memberships)

    return platform_launch(client, platform, "learner-1", [LEARNER], setup)


@pytest.mark.security
def test_a_line_item_on_another_host_is_never_requested(
    client, platform, elsewhere, debate, thesis, cast, caplog
):
    item = graded_link(client, platform, debate)
    spy = elsewhere[0]
    lineitem = f"{spy}/latest/meta-data/lineitem"
    assert (
        launch_with_services(client, platform, item, lineitem, platform.memberships).status_code
        == 303
    )
    call_command("lti_sync_scores", stdout=(out := StringIO()), stderr=StringIO())
    assert "failed 1" in out.getvalue()
    assert elsewhere == [spy]  # nothing reached it
    report = ScoreReport.objects.get()
    assert "Refused to contact" in report.error and report.sent_at is None
    assert any("not one of its hosts" in r.getMessage() for r in caplog.records)
    # The owner sees why on the settings page.
    client.force_login(cast.owner)
    page = client.get(reverse("arguments:debate_settings", args=[debate.slug])).content.decode()
    assert "Refused to contact" in page


@pytest.mark.security
def test_a_roster_on_another_host_is_never_requested(
    client, platform, elsewhere, debate, thesis, cast
):
    item = graded_link(client, platform, debate)
    spy = elsewhere[0]
    launched = launch_with_services(client, platform, item, platform.lineitem, f"{spy}/members")
    assert launched.status_code == 303
    activity = CourseActivity.objects.get()
    client.force_login(cast.owner)
    response = client.post(
        reverse("arguments:course_roster", args=[debate.slug, activity.pk]), follow=True
    )
    assert "Refused to contact" in response.content.decode()
    assert elsewhere == [spy]


def test_an_extra_host_the_administrator_lists_is_allowed(
    client, platform, elsewhere, debate, thesis, settings
):
    item = graded_link(client, platform, debate)
    spy = elsewhere[0]
    settings.LTI_SERVICE_HOSTS = ["*.example.org", "127.0.0.1"]
    launch_with_services(client, platform, item, f"{spy}/lineitem", platform.memberships)
    call_command("lti_sync_scores", stdout=StringIO(), stderr=StringIO())
    assert elsewhere[1:] == ["/lineitem/scores"]  # requested (the spy is no AGS endpoint)


@pytest.mark.security
@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://lms.example/api/lineitems/1", True),
        ("https://lms.example:443/api/lineitems/1", True),
        ("https://LMS.example/x", True),
        ("https://sso.lms.example/token", True),
        ("https://lms.example:8443/x", False),  # another port, another service
        ("http://lms.example/x", False),  # port 80 is not the registered 443
        ("https://lms.example.attacker.test/x", False),
        ("https://169.254.169.254/latest/meta-data", False),
        ("http://localhost:5432/", False),
        ("file:///etc/passwd", False),
        ("https://user@[::1", False),
        ("https://school.instructure.com/api/lti/courses/1/line_items/2", True),  # listed
        ("https://instructure.com.evil.test/x", False),
    ],
)
def test_service_addresses_are_allowed_only_on_the_platforms_hosts(url, allowed, settings):
    from arguments.services.lti import service_url_allowed

    settings.LTI_SERVICE_HOSTS = ["*.instructure.com"]
    registration = LtiRegistration(
        issuer="https://lms.example",
        auth_url="https://sso.lms.example/auth",
        token_url="https://sso.lms.example/token",
        keyset_url="https://lms.example/jwks",
    )
    assert service_url_allowed(url, registration) is allowed


@pytest.mark.security
def test_a_redirect_to_another_host_is_not_followed(platform, elsewhere):
    import requests

    from arguments.services.lti import ForeignServiceURL, PlatformSession

    registration = LtiRegistration.objects.get(issuer=platform.url)
    session = PlatformSession(registration)
    redirect = requests.Response()
    redirect.status_code, redirect.url = 302, f"{platform.url}/x"
    redirect.headers["Location"] = f"{elsewhere[0]}/inside"
    with pytest.raises(ForeignServiceURL):
        session.get_redirect_target(redirect)
    assert elsewhere == [elsewhere[0]]


def backslashed(spy: str, platform: Platform, path: str) -> str:
    """An address that `urlsplit` reads as the platform's host and urllib3 as the spy's."""
    return f"{spy}\\@{urlsplit(platform.url).netloc}{path}"


@pytest.mark.security
@pytest.mark.parametrize("service", ["lineitem", "memberships"])
def test_ags_lineitem_with_backslash_does_not_send_the_token_elsewhere(
    client, platform, elsewhere, debate, thesis, cast, service
):
    """Security finding (issue 27, high): `http://spy\\@platform/lineitem` passed the host
    check, and the score (or the roster request) went to the spy with the platform's token."""
    item = graded_link(client, platform, debate)
    spy = elsewhere[0]
    lineitem, memberships = platform.lineitem, platform.memberships
    if service == "lineitem":
        lineitem = backslashed(spy, platform, "/courses/101/lineitems/1/lineitem")
    else:
        memberships = backslashed(spy, platform, "/courses/101/memberships")
    launched = launch_with_services(client, platform, item, lineitem, memberships)
    assert launched.status_code == 400  # refused as the launch is read: nothing is stored
    assert "backslash" in launched.content.decode()
    assert not CourseActivity.objects.filter(lineitem_url=lineitem).exists()
    call_command("lti_sync_scores", stdout=StringIO(), stderr=StringIO())
    assert elsewhere == [spy]  # nothing reached it


@pytest.mark.security
@pytest.mark.parametrize(
    "trick",
    [
        "{spy}\\@{platform}/x",  # urllib3 ends the host at the backslash
        "{spy}/@{platform}/x",
        "http://{platform_netloc}@{spy_netloc}/x",  # userinfo
        "{spy} @{platform}/x",
    ],
)
def test_a_service_url_the_client_reads_differently_is_never_requested(platform, elsewhere, trick):
    """The session checks the URL it connects to (the prepared request's), not another
    parser's reading of it: a row stored before the launch check cannot leak the token."""
    import requests

    from arguments.services.lti import ForeignServiceURL, PlatformSession

    spy = elsewhere[0]
    url = trick.format(
        spy=spy,
        platform=urlsplit(platform.url).netloc,
        platform_netloc=urlsplit(platform.url).netloc,
        spy_netloc=urlsplit(spy).netloc,
    )
    session = PlatformSession(LtiRegistration.objects.get(issuer=platform.url))
    with pytest.raises((ForeignServiceURL, requests.exceptions.InvalidURL)):
        session.post(url, headers={"Authorization": "Bearer platform-token"})
    assert elsewhere == [spy]


def test_members_who_left_the_course_lose_its_role_and_keep_their_claims(
    client, platform, debate, thesis, cast
):
    from arguments.models import Claim

    item = graded_link(client, platform, debate)
    learner_launch(client, platform, item, "learner-1")
    add = reverse("arguments:claim_add", args=[debate.slug, thesis.pk])
    assert client.post(add, {"stance": "pro", "text": "Openness aids audits."}).status_code == 302
    client.logout()
    learner_launch(client, platform, item, "learner-2")
    client.logout()
    learner_2 = LtiUser.objects.get(sub="learner-2").auth_user
    Membership.objects.filter(user=learner_2).update(role=Role.EDITOR)  # by a moderator
    platform.members = [
        {"user_id": "learner-1", "roles": [LEARNER], "status": "Inactive"},
        {"user_id": "learner-2", "roles": [LEARNER], "status": "Deleted"},
        {"user_id": "teacher-2", "roles": [INSTRUCTOR]},
    ]
    activity = CourseActivity.objects.get()
    client.force_login(cast.owner)
    response = client.post(
        reverse("arguments:course_roster", args=[debate.slug, activity.pk]), follow=True
    )
    assert "1 who left the course lost their role" in response.content.decode()
    learner_1 = LtiUser.objects.get(sub="learner-1").auth_user
    assert not Membership.objects.filter(debate=debate, user=learner_1).exists()
    assert Membership.objects.get(debate=debate, user=learner_2).role == Role.EDITOR
    # What they wrote stays, under their name.
    assert Claim.objects.get(text="Openness aids audits.").author == learner_1


def test_the_admin_lists_course_links_and_scores_and_sends_again(client, platform, debate, cast):
    item = graded_link(client, platform, debate)
    learner_launch(client, platform, item)
    platform.fail_scores = True
    call_command("lti_sync_scores", stdout=StringIO(), stderr=StringIO())
    client.force_login(cast.staff)

    page = client.get("/admin/arguments/courseactivity/").content.decode()
    assert "Ethics 101" in page and "Independent LMS" in page
    activity = CourseActivity.objects.get()
    detail = client.get(f"/admin/arguments/courseactivity/{activity.pk}/change/")
    assert detail.status_code == 200 and platform.lineitem in detail.content.decode()
    assert client.get("/admin/arguments/courseactivity/add/").status_code == 403

    failing = client.get("/admin/arguments/scorereport/", {"sending": "failing"}).content
    assert b"learner-1" in failing and b"503" in failing
    report = ScoreReport.objects.get()
    platform.fail_scores = False
    response = client.post(
        "/admin/arguments/scorereport/",
        {"action": "send_again", "_selected_action": [report.pk]},
        follow=True,
    )
    assert "Scores sent: 1; failed: 0." in response.content.decode()
    report.refresh_from_db()
    assert report.error == "" and report.sent_at is not None and len(platform.scores) == 1
    # Read-mostly: no edits by hand.
    detail = client.get(f"/admin/arguments/scorereport/{report.pk}/change/").content.decode()
    assert 'name="sent_score"' not in detail


def test_a_learners_score_goes_out_a_little_after_their_write_not_during_it(
    client, platform, debate, thesis, pro, settings, django_capture_on_commit_callbacks
):
    """A task on the real database queue, due 30 s after the write, run by the worker."""
    from arguments.lti import scores_soon

    settings.LTI_SCORES_SOON = 30
    item = graded_link(client, platform, debate)
    learner_launch(client, platform, item)
    learner = LtiUser.objects.get(sub="learner-1").auth_user
    queued = DBTaskResult.objects.filter(task_path=scores_soon.scores_soon_send.module_path)

    add = reverse("arguments:claim_add", args=[debate.slug, thesis.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(add, {"stance": "con", "text": "Misuse is cheap."}).status_code == 302
    (task,) = queued
    assert task.args_kwargs["args"] == [debate.pk, learner.pk]
    assert 25 < (task.run_after - timezone.now()).total_seconds() <= 30
    assert not platform.scores  # not in the learner's request
    # A burst of writes makes one send.
    vote = reverse("arguments:claim_vote", args=[debate.slug, pro.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(vote, {"value": "3"}).status_code == 302
    assert queued.count() == 1
    run_all()  # the new claim's notices; the send is not due yet
    assert queued.get().status == "READY" and not platform.scores

    # The worker, when its time comes: this learner's score, nobody else's.
    queued.update(run_after=timezone.now())
    assert run_all() == 1
    (score,) = platform.scores
    assert score["userId"] == "learner-1" and score["scoreGiven"] == 20.0
    assert queued.get().status == "SUCCESSFUL"


def test_writes_outside_an_lms_session_schedule_no_send(
    client,
    platform,
    debate,
    thesis,
    cast,
    settings,
    django_capture_on_commit_callbacks,
):
    from arguments.lti import scores_soon

    settings.LTI_SCORES_SOON = 30
    graded_link(client, platform, debate)
    client.force_login(cast.writer)  # a member of the debate, signed in on the site
    add = reverse("arguments:claim_add", args=[debate.slug, thesis.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(add, {"stance": "pro", "text": "Audits need weights."}).status_code == 302
        )
    assert not DBTaskResult.objects.filter(task_path=scores_soon.scores_soon_send.module_path)
