"""LTI 1.3, offline, against a fake platform written here: its RSA key signs id_tokens, and
pylti1p3's fetch of the platform's JWKS is pointed at it. Launches provision accounts and
roles; deep linking returns a response signed with OUR key; every forgery is refused with a
clear page and a 4xx status, before anything is written."""

from __future__ import annotations

import json
import re
import time
import uuid
from io import StringIO
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from jwcrypto.jwk import JWK
from lti_tool.models import Key, LtiDeployment, LtiRegistration, LtiUser
from pylti1p3.exception import LtiException
from pylti1p3.message_launch import MessageLaunch

from arguments import languages, selectors, services
from arguments.models import CourseActivity, Debate, Membership, Role, ScoreReport, Stance
from arguments.services.lti import lti_role_for

pytestmark = pytest.mark.django_db

User = get_user_model()

ISSUER = "https://platform.example"
CLIENT_ID = "debate-map-tool"
DEPLOYMENT_ID = "deployment-1"
PLATFORM_JWKS = "https://platform.example/.well-known/jwks.json"
LMS_COURSE = "https://lms.example/course/7"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


class FakePlatform:
    """An LMS as far as a tool can tell: a key pair, a JWKS, and signed id_tokens."""

    def __init__(self, kid: str = "platform-key-1") -> None:
        self.key = JWK.generate(kty="RSA", size=2048, kid=kid)
        self.kid = kid

    def jwks(self) -> dict[str, Any]:
        public = json.loads(self.key.export_public())
        return {"keys": [public | {"alg": "RS256", "use": "sig"}]}

    def sign(self, claims: dict[str, Any], key: JWK | None = None) -> str:
        pem = (key or self.key).export_to_pem(private_key=True, password=None)
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": self.kid})

    def claims(self, *, nonce: str, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": "student-42",
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "given_name": "Ada",
            "family_name": "Lovelace",
            "name": "Ada Lovelace",
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": DEPLOYMENT_ID,
            CLAIM + "target_link_uri": "http://testserver/lti/launch/",
            CLAIM + "resource_link": {"id": "link-1", "title": "Weekly debate"},
            CLAIM + "roles": [LEARNER],
            CLAIM + "context": {"id": "course-7", "title": "Ethics of AI"},
            CLAIM + "launch_presentation": {"return_url": LMS_COURSE, "document_target": "iframe"},
        }
        claims.update(overrides)
        return {name: value for name, value in claims.items() if value is not None}


@pytest.fixture(scope="module")
def platform() -> FakePlatform:
    return FakePlatform()


@pytest.fixture(autouse=True)
def platform_keys(monkeypatch, platform: FakePlatform) -> None:
    """pylti1p3 fetches the platform's JWKS over HTTP; here the fake platform answers."""

    def fetch_public_key(self: MessageLaunch, key_set_url: str) -> dict[str, Any]:
        if key_set_url != PLATFORM_JWKS:
            raise LtiException(f"Error during fetch URL {key_set_url}: unknown host")
        return platform.jwks()

    monkeypatch.setattr(MessageLaunch, "fetch_public_key", fetch_public_key)


@pytest.fixture
def registration(db) -> LtiRegistration:
    registration = LtiRegistration.objects.create(
        name="Test LMS",
        issuer=ISSUER,
        client_id=CLIENT_ID,
        auth_url="https://platform.example/auth",
        token_url="https://platform.example/token",
        keyset_url=PLATFORM_JWKS,
    )
    LtiDeployment.objects.create(
        registration=registration, deployment_id=DEPLOYMENT_ID, is_active=True
    )
    return registration


def lti_url(debate: Debate, claim=None) -> str:
    if claim is None:
        return f"http://testserver{reverse('lti:debate', args=[debate.slug])}"
    return f"http://testserver{reverse('lti:claim', args=[debate.slug, claim.pk])}"


def start_login(client, **params: str) -> tuple[str, str]:
    """The platform's login initiation; returns the state and nonce the tool chose."""
    query = {
        "iss": ISSUER,
        "client_id": CLIENT_ID,
        "login_hint": "opaque-hint",
        "lti_message_hint": "opaque-message-hint",
        "target_link_uri": "http://testserver/lti/launch/",
        "lti1p3_new_window": "1",  # past pylti1p3's cookie check page
        **params,
    }
    response = client.get("/lti/login/", query)
    assert response.status_code == 302, response.content
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == (
        "https://platform.example/auth"
    )
    auth = parse_qs(location.query)
    assert auth["redirect_uri"] == ["http://testserver/lti/launch/"]
    assert auth["client_id"] == [query["client_id"]]
    assert auth["response_mode"] == ["form_post"]
    return auth["state"][0], auth["nonce"][0]


def launch(client, platform: FakePlatform, *, key: JWK | None = None, **claims: Any):
    state, nonce = start_login(client)
    token = platform.sign(platform.claims(nonce=nonce, **claims), key=key)
    return client.post(
        "/lti/launch/", {"id_token": token, "state": state}, HTTP_ORIGIN="https://lms.example"
    )


def frame_ancestors(response) -> str:
    for directive in response.headers.get("Content-Security-Policy", "").split(";"):
        name, _, value = directive.strip().partition(" ")
        if name == "frame-ancestors":
            return value
    return ""


def nothing_provisioned(users_before: int) -> bool:
    return User.objects.count() == users_before and not LtiUser.objects.exists()


# Resource launches ------------------------------------------------------------------------


def test_a_learners_launch_signs_them_in_as_a_writer_and_shows_the_debate(
    client, platform, registration, debate, thesis, pro
):
    response = launch(client, platform, **{CLAIM + "target_link_uri": lti_url(debate)})
    assert response.status_code == 303
    assert response["Location"] == reverse("lti:debate", args=[debate.slug])

    lti_user = LtiUser.objects.get(registration=registration, sub="student-42")
    user = lti_user.auth_user
    assert user.username.startswith("ada-") and user.first_name == "Ada"
    assert not user.has_usable_password()
    assert Membership.objects.get(debate=debate, user=user).role == Role.WRITER

    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert debate.title in body and thesis.text in body and pro.text in body
    assert "Add pro" in body  # a writer's controls, in the frame
    assert "vote-form" in body
    assert "X-CSRFToken" in body
    assert page.wsgi_request.user == user
    # Framable by the LMS that launched it, and by nobody else.
    assert frame_ancestors(page) == "https://lms.example https://platform.example"
    assert "X-Frame-Options" not in page.headers


def test_an_instructors_launch_makes_them_a_moderator(
    client, platform, registration, debate, thesis
):
    launch(
        client,
        platform,
        sub="teacher-1",
        given_name="Grace",
        **{CLAIM + "roles": [INSTRUCTOR], CLAIM + "target_link_uri": lti_url(debate)},
    )
    user = LtiUser.objects.get(sub="teacher-1").auth_user
    assert Membership.objects.get(debate=debate, user=user).role == Role.MODERATOR


