"""A launch without third-party cookies, in a real Chromium: a course page on another site
frames the tool and offers platform storage (1EdTech "LTI Client Side postMessages": it
answers lti.capabilities, lti.put_data and lti.get_data by postMessage); the independent
`lti1p3platform` package signs the launch at its auth URL. Chromium blocks third-party
cookies, and the tool keeps no state cookie: the launch goes through platform storage and
the learner lands on the debate, signed in, inside the frame."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from jwcrypto.jwk import JWK
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti_tool.models import LtiDeployment, LtiRegistration
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from arguments.models import Membership, Role

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.security]

PORTS = range(8815, 8820)
CLIENT_ID = "debate-map"
DEPLOYMENT_ID = "deployment-1"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"

# The course page: frames the tool and keeps what it asks to store, per sending origin (as
# the spec asks), answering only the messages it knows. `window.ltiLog` records them.
COURSE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Ethics 101</title></head><body><h1>Ethics 101: week 3</h1>
<iframe name="tool" src="{src}" width="900" height="700" title="Debate"></iframe>
<script>
window.ltiLog = [];
const stored = new Map();
const offered = ["lti.capabilities", "lti.put_data", "lti.get_data"];
window.addEventListener("message", (event) => {{
  const m = event.data || {{}};
  if (!offered.includes(m.subject)) return;
  window.ltiLog.push({{subject: m.subject, key: m.key || null, origin: event.origin}});
  const answer = {{subject: m.subject + ".response", message_id: m.message_id}};
  if (m.subject === "lti.capabilities") {{
    answer.supported_messages = offered.map((subject) => ({{subject}}));
  }} else if (m.subject === "lti.put_data") {{
    stored.set(event.origin + " " + m.key, m.value);
    Object.assign(answer, {{key: m.key, value: m.value}});
  }} else {{
    const value = stored.get(event.origin + " " + m.key);
    if (value === undefined) answer.error = {{code: "bad_request", message: "no such key"}};
    else Object.assign(answer, {{key: m.key, value}});
  }}
  event.source.postMessage(answer, event.origin === "null" ? "*" : event.origin);
}});
</script></body></html>"""


class PlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs: Any) -> None:
        self.registration_ = kwargs["registration"]

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        return self.registration_


class AuthRequest(Request):
    """The tool's redirect to the platform's auth URL, as the library reads requests."""

    def build_metadata(self, request: Any) -> dict[str, Any]:
        return {"method": "GET", "get_data": request, "form_data": {}, "headers": {}, "path": ""}


class Launch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        return launch_data


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: Any) -> None:
        self._lti_message_hint = json.dumps(kwargs)

    def get_redirect(self, url: str) -> str:
        return url


class Course:
    """The LMS on 127.0.0.1 (another site than the tool's localhost): its course page, its
    auth URL (where lti1p3platform signs the launch) and its JWKS."""

    def __init__(self, tool: str, target_link: str) -> None:
        self.key = JWK.generate(kty="RSA", size=2048)
        self.server = None
        for port in PORTS:
            try:
                self.server = ThreadingHTTPServer(("127.0.0.1", port), BaseHTTPRequestHandler)
                break
            except OSError:
                continue
        assert self.server is not None, "no free port in 8815-8819"
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.tool = tool
        self.target_link = target_link
        self.auth_requests: list[dict[str, str]] = []
        self.registration = (
            Registration()
            .set_iss(self.url)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_oidc_login_url(f"{tool}/lti/login/")
            .set_launch_url(f"{tool}/lti/launch/")
            .set_platform_public_key(self.key.export_to_pem().decode())
            .set_platform_private_key(
                self.key.export_to_pem(private_key=True, password=None).decode()
            )
        )
        self.conf = PlatformConf(registration=self.registration)
        self.conf.get_registration()
        self.server.RequestHandlerClass = self._handler()
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def course_page(self) -> str:
        login = Login(None, self.conf)
        login.set_lti_message_hint(resource="link-1")
        start = login.prepare_preflight_url("learner-1")
        src = f"{start}&{urlencode({'lti_storage_target': '_parent'})}"
        return COURSE_PAGE.format(src=escape(src))

    def launch_form(self, query: dict[str, str]) -> str:
        """The auth URL's answer: lti1p3platform's signed launch, posted to the tool."""
        self.auth_requests.append(query)
        launch = Launch(AuthRequest(query), self.conf)
        launch.set_user_data("learner-1", [LEARNER], full_name="Ada Learner")
        launch.set_launch_context_claim("course-101", context_title="Ethics 101")
        launch.set_launch_url(self.target_link)
        launch.set_resource_link_claim("link-1", title="Week 3 debate")
        form = launch.lti_launch()
        # The tool runs behind a TLS proxy (its redirect_uri says https); this test reaches
        # the same address over plain http: the path must be the registered launch URL.
        assert urlsplit(form["launch_url"]).path == "/lti/launch/"
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Launching'
            f'</title></head><body><form method="post" action="{self.tool}/lti/launch/">'
            f'<input type="hidden" name="id_token" value="{escape(form["id_token"])}">'
            f'<input type="hidden" name="state" value="{escape(form["state"])}">'
            "</form><script>document.forms[0].submit()</script></body></html>"
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        course = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, body: str, content_type: str = "text/html; charset=utf-8") -> None:
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                if parts.path == "/course":
                    self._send(course.course_page())
                elif parts.path == "/auth":
                    self._send(course.launch_form(dict(parse_qsl(parts.query))))
                elif parts.path == "/jwks":
                    keys = {"keys": course.registration.get_jwks()}
                    self._send(json.dumps(keys), "application/json")
                else:
                    self.send_error(404)

        return Handler

    def close(self) -> None:
        assert self.server is not None
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def course(live_server, debate, settings) -> Iterator[Course]:
    # Behind a TLS proxy, as in production: LMS-frame cookies are SameSite=None; Secure;
    # Partitioned (Chromium keeps Secure cookies from http://localhost).
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    course = Course(live_server.url, f"{live_server.url}/lti/d/{debate.slug}/")
    registration = LtiRegistration.objects.create(
        name="Course LMS",
        issuer=course.url,
        client_id=CLIENT_ID,
        auth_url=f"{course.url}/auth",
        token_url=f"{course.url}/token",
        keyset_url=f"{course.url}/jwks",
    )
    LtiDeployment.objects.create(
        registration=registration, deployment_id=DEPLOYMENT_ID, is_active=True
    )
    yield course
    course.close()


