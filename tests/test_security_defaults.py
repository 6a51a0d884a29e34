"""The defences every response carries (issue 13, item 7 and finding 6's settings): a strict
Content-Security-Policy with nonces, cookies that are SameSite=None only inside an LMS frame,
and settings that are safe when nobody set them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from arguments.lti import SESSION_ORIGINS
from arguments.lti.cookies import LmsFrameCookiesMiddleware

pytestmark = [pytest.mark.django_db, pytest.mark.security]

ROOT = Path(__file__).resolve().parent.parent


def policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return {
        name: value
        for name, _, value in (d.strip().partition(" ") for d in header.split(";"))
        if name
    }


def test_every_page_forbids_injected_scripts_plugins_and_base_hijacks(client, debate, thesis):
    for address in ("/", debate.get_absolute_url(), reverse("account_login")):
        csp = policy(client.get(address))
        assert csp["script-src"].startswith("'self'"), address
        assert "'unsafe-inline'" not in csp["script-src"], address
        assert "'unsafe-eval'" not in csp["script-src"], address
        assert csp["object-src"] == "'none'"
        assert csp["base-uri"] == "'none'"
        assert csp["form-action"] == "'self'"
        assert csp["frame-ancestors"] == "'none'"


def test_a_framable_page_keeps_the_strict_policy(client, debate, thesis):
    csp = policy(client.get(f"/embed/d/{debate.slug}/"))
    assert csp["frame-ancestors"] != "'none'"  # the embed may be framed...
    assert csp["script-src"].startswith("'self'")  # ...and still runs only our scripts
    assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'"


def test_no_template_has_an_inline_handler_or_an_inline_script_without_a_nonce():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        handlers = re.findall(r"\son[a-z]+\s*=", text)
        assert not handlers, f"{path}: inline event handler {handlers}"
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" in tag or 'type="application/json"' in tag:
                continue
            assert 'nonce="{{ csp_nonce }}"' in tag, f"{path}: inline script without nonce"


def test_htmx_runs_no_eval_and_keeps_no_history_of_private_pages(client, debate):
    page = client.get(debate.get_absolute_url()).content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', page).group(1)
    assert '"allowEval": false' in config
    assert '"allowScriptTags": false' in config
    assert '"historyCacheSize": 0' in config
    assert "data-logout" in page or "Log in" in page


def _response_with_cookies(path: str, *, session: dict | None = None) -> HttpResponse:
    request = RequestFactory().get(path, secure=True)
    request.session = session if session is not None else {}

    def view(request) -> HttpResponse:
        response = HttpResponse("ok")
        response.set_cookie("sessionid", "abc", samesite="Lax", httponly=True)
        response.set_cookie("csrftoken", "def", samesite="Lax")
        return response

    return LmsFrameCookiesMiddleware(view)(request)


@pytest.mark.parametrize(
    ("path", "session", "samesite"),
    [
        ("/d/some-debate/", {}, "Lax"),  # the site: cookies stay first-party
        ("/accounts/login/", {}, "Lax"),
        ("/lti/d/some-debate/", {}, "None"),  # the LMS frame
        ("/lti/launch/", {}, "None"),
        ("/d/some-debate/claims/1/vote/", {SESSION_ORIGINS: ["https://lms.example"]}, "None"),
    ],
)
def test_cookies_are_samesite_none_only_for_an_lms_frame(path, session, samesite):
    response = _response_with_cookies(path, session=session)
    for name in ("sessionid", "csrftoken"):
        assert response.cookies[name]["samesite"] == samesite, (path, name)
        header = response.cookies[name].output(header="")
        if samesite == "None":
            assert response.cookies[name]["secure"] is True
            # Partitioned (CHIPS): kept in the frame even where third-party cookies are not.
            assert header.endswith("; Partitioned") and "SameSite=None" in header
        else:
            assert "Partitioned" not in header


def _settings_in_a_fresh_process(env: dict[str, str], *names: str) -> subprocess.CompletedProcess:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'debate.settings';"
        "from django.conf import settings;"
        f"print(*[repr(getattr(settings, n)) for n in {list(names)!r}], sep='\\n')"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_any_setting_the_key_is_this_checkouts_own_and_not_in_the_repository():
    run = _settings_in_a_fresh_process({}, "SECRET_KEY", "DEBUG")
    assert run.returncode == 0, run.stderr
    key, debug = run.stdout.splitlines()
    assert debug == "True"
    assert len(eval(key)) >= 50
    assert eval(key) == (ROOT / ".secret_key").read_text().strip()
    tracked = subprocess.run(
        ["git", "ls-files", ".secret_key"], cwd=ROOT, capture_output=True, text=True
    )
    assert tracked.stdout == ""  # never committed
    assert "insecure-development-key" not in (ROOT / "debate" / "settings.py").read_text()


def test_production_refuses_to_start_without_a_key():
    run = _settings_in_a_fresh_process({"DJANGO_DEBUG": "0"}, "SECRET_KEY")
    assert run.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in run.stderr


def test_production_counts_failed_logins_per_client_behind_the_proxy_and_cookies_lax():
    run = _settings_in_a_fresh_process(
        {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 60},
        "ALLAUTH_TRUSTED_PROXY_COUNT",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SAMESITE",
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["1", "'Lax'", "'Lax'"]