def test_the_account_is_stable_per_issuer_and_subject(
    client, platform, registration, debate, thesis
):
    target = {CLAIM + "target_link_uri": lti_url(debate)}
    launch(client, platform, **target)
    launch(client, platform, given_name="Renamed", **target)
    assert User.objects.filter(lti_users__sub="student-42").distinct().count() == 1
    # Another registration (client id) of the same platform finds the same account.
    other = LtiRegistration.objects.create(
        name="Same LMS, second tool",
        issuer=ISSUER,
        client_id="second-client",
        auth_url="https://platform.example/auth",
        token_url="https://platform.example/token",
        keyset_url=PLATFORM_JWKS,
    )
    LtiDeployment.objects.create(registration=other, deployment_id=DEPLOYMENT_ID, is_active=True)
    state, nonce = start_login(client, client_id="second-client")
    token = platform.sign(platform.claims(nonce=nonce, aud="second-client", **target))
    assert client.post("/lti/launch/", {"id_token": token, "state": state}).status_code == 303
    assert LtiUser.objects.filter(sub="student-42").count() == 2
    assert User.objects.filter(lti_users__sub="student-42").distinct().count() == 1
    # Another subject is another person.
    launch(client, platform, sub="student-43", **target)
    assert User.objects.filter(lti_users__isnull=False).distinct().count() == 2


def test_a_launch_never_lowers_a_role(client, platform, registration, debate, thesis, cast):
    launch(client, platform, **{CLAIM + "target_link_uri": lti_url(debate)})
    user = LtiUser.objects.get(sub="student-42").auth_user
    Membership.objects.filter(debate=debate, user=user).update(role=Role.EDITOR)
    launch(client, platform, **{CLAIM + "target_link_uri": lti_url(debate)})
    assert Membership.objects.get(debate=debate, user=user).role == Role.EDITOR


def test_a_launch_for_a_branch_opens_that_claim(
    client, platform, registration, debate, thesis, pro, con
):
    response = launch(client, platform, **{CLAIM + "target_link_uri": lti_url(debate, pro)})
    assert response["Location"] == reverse("lti:claim", args=[debate.slug, pro.pk])
    body = client.get(response["Location"]).content.decode()
    assert pro.text in body and con.text not in body
    assert "Whole map" in body


def test_custom_parameters_name_the_debate_when_the_url_does_not(
    client, platform, registration, debate, thesis, pro
):
    response = launch(
        client, platform, **{CLAIM + "custom": {"debate": debate.slug, "claim": str(pro.pk)}}
    )
    assert response["Location"] == reverse("lti:claim", args=[debate.slug, pro.pk])


def private_course_link(client, platform, debate: Debate) -> dict[str, Any]:
    """A member instructor chooses the private debate for the course in the picker: the
    content item the platform keeps (its URL and custom parameters)."""
    token, _picker = open_picker(client, platform)
    teacher = LtiUser.objects.get(sub="teacher-1").auth_user
    Membership.objects.create(debate=debate, user=teacher, role=Role.VIEWER)
    response = client.post("/lti/deep-link/", {"launch": token, "debate": debate.slug})
    (item,) = verify_with_our_jwks(client, returned_jwt(response.content.decode()))[
        DL + "content_items"
    ]
    client.logout()
    return item


@pytest.mark.security
def test_a_private_debate_shows_through_a_course_link_a_member_chose(
    client, platform, registration, debate, thesis
):
    Debate.objects.filter(pk=debate.pk).update(visibility=Debate.Visibility.PRIVATE)
    debate.refresh_from_db()
    item = private_course_link(client, platform, debate)
    assert set(item["custom"]) == {"debate", "link"}
    response = launch(
        client,
        platform,
        **{CLAIM + "target_link_uri": item["url"], CLAIM + "custom": item["custom"]},
    )
    assert response.status_code == 303
    page = client.get(response["Location"])
    assert page.status_code == 200 and thesis.text in page.content.decode()
    learner = LtiUser.objects.get(sub="student-42").auth_user
    assert Membership.objects.get(debate=debate, user=learner).role == Role.WRITER


@pytest.mark.security
@pytest.mark.parametrize("named_by", ["target_link_uri", "custom"])
def test_an_instructor_naming_a_private_debate_by_hand_gains_no_role(
    client, platform, registration, debate, thesis, named_by
):
    """Security finding (issue 13, high): a signed Instructor launch whose target (or custom
    parameter) names a private debate made the instructor its moderator."""
    Debate.objects.filter(pk=debate.pk).update(visibility=Debate.Visibility.PRIVATE)
    users = User.objects.count()
    target = (
        {CLAIM + "target_link_uri": lti_url(debate)}
        if named_by == "target_link_uri"
        else {CLAIM + "custom": {"debate": debate.slug}}
    )
    response = launch(client, platform, **{CLAIM + "roles": [INSTRUCTOR], **target})
    assert response.status_code == 403
    assert "private" in response.content.decode()
    assert nothing_provisioned(users)  # no account, so no membership either
    assert client.get(reverse("arguments:debate_settings", args=[debate.slug])).status_code in (
        302,
        404,
    )


@pytest.mark.security
def test_a_course_link_copied_to_another_course_admits_no_one(
    client, platform, registration, debate, thesis
):
    Debate.objects.filter(pk=debate.pk).update(visibility=Debate.Visibility.PRIVATE)
    debate.refresh_from_db()
    item = private_course_link(client, platform, debate)
    forged = {**item["custom"], "link": item["custom"]["link"][:-2] + "xx"}
    for custom, context in [
        (item["custom"], {"id": "course-8", "title": "Another course"}),
        (forged, {"id": "course-7", "title": "Ethics of AI"}),
    ]:
        response = launch(
            client,
            platform,
            **{
                CLAIM + "target_link_uri": item["url"],
                CLAIM + "custom": custom,
                CLAIM + "context": context,
            },
        )
        assert response.status_code == 403
    assert not LtiUser.objects.filter(sub="student-42").exists()


@pytest.mark.security
def test_a_member_launches_a_private_debate_without_a_course_link_as_they_are(
    client, platform, registration, debate, thesis
):
    assert (
        launch(client, platform, **{CLAIM + "target_link_uri": lti_url(debate)}).status_code == 303
    )
    Debate.objects.filter(pk=debate.pk).update(visibility=Debate.Visibility.PRIVATE)
    client.logout()
    response = launch(
        client,
        platform,
        **{CLAIM + "target_link_uri": lti_url(debate), CLAIM + "roles": [INSTRUCTOR]},
    )
    assert response.status_code == 303
    learner = LtiUser.objects.get(sub="student-42").auth_user
    assert Membership.objects.get(debate=debate, user=learner).role == Role.WRITER  # not raised