@pytest.fixture
def learner_page(browser, live_server) -> Iterator[Any]:
    """A learner's browser, behind the tool's TLS proxy. Chromium keeps no unpartitioned
    third-party cookie in the frame (the test checks it), only partitioned ones."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        extra_http_headers={"X-Forwarded-Proto": "https"},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_launch_without_third_party_cookies_goes_through_platform_storage(
    course, learner_page, live_server, debate, thesis
):
    page = learner_page
    # What the browser did, for the message of a failure: a frame's url alone has been seen
    # stale (at the platform's auth URL while the tool's pages had already run in it).
    seen: list[str] = []
    page.on("response", lambda r: seen.append(f"{r.request.method} {r.url[:90]} {r.status}"))
    page.on("requestfailed", lambda r: seen.append(f"{r.method} {r.url[:90]} failed"))
    page.on("console", lambda m: seen.append(f"console {m.type}: {m.text[:200]}"))
    page.goto(f"{course.url}/course")
    frame = page.frame_locator("iframe[name=tool]")
    # Five requests and four postMessage round trips: on a busy machine, more than 5 s.
    try:
        expect(frame.get_by_text(thesis.text).first).to_be_visible(timeout=30_000)
    except AssertionError as error:  # say where the flow stopped, not only that it did
        stopped = page.frame(name="tool")
        where = stopped.url if stopped else "no frame"
        # Bounded: a frame caught mid-navigation never answered an `evaluate` (it hung to the
        # test's 300 s timeout and hid this message).
        try:
            shown = stopped.locator("body").inner_text(timeout=5_000) if stopped else ""
        except PlaywrightError:
            shown = "(the frame did not answer)"
        raise AssertionError(
            f"the frame is at {where}, showing {shown[:300]!r}; the browser did {seen}; "
            f"the platform saw {page.evaluate('window.ltiLog')}"
        ) from error
    tool_frame = page.frame(name="tool")
    assert urlsplit(tool_frame.url).path == f"/lti/d/{debate.slug}/"
    # This browser keeps no third-party cookie in the frame, only partitioned ones.
    probe = """() => {
      document.cookie = "unpartitioned=1; SameSite=None; Secure; Path=/";
      document.cookie = "partitioned=1; SameSite=None; Secure; Partitioned; Path=/";
      return document.cookie.split("; ");
    }"""
    kept = tool_frame.evaluate(probe)
    assert "partitioned=1" in kept and "unpartitioned=1" not in kept

    # The tool stored its state and nonce in the platform, then read them back.
    log = page.evaluate("window.ltiLog")
    subjects = [entry["subject"] for entry in log]
    assert subjects.count("lti.put_data") == 2 and subjects.count("lti.get_data") == 2
    assert {entry["origin"] for entry in log} == {live_server.url}
    (auth,) = course.auth_requests
    assert auth["state"].startswith("ps1.")  # our signed state, not a cookie's
    keys = {entry["key"] for entry in log if entry["subject"] == "lti.get_data"}
    assert keys == {f"state_{auth['state']}", f"nonce_{auth['nonce']}"}

    # No state cookie: only the session, partitioned to this course site.
    cookies = page.context.cookies()
    assert not [c for c in cookies if c["name"].startswith("lti1p3")]
    membership = Membership.objects.get(debate=debate, user__lti_users__sub="learner-1")
    assert membership.role == Role.WRITER