def test_following_a_claim_in_the_frame_stays_framable(
    client, platform, registration, debate, thesis, pro
):
    launch(client, platform, **{CLAIM + "target_link_uri": lti_url(debate)})
    page = client.get(reverse("lti:claim", args=[debate.slug, pro.pk]))
    assert page.status_code == 200
    assert frame_ancestors(page) == "https://lms.example https://platform.example"
    assert client.get(reverse("lti:claim", args=[debate.slug, 999999])).status_code == 404


def test_the_lms_page_without_a_session_explains_cookies(client, debate, thesis):
    response = client.get(reverse("lti:debate", args=[debate.slug]))
    assert response.status_code == 403
    assert "third-party cookies" in response.content.decode()


def test_a_signed_in_stranger_cannot_read_a_private_debate_there(client, debate, thesis, cast):
    Debate.objects.filter(pk=debate.pk).update(visibility=Debate.Visibility.PRIVATE)
    client.force_login(cast.stranger)
    assert client.get(reverse("lti:debate", args=[debate.slug])).status_code == 404


def test_a_link_that_names_no_debate_is_a_clear_400(client, platform, registration):
    users = User.objects.count()
    response = launch(client, platform)  # the generic launch URL, no custom parameters
    assert response.status_code == 400
    assert "does not name a debate" in response.content.decode()
    assert nothing_provisioned(users)


def test_a_link_to_a_deleted_debate_is_a_404(client, platform, registration):
    users = User.objects.count()
    response = launch(
        client, platform, **{CLAIM + "target_link_uri": "http://testserver/lti/d/gone/"}
    )
    assert response.status_code == 404
    assert nothing_provisioned(users)


# Refused launches: a clear page, a 4xx status, nothing written ----------------------------


def refused(response, status: int, words: str, users_before: int) -> None:
    assert response.status_code == status, response.content
    body = response.content.decode()
    assert "Cannot show this map" in body
    assert words in body
    assert nothing_provisioned(users_before)
    assert not Membership.objects.filter(user__lti_users__isnull=False).exists()


@pytest.fixture
def users(registration, debate, thesis) -> int:
    return User.objects.count()


@pytest.mark.security
def test_a_forged_token_is_refused(client, platform, debate, users):
    forger = JWK.generate(kty="RSA", size=2048)
    response = launch(client, platform, key=forger, **{CLAIM + "target_link_uri": lti_url(debate)})
    refused(response, 403, "forged", users)


@pytest.mark.security
def test_an_expired_token_is_refused(client, platform, debate, users):
    past = int(time.time()) - 3600
    response = launch(
        client, platform, iat=past - 300, exp=past, **{CLAIM + "target_link_uri": lti_url(debate)}
    )
    refused(response, 403, "expired", users)


@pytest.mark.security
def test_a_token_without_expiry_is_refused(client, platform, debate, users):
    response = launch(client, platform, exp=None, **{CLAIM + "target_link_uri": lti_url(debate)})
    assert 400 <= response.status_code < 500
    assert nothing_provisioned(users)


@pytest.mark.security
def test_an_unknown_issuer_is_refused(client, platform, debate, users):
    response = launch(
        client,
        platform,
        iss="https://stranger-lms.example",
        **{CLAIM + "target_link_uri": lti_url(debate)},
    )
    refused(response, 403, "not registered", users)


@pytest.mark.security
def test_a_wrong_audience_is_refused(client, platform, debate, users):
    response = launch(
        client, platform, aud="some-other-tool", **{CLAIM + "target_link_uri": lti_url(debate)}
    )
    refused(response, 403, "audience", users)


@pytest.mark.security
def test_an_unknown_deployment_is_refused(client, platform, debate, users):
    response = launch(
        client,
        platform,
        **{CLAIM + "deployment_id": "unknown", CLAIM + "target_link_uri": lti_url(debate)},
    )
    refused(response, 403, "not activated", users)
    # Recorded, inactive, for an administrator to activate (django-lti's way).
    assert not LtiDeployment.objects.get(deployment_id="unknown").is_active


@pytest.mark.security
def test_a_replayed_launch_is_refused(client, platform, debate, users):
    state, nonce = start_login(client)
    token = platform.sign(
        platform.claims(nonce=nonce, **{CLAIM + "target_link_uri": lti_url(debate)})
    )
    assert client.post("/lti/launch/", {"id_token": token, "state": state}).status_code == 303
    accounts = User.objects.count()
    client.logout()
    again = client.post("/lti/launch/", {"id_token": token, "state": state})
    assert again.status_code == 403
    assert "already used" in again.content.decode()
    assert User.objects.count() == accounts


@pytest.mark.security
def test_a_nonce_the_tool_never_issued_is_refused(client, platform, debate, users):
    state, _nonce = start_login(client)
    token = platform.sign(
        platform.claims(nonce="made-up", **{CLAIM + "target_link_uri": lti_url(debate)})
    )
    response = client.post("/lti/launch/", {"id_token": token, "state": state})
    refused(response, 403, "already used or has expired", users)


@pytest.mark.security
def test_a_launch_that_did_not_start_here_is_refused(client, platform, debate, users):
    token = platform.sign(
        platform.claims(nonce="n", **{CLAIM + "target_link_uri": lti_url(debate)})
    )
    response = client.post("/lti/launch/", {"id_token": token, "state": "state-unknown"})
    refused(response, 400, "did not start here", users)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"state": "x"},
        {"id_token": "not-a-jwt", "state": "x"},
    ],
)
def test_garbage_is_a_400(client, users, data):
    response = client.post("/lti/launch/", data)
    assert response.status_code == 400
    assert nothing_provisioned(users)


def test_a_malformed_token_after_a_real_login_is_a_400(client, users):
    state, _nonce = start_login(client)
    for token in ("a.b.c", "e30.W10.sig"):  # undecodable; a JSON list as the body
        response = client.post("/lti/launch/", {"id_token": token, "state": state})
        assert 400 <= response.status_code < 500
    assert nothing_provisioned(users)


def test_the_launch_only_accepts_posts(client):
    assert client.get("/lti/launch/").status_code == 405


# Login initiation and our keys ------------------------------------------------------------


def test_login_first_checks_that_the_frame_keeps_cookies(client, registration):
    response = client.get("/lti/login/", {"iss": ISSUER, "client_id": CLIENT_ID, "login_hint": "h"})
    assert response.status_code == 200
    assert "Open the argument map in a new window" in response.content.decode()
    assert frame_ancestors(response) == "*"


def test_login_from_an_unknown_platform_is_refused(client, registration):
    response = client.get(
        "/lti/login/",
        {"iss": "https://stranger.example", "login_hint": "h", "lti1p3_new_window": "1"},
    )
    assert response.status_code == 403
    assert "not registered" in response.content.decode()


def test_login_without_a_login_hint_is_a_400(client, registration):
    response = client.get("/lti/login/", {"iss": ISSUER, "lti1p3_new_window": "1"})
    assert response.status_code == 400


def test_login_by_registration_uuid(client, registration):
    response = client.post(
        f"/lti/login/{registration.uuid}/",
        {"iss": ISSUER, "login_hint": "h", "lti1p3_new_window": "1"},
    )
    assert response.status_code == 302


def test_login_by_an_unknown_registration_uuid_is_a_404(client, registration):
    response = client.get(f"/lti/login/{uuid.uuid4()}/", {"iss": ISSUER, "login_hint": "h"})
    assert response.status_code == 404


def test_our_jwks_publishes_public_keys_only(client):
    response = client.get("/lti/jwks/")
    assert response.status_code == 200
    (key,) = response.json()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["kid"]
    assert "d" not in key and "p" not in key


def test_rotating_keys_publishes_the_new_key_and_retires_old_ones(client):
    call_command("rotate_lti_keys", stdout=StringIO())
    old = Key.objects.get()
    Key.objects.filter(pk=old.pk).update(datetime_created=old.datetime_created.replace(year=2000))
    out = StringIO()
    call_command("rotate_lti_keys", "--retire-after", "7", stdout=out)
    assert "retired 1" in out.getvalue()
    kids = [key["kid"] for key in client.get("/lti/jwks/").json()["keys"]]
    assert kids == [str(Key.objects.active().get())]
    assert str(old) not in kids


def test_platforms_are_registered_in_the_admin(client, cast):
    client.force_login(cast.staff)
    assert "LTI registrations" in client.get("/admin/").content.decode()
    assert client.get("/admin/lti_tool/ltiregistration/add/").status_code == 200


# Deep linking -----------------------------------------------------------------------------


def deep_link_claims(**overrides: Any) -> dict[str, Any]:
    return {
        CLAIM + "message_type": "LtiDeepLinkingRequest",
        CLAIM + "resource_link": None,
        CLAIM + "roles": [INSTRUCTOR],
        "sub": "teacher-1",
        "given_name": "Grace",
        DL + "deep_linking_settings": {
            "deep_link_return_url": "https://lms.example/deep-link-return",
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "data": "opaque-platform-data",
        },
        **overrides,
    }


def open_picker(client, platform) -> tuple[str, str]:
    response = launch(client, platform, **deep_link_claims())
    assert response.status_code == 303
    assert response["Location"].startswith("/lti/deep-link/?launch=")
    picker = client.get(response["Location"])
    assert picker.status_code == 200
    token = parse_qs(urlsplit(response["Location"]).query)["launch"][0]
    return token, picker.content.decode()


def verify_with_our_jwks(client, token: str) -> dict[str, Any]:
    kid = jwt.get_unverified_header(token)["kid"]
    keys = {key["kid"]: key for key in client.get("/lti/jwks/").json()["keys"]}
    public = jwt.PyJWK.from_dict(keys[kid])
    return jwt.decode(token, public, algorithms=["RS256"], audience=ISSUER)


def returned_jwt(body: str) -> str:
    import re

    assert 'action="https://lms.example/deep-link-return"' in body
    return re.search(r'name="JWT" value="([^"]+)"', body).group(1)


def test_deep_linking_returns_the_chosen_debate_signed_with_our_key(
    client, platform, registration, debate, thesis
):
    token, picker = open_picker(client, platform)
    assert debate.title in picker
    response = client.post("/lti/deep-link/", {"launch": token, "debate": debate.slug})
    assert response.status_code == 200
    assert frame_ancestors(response) == "https://lms.example https://platform.example"
    message = verify_with_our_jwks(client, returned_jwt(response.content.decode()))
    assert message["iss"] == CLIENT_ID
    assert message[CLAIM + "message_type"] == "LtiDeepLinkingResponse"
    assert message[CLAIM + "deployment_id"] == DEPLOYMENT_ID
    assert message[DL + "data"] == "opaque-platform-data"
    (item,) = message[DL + "content_items"]
    assert item["type"] == "ltiResourceLink"
    assert item["url"] == lti_url(debate)
    assert item["title"] == debate.title
    assert item["custom"] == {"debate": debate.slug}


def test_deep_linking_a_branch_by_its_address_and_launching_it(
    client, platform, registration, debate, thesis, pro, cast
):
    sub = services.claim_add(actor=cast.writer, parent=pro, stance=Stance.CON, text="Not all.")
    token, _picker = open_picker(client, platform)
    response = client.post(
        "/lti/deep-link/",
        {"launch": token, "address": f"http://testserver{pro.get_absolute_url()}"},
    )
    (item,) = verify_with_our_jwks(client, returned_jwt(response.content.decode()))[
        DL + "content_items"
    ]
    assert item["url"] == lti_url(debate, pro)
    assert item["custom"] == {"debate": debate.slug, "claim": str(pro.pk)}
    # The platform then launches the link it was given.
    client.logout()
    launched = launch(client, platform, **{CLAIM + "target_link_uri": item["url"]})
    assert launched["Location"] == reverse("lti:claim", args=[debate.slug, pro.pk])
    assert sub.text in client.get(launched["Location"]).content.decode()


def test_deep_linking_is_for_instructors(client, platform, registration, debate):
    users = User.objects.count()
    response = launch(client, platform, **deep_link_claims(**{CLAIM + "roles": [LEARNER]}))
    assert response.status_code == 403
    assert "Only instructors" in response.content.decode()
    assert nothing_provisioned(users)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({}, "Pick a debate"),
        ({"debate": "no-such-debate"}, "no debate"),
        ({"address": "https://elsewhere.example/d/x/"}, "not a debate of this site"),
        ({"address": "http://testserver/d/{slug}/claims/999999/"}, "not available"),
    ],
)
def test_a_bad_choice_redisplays_the_picker(
    client, platform, registration, debate, thesis, data, words
):
    token, _picker = open_picker(client, platform)
    data = {key: value.format(slug=debate.slug) for key, value in data.items()}
    response = client.post("/lti/deep-link/", {"launch": token, **data})
    assert response.status_code == 422
    assert words in response.content.decode()


@pytest.mark.security
def test_a_private_debate_cannot_be_picked_by_a_stranger(
    client, platform, registration, debate, thesis
):
    Debate.objects.filter(pk=debate.pk).update(visibility=Debate.Visibility.PRIVATE)
    token, picker = open_picker(client, platform)
    assert debate.title not in picker
    response = client.post(
        "/lti/deep-link/", {"launch": token, "address": f"http://testserver/d/{debate.slug}/"}
    )
    assert response.status_code == 422
    assert "private" in response.content.decode()


@pytest.mark.parametrize("token", ["", "forged-token", "abc:def:ghi"])
def test_the_picker_needs_a_launch_of_ours(client, token):
    for response in (
        client.get("/lti/deep-link/", {"launch": token}),
        client.post("/lti/deep-link/", {"launch": token, "debate": "x"}),
    ):
        assert response.status_code == 400
        assert "opened from your course" in response.content.decode()


def test_the_picker_refuses_a_resource_launch(client, platform, registration, debate, thesis):
    from django.core import signing

    from arguments.lti.views import PICKER_SALT

    launch(client, platform, **{CLAIM + "target_link_uri": lti_url(debate)})
    # A valid signature over a launch id that is not a deep-linking launch.
    token = signing.dumps(f"lti1p3-launch-{uuid.uuid4()}", salt=PICKER_SALT)
    response = client.get("/lti/deep-link/", {"launch": token})
    assert response.status_code == 400


@pytest.mark.security
def test_a_choice_without_the_session_cookie_links_the_debate_without_vouching(
    client, platform, registration, debate, thesis
):
    # A browser that blocks the LMS frame's cookies posts the picker without our session:
    # the signed launch token still finds the launch, but no account stands behind the
    # choice, so it vouches for nothing (a public debate needs no voucher).
    token, _picker = open_picker(client, platform)
    client.cookies.clear()
    response = client.post("/lti/deep-link/", {"launch": token, "debate": debate.slug})
    assert response.status_code == 200
    (item,) = verify_with_our_jwks(client, returned_jwt(response.content.decode()))[
        DL + "content_items"
    ]
    assert item["custom"] == {"debate": debate.slug}


def test_the_return_to_the_platform_runs_only_with_its_nonce_and_posts_only_there(
    client, platform, registration, debate, thesis
):
    token, _picker = open_picker(client, platform)
    response = client.post("/lti/deep-link/", {"launch": token, "debate": debate.slug})
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert f'<script nonce="{nonce}">' in response.content.decode()
    assert "form-action 'self' https://lms.example" in csp
    assert "object-src 'none'" in csp and "base-uri 'none'" in csp


def test_the_cookie_check_script_carries_the_pages_nonce(client, registration):
    response = client.get(
        "/lti/login/",
        {
            "iss": ISSUER,
            "client_id": CLIENT_ID,
            "login_hint": "hint",
            "target_link_uri": "http://testserver/lti/launch/",
        },
    )
    assert response.status_code == 200
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    scripts = re.findall(r"<script[^>]*>", response.content.decode())
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)


# Malformed claims, correctly signed: a 400 page the LMS may frame, nothing written --------

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


@pytest.mark.parametrize(
    ("claims", "named"),
    [
        ({CLAIM + "tool_platform": {"name": "LMS"}}, "tool_platform.guid"),
        ({CLAIM + "tool_platform": "https://lms.example"}, "tool_platform"),
        ({NRPS: {"service_versions": ["2.0"]}}, "context_memberships_url"),
        ({NRPS: "https://lms.example/members"}, "names and roles"),
        ({CLAIM + "context": "course-7"}, "context"),
        ({CLAIM + "context": {"title": "No id"}}, "context.id"),
        ({AGS: "https://lms.example/lineitems"}, "grade services"),
        ({AGS: {"scope": "https://purl.imsglobal.org/spec/lti-ags/scope/score"}}, "scope"),
        ({CLAIM + "platformnotificationservice": "https://lms.example/pns"}, "notification"),
        ({CLAIM + "roles": [LEARNER, {"role": "Instructor"}]}, "roles"),
        ({CLAIM + "roles": LEARNER}, "roles"),
        ({CLAIM + "resource_link": {"id": 7}}, "resource_link.id"),
        ({CLAIM + "launch_presentation": "iframe"}, "launch_presentation"),
        ({CLAIM + "custom": "debate=x"}, "custom"),
        ({"given_name": {"first": "Ada"}}, "given_name"),
        ({"picture": "https://lms.example/" + "p" * 300}, "picture"),
        ({"sub": "s" * 300}, "sub"),
    ],
)
def test_a_signed_launch_with_a_malformed_claim_is_a_framable_400(
    client, platform, debate, users, claims, named
):
    response = launch(client, platform, **{CLAIM + "target_link_uri": lti_url(debate), **claims})
    assert response.status_code == 400, response.content
    body = response.content.decode()
    assert "malformed launch" in body and named in body
    assert frame_ancestors(response) == "*"
    assert "X-Frame-Options" not in response.headers
    assert nothing_provisioned(users)


def test_a_custom_claim_id_that_is_not_a_number_opens_the_debate(
    client, platform, registration, debate, thesis
):
    # "²".isdigit() is True but int("²") fails: the claim is ignored, the debate opens.
    response = launch(client, platform, **{CLAIM + "custom": {"debate": debate.slug, "claim": "²"}})
    assert response.status_code == 303
    assert response["Location"] == reverse("lti:debate", args=[debate.slug])


def test_a_deep_linking_launch_with_a_malformed_claim_is_a_400(client, platform, debate, users):
    response = launch(client, platform, **deep_link_claims(**{CLAIM + "context": ["course-7"]}))
    assert response.status_code == 400
    assert frame_ancestors(response) == "*"
    assert nothing_provisioned(users)


def test_well_formed_optional_claims_are_accepted_and_stored(
    client, platform, registration, debate, thesis
):
    response = launch(
        client,
        platform,
        **{
            CLAIM + "target_link_uri": lti_url(debate),
            CLAIM + "tool_platform": {"guid": "lms-1", "name": "LMS", "url": "https://lms.example"},
            NRPS: {
                "context_memberships_url": "https://lms.example/members",
                "service_versions": ["2.0"],
            },
            AGS: {"scope": [], "lineitems": "https://lms.example/lineitems"},
        },
    )
    assert response.status_code == 303
    assert LtiUser.objects.filter(sub="student-42").exists()


# Course roles decide; institution and system roles do not --------------------------------

INST = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
SYS = "http://purl.imsglobal.org/vocab/lis/v2/system/person#"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"


@pytest.mark.parametrize(
    ("roles", "role"),
    [
        ([f"{MEMBERSHIP}#Instructor"], Role.MODERATOR),
        ([f"{MEMBERSHIP}#Administrator"], Role.MODERATOR),
        ([f"{MEMBERSHIP}#ContentDeveloper"], Role.MODERATOR),
        ([f"{MEMBERSHIP}/Instructor#TeachingAssistant"], Role.MODERATOR),
        ([f"{MEMBERSHIP}#Learner"], Role.WRITER),
        ([f"{MEMBERSHIP}/Learner#NonCreditLearner"], Role.WRITER),
        ([f"{MEMBERSHIP}#Mentor"], Role.VIEWER),
        ([f"{MEMBERSHIP}#Learner", f"{INST}Instructor"], Role.WRITER),
        ([f"{MEMBERSHIP}#Learner", f"{INST}Administrator"], Role.WRITER),
        ([f"{MEMBERSHIP}#Learner", f"{SYS}Administrator"], Role.WRITER),
        ([f"{INST}Faculty", f"{INST}Instructor"], Role.VIEWER),
        ([f"{SYS}Administrator"], Role.VIEWER),
        ([f"{MEMBERSHIP}#Learner", f"{MEMBERSHIP}#Instructor"], Role.MODERATOR),
        (["Instructor"], Role.MODERATOR),  # deprecated simple names are context roles
        (["Learner"], Role.WRITER),
        (["urn:lti:role:ims/lis/Instructor"], Role.MODERATOR),  # LTI 1.1's context roles
        (["urn:lti:instrole:ims/lis/Administrator", "Learner"], Role.WRITER),
        (["Student"], Role.VIEWER),  # not an LTI role name
        ([f"{MEMBERSHIP}#Learner#Instructor"], Role.VIEWER),
        ([f"{MEMBERSHIP}#instructor"], Role.VIEWER),
        ([], Role.VIEWER),
    ],
)
def test_course_roles_alone_decide_the_role_in_the_debate(roles, role):
    assert lti_role_for(roles) == role


def test_an_institution_instructor_who_is_a_learner_here_does_not_moderate(
    client, platform, registration, debate, thesis
):
    launch(
        client,
        platform,
        **{
            CLAIM + "roles": [LEARNER, f"{INST}Instructor", f"{SYS}Administrator"],
            CLAIM + "target_link_uri": lti_url(debate),
        },
    )
    user = LtiUser.objects.get(sub="student-42").auth_user
    assert Membership.objects.get(debate=debate, user=user).role == Role.WRITER
    assert client.get(reverse("arguments:debate_settings", args=[debate.slug])).status_code != 200


def test_an_institution_administrator_cannot_open_the_picker(client, platform, registration):
    response = launch(
        client, platform, **deep_link_claims(**{CLAIM + "roles": [f"{SYS}Administrator"]})
    )
    assert response.status_code == 403


# Audiences -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("aud", "azp", "status"),
    [
        (["another-tool", CLIENT_ID], CLIENT_ID, 303),
        ([CLIENT_ID, "another-tool"], CLIENT_ID, 303),
        ([CLIENT_ID], None, 303),
        (CLIENT_ID, CLIENT_ID, 303),
        (["another-tool", CLIENT_ID], None, 403),  # several audiences need azp
        (["another-tool", CLIENT_ID], "another-tool", 403),  # issued to another tool
        ([CLIENT_ID, "another-tool"], "a-third-tool", 403),  # azp not an audience
        (CLIENT_ID, "another-tool", 403),
    ],
)
def test_the_client_id_is_the_authorized_party_among_several_audiences(
    client, platform, debate, users, aud, azp, status
):
    response = launch(
        client, platform, aud=aud, azp=azp, **{CLAIM + "target_link_uri": lti_url(debate)}
    )
    assert response.status_code == status, response.content
    assert nothing_provisioned(users) == (status != 303)


# Back to the course --------------------------------------------------------------------


def test_the_frame_links_back_to_the_course_page_the_launch_came_from(
    client, platform, registration, debate, thesis
):
    response = launch(client, platform, **{CLAIM + "target_link_uri": lti_url(debate)})
    body = client.get(response["Location"]).content.decode()
    assert f'href="{LMS_COURSE}" target="_top">← Back to the course' in body


@pytest.mark.parametrize("return_url", [None, "javascript:alert(1)", "/relative/path"])
def test_no_back_link_without_a_web_return_url(
    client, platform, registration, debate, thesis, return_url
):
    launch(client, platform, **{CLAIM + "target_link_uri": lti_url(debate)})  # had one
    response = launch(
        client,
        platform,
        **{
            CLAIM + "target_link_uri": lti_url(debate),
            CLAIM + "launch_presentation": {"return_url": return_url} if return_url else None,
        },
    )
    body = client.get(response["Location"]).content.decode()
    assert "Back to the course" not in body


# Graded links and the grading formula -----------------------------------------------------


def test_a_link_carries_a_line_item_only_when_the_teacher_ticks_graded(
    client, platform, registration, debate, thesis
):
    token, picker = open_picker(client, platform)
    assert 'name="graded"' in picker
    plain = client.post("/lti/deep-link/", {"launch": token, "debate": debate.slug})
    (item,) = verify_with_our_jwks(client, returned_jwt(plain.content.decode()))[
        DL + "content_items"
    ]
    assert "lineItem" not in item
    graded = client.post("/lti/deep-link/", {"launch": token, "debate": debate.slug, "graded": "1"})
    (item,) = verify_with_our_jwks(client, returned_jwt(graded.content.decode()))[
        DL + "content_items"
    ]
    assert item["lineItem"]["scoreMaximum"] == 100 and item["lineItem"]["label"] == debate.title


def test_no_graded_choice_when_the_platform_takes_no_line_items(
    client, platform, registration, debate, thesis
):
    settings = deep_link_claims()[DL + "deep_linking_settings"] | {"accept_lineitem": False}
    response = launch(
        client, platform, **deep_link_claims(**{DL + "deep_linking_settings": settings})
    )
    token = parse_qs(urlsplit(response["Location"]).query)["launch"][0]
    assert 'name="graded"' not in client.get(response["Location"]).content.decode()
    answer = client.post("/lti/deep-link/", {"launch": token, "debate": debate.slug, "graded": "1"})
    (item,) = verify_with_our_jwks(client, returned_jwt(answer.content.decode()))[
        DL + "content_items"
    ]
    assert "lineItem" not in item


def test_a_moderator_chooses_the_grade_formula(client, cast, debate):
    client.force_login(cast.owner)
    url = reverse("arguments:debate_grading", args=[debate.slug])
    response = client.post(url, {"grade_formula": "arguments", "grade_full_marks": "12"})
    assert response.status_code == 302
    debate.refresh_from_db()
    assert (debate.grade_formula, debate.grade_full_marks) == ("arguments", 12)
    fragment = client.post(
        url, {"grade_formula": "claims", "grade_full_marks": "3"}, HTTP_HX_REQUEST="true"
    )
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body and 'id="courses"' in body
    assert re.search(r'value="claims"[^>]*checked', body)


@pytest.mark.parametrize(
    "data",
    [
        {"grade_formula": "claims", "grade_full_marks": "0"},
        {"grade_formula": "popularity", "grade_full_marks": "10"},
        {"grade_formula": "claims", "grade_full_marks": "ten"},
    ],
)
def test_a_bad_grade_formula_is_a_422_and_changes_nothing(client, cast, debate, data):
    client.force_login(cast.owner)
    url = reverse("arguments:debate_grading", args=[debate.slug])
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    debate.refresh_from_db()
    assert (debate.grade_formula, debate.grade_full_marks) == ("participation", 10)


@pytest.mark.parametrize(
    ("roles", "lineitem", "scored"),
    [
        ([LEARNER], "https://lms.example/lineitems/1/lineitem", True),
        ([INSTRUCTOR], "https://lms.example/lineitems/1/lineitem", False),
        ([LEARNER], None, False),  # an ungraded link
    ],
)
def test_a_launch_records_the_course_link_and_scores_only_learners_of_a_graded_one(
    client, platform, registration, debate, thesis, roles, lineitem, scored
):
    ags = {"scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]}
    if lineitem:
        ags["lineitem"] = lineitem
    response = launch(
        client,
        platform,
        **{CLAIM + "target_link_uri": lti_url(debate), CLAIM + "roles": roles, AGS: ags},
    )
    assert response.status_code == 303
    activity = CourseActivity.objects.get(debate=debate)
    assert activity.lineitem_url == (lineitem or "")
    assert activity.resource_link.id_on_platform == "link-1"
    assert ScoreReport.objects.filter(activity=activity, sub="student-42").exists() is scored


# Launches without cookies: the platform keeps state and nonce (arguments.lti.storage) ------


def storage_login(client, **params: str) -> tuple[str, str, Any]:
    """A login initiation that names the platform's storage frame: the tool's page, and the
    state and nonce it sends on to the platform's auth URL."""
    query = {
        "iss": ISSUER,
        "client_id": CLIENT_ID,
        "login_hint": "opaque-hint",
        "target_link_uri": "http://testserver/lti/launch/",
        "lti_storage_target": "_parent",
        **params,
    }
    response = client.post("/lti/login/", query)
    assert response.status_code == 200, response.content
    body = response.content.decode()
    next_url = re.search(r'data-next="([^"]+)"', body).group(1).replace("&amp;", "&")
    auth = parse_qs(urlsplit(next_url).query)
    assert next_url.startswith("https://platform.example/auth?")
    return auth["state"][0], auth["nonce"][0], response


def storage_verify(client, token: str, state: str, nonce: str, **headers: str):
    """Our launch page's post: the launch, and what the platform's storage gave back."""
    data = {
        "id_token": token,
        "state": state,
        "lti_storage_state": state,
        "lti_storage_nonce": nonce,
    }
    headers = headers or {"HTTP_SEC_FETCH_SITE": "same-origin"}
    return client.post("/lti/launch/", data, **headers)


@pytest.fixture
def stored(client, platform, registration, debate, thesis) -> tuple[str, str, str]:
    """A login through platform storage, and the platform's token for it."""
    state, nonce, _page = storage_login(client)
    claims = platform.claims(nonce=nonce, **{CLAIM + "target_link_uri": lti_url(debate)})
    return platform.sign(claims), state, nonce


def test_a_storage_login_keeps_no_cookie_and_hands_the_values_to_the_platform(client, registration):
    state, nonce, response = storage_login(client)
    assert state.startswith("ps1.")  # signed by us, not pylti1p3's "state-<uuid>"
    assert not response.cookies  # the platform keeps state and nonce
    body = response.content.decode()
    assert 'data-target="_parent"' in body and 'data-origin="https://platform.example"' in body
    assert f'data-nonce="{nonce}"' in body
    assert "/static/js/lti-storage.js" in body  # our own script, no inline code
    assert frame_ancestors(response) == "*"  # the platform's frame shows it
    # Without an answer from the platform, or without JavaScript: today's cookie flow.
    fallback = re.search(r'data-fallback="([^"]+)"', body).group(1).replace("&amp;", "&")
    assert urlsplit(fallback).path == "/lti/login/"
    assert "lti_storage_target" not in fallback and "login_hint=opaque-hint" in fallback
    assert 'http-equiv="refresh"' in body
    fallen_back = client.get(fallback)
    assert "Open the argument map in a new window" in fallen_back.content.decode()


@pytest.mark.parametrize("target", ["", "frame name", "<script>", "x" * 65])
def test_a_login_without_a_usable_storage_target_takes_the_cookie_flow(
    client, registration, target
):
    response = client.get(
        "/lti/login/",
        {"iss": ISSUER, "client_id": CLIENT_ID, "login_hint": "h", "lti_storage_target": target},
    )
    assert "Open the argument map in a new window" in response.content.decode()


def test_a_login_in_a_new_window_uses_its_first_party_cookie(client, registration):
    state, _nonce = start_login(client, lti_storage_target="_parent")
    assert state.startswith("state-")


def test_a_storage_launch_first_reads_the_values_back_from_the_platform(client, stored, users):
    token, state, nonce = stored
    response = client.post("/lti/launch/", {"id_token": token, "state": state})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-step="launch"' in body and 'data-target="_parent"' in body
    assert f'data-nonce="{nonce}"' in body and 'action="/lti/launch/"' in body
    assert f'value="{token}"' in body
    assert frame_ancestors(response) == "*"
    assert nothing_provisioned(users)  # nothing before the verify step


def test_a_storage_launch_signs_the_learner_in(client, stored, debate):
    token, state, nonce = stored
    response = storage_verify(client, token, state, nonce)
    assert response.status_code == 303, response.content
    assert response["Location"] == reverse("lti:debate", args=[debate.slug])
    assert client.get(response["Location"]).status_code == 200
    assert Membership.objects.get(user__lti_users__sub="student-42").role == Role.WRITER


def test_a_storage_launch_from_an_older_browser_is_checked_by_its_origin(client, stored):
    token, state, nonce = stored
    response = storage_verify(client, token, state, nonce, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 303, response.content


def test_a_forged_storage_state_is_refused(client, stored, users):
    token, state, nonce = stored
    forged = state[:-3] + ("abc" if not state.endswith("abc") else "xyz")
    for data in ({"id_token": token, "state": forged}, None):
        if data is None:
            response = storage_verify(client, token, forged, nonce)
        else:
            response = client.post("/lti/launch/", data)
        refused(response, 400, "did not start here", users)
        assert frame_ancestors(response) == "*"


def test_an_expired_storage_state_is_refused(client, stored, users, monkeypatch):
    token, state, nonce = stored
    monkeypatch.setattr("arguments.lti.storage.STATE_MAX_AGE", -1)
    refused(storage_verify(client, token, state, nonce), 400, "took too long", users)


def test_a_replayed_storage_launch_is_refused(client, stored):
    token, state, nonce = stored
    assert storage_verify(client, token, state, nonce).status_code == 303
    client.logout()
    response = storage_verify(client, token, state, nonce)
    assert response.status_code == 403
    assert "already used" in response.content.decode()


def test_a_token_from_another_login_is_refused(client, platform, stored, debate, users):
    _token, state, _nonce = stored
    _other_state, other_nonce, _page = storage_login(client)
    token = platform.sign(
        platform.claims(nonce=other_nonce, **{CLAIM + "target_link_uri": lti_url(debate)})
    )
    response = storage_verify(client, token, state, other_nonce)
    refused(response, 403, "does not belong to the login", users)


@pytest.mark.parametrize("field", ["lti_storage_state", "lti_storage_nonce"])
def test_values_the_platform_did_not_confirm_are_refused(client, stored, users, field):
    token, state, nonce = stored
    data = {"id_token": token, "state": state, "lti_storage_state": state}
    data["lti_storage_nonce"] = nonce
    data[field] = ""  # the platform's storage had nothing for this browser
    response = client.post("/lti/launch/", data, HTTP_SEC_FETCH_SITE="same-origin")
    refused(response, 403, "did not confirm", users)


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "http://testserver"},
        {"HTTP_ORIGIN": "https://attacker.example"},
        {"HTTP_REFERER": "http://testserver/"},  # neither header: refused
    ],
)
def test_a_verify_step_posted_by_another_site_is_refused(client, stored, users, headers):
    """Login CSRF: another site posting someone's valid launch into this browser."""
    token, state, nonce = stored
    response = storage_verify(client, token, state, nonce, **headers)
    refused(response, 403, "confirmed by this tool", users)


def test_a_storage_launch_without_a_readable_token_is_a_400(client, stored, users):
    _token, state, _nonce = stored
    for token in ("", "a.b.c", "e30.e30.sig"):
        response = client.post("/lti/launch/", {"id_token": token, "state": state})
        assert response.status_code == 400
    assert nothing_provisioned(users)


def test_over_https_the_launchs_session_cookie_is_kept_in_the_lms_frame(
    client, platform, registration, debate, thesis
):
    """The session and CSRF cookies a launch sets are third-party in the LMS frame: they
    must be SameSite=None, Secure and Partitioned (the session middleware sets them after
    the view, so the frame-cookie middleware must see its response later)."""
    query = {
        "iss": ISSUER,
        "client_id": CLIENT_ID,
        "login_hint": "h",
        "target_link_uri": "https://testserver/lti/launch/",
        "lti_storage_target": "_parent",
    }
    page = client.post("/lti/login/", query, secure=True).content.decode()
    next_url = re.search(r'data-next="([^"]+)"', page).group(1).replace("&amp;", "&")
    auth = parse_qs(urlsplit(next_url).query)
    state, nonce = auth["state"][0], auth["nonce"][0]
    claims = platform.claims(nonce=nonce, **{CLAIM + "target_link_uri": lti_url(debate)})
    data = {
        "id_token": platform.sign(claims),
        "state": state,
        "lti_storage_state": state,
        "lti_storage_nonce": nonce,
    }
    response = client.post("/lti/launch/", data, secure=True, HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == 303, response.content
    for name in ("sessionid", "csrftoken"):
        header = response.cookies[name].OutputString()
        assert "SameSite=None" in header and "Secure" in header
        assert header.endswith("; Partitioned")


# The launch's language (issue 34) ----------------------------------------------------------


def _html_of(response) -> str:
    return response.content.decode()


def _presentation(locale: str) -> dict[str, str]:
    return {"return_url": LMS_COURSE, "document_target": "iframe", "locale": locale}


def test_a_launch_with_locale_de_shows_the_german_interface(
    client, platform, registration, debate, thesis
):
    response = launch(
        client,
        platform,
        **{
            CLAIM + "target_link_uri": lti_url(debate),
            CLAIM + "launch_presentation": _presentation("de-DE"),
        },
    )
    assert response.status_code == 303
    assert client.session[languages.SESSION_KEY] == "de"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert '<html lang="de" dir="ltr"' in _html_of(page)
    assert page["Content-Language"] == "de"


def test_a_launch_with_locale_de_speaks_german(client, platform, registration, debate, thesis):
    """The full text: the frame's interface in German, the debate's words as written."""
    launch(
        client,
        platform,
        **{
            CLAIM + "target_link_uri": lti_url(debate),
            CLAIM + "launch_presentation": _presentation("de"),
        },
    )
    body = _html_of(client.get(lti_url(debate)))
    assert thesis.text in body  # the claims are the debate's own, in English
    assert "Pro-Argument hinzufügen" in body or "Pro hinzufügen" in body
    assert "Add pro" not in body


def test_the_top_level_openid_locale_claim_works_too(
    client, platform, registration, debate, thesis
):
    launch(client, platform, **{CLAIM + "target_link_uri": lti_url(debate), "locale": "ar"})
    assert '<html lang="ar" dir="rtl"' in _html_of(client.get(lti_url(debate)))


def test_a_launch_in_a_language_the_site_lacks_keeps_the_member_s_own(
    client, platform, registration, debate, thesis
):
    first = launch(client, platform, **{CLAIM + "target_link_uri": lti_url(debate)})
    assert first.status_code == 303
    user = client.session["_auth_user_id"]
    services.member_language_set(actor=type(debate.owner).objects.get(pk=user), language="es")
    again = Client()
    launch(
        again,
        platform,
        **{
            CLAIM + "target_link_uri": lti_url(debate),
            CLAIM + "launch_presentation": _presentation("ja-JP"),
        },
    )
    assert again.session[languages.SESSION_KEY] == "es"  # the profile's, brought at sign-in
    assert '<html lang="es"' in _html_of(again.get(lti_url(debate)))


def test_a_launch_s_language_becomes_the_learner_s_when_they_chose_none(
    client, platform, registration, debate, thesis
):
    """Their notices and digests are written away from any session: the launch's language
    is kept in the profile, unless the learner chose one there (theirs wins)."""
    presentation = {CLAIM + "launch_presentation": _presentation("de-DE")}
    launch(client, platform, **{CLAIM + "target_link_uri": lti_url(debate), **presentation})
    user = type(debate.owner).objects.get(pk=client.session["_auth_user_id"])
    assert selectors.member_language(user.pk) == "de"
    services.member_language_set(actor=user, language="fr")
    again = Client()
    launch(again, platform, **{CLAIM + "target_link_uri": lti_url(debate), **presentation})
    assert selectors.member_language(user.pk) == "fr"  # the launch's session is German
    assert again.session[languages.SESSION_KEY] == "de"
