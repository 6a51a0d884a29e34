"""The shapes of the launch claims we and django-lti read, checked before anything is written.

pylti1p3 verifies a launch's signature, issuer, audience, nonce and the few claims LTI
requires, but not the shape of the optional ones: a correctly signed `tool_platform` sent as
a string, or without its `guid`, made django-lti's `sync_data_from_launch` fail with a 500.
A platform that sends such a claim is misconfigured; its users get a 400 page that names the
claim (for the administrator), and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from arguments.services.lti import service_url_refusal

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
URL_LENGTH = 200  # django-lti keeps the service URLs in URLFields (200 characters)
TEXT_LENGTH = 255  # ids, titles and labels: the shortest of django-lti's CharFields
NAME_LENGTH = 500  # django-lti's name fields


class MalformedClaim(ValueError):
    """A signed launch claim of the wrong shape (the message names it)."""


def _text(value: object, name: str, *, limit: int, required: bool = False) -> None:
    if value is None and not required:
        return
    if not isinstance(value, str) or (required and not value):
        raise MalformedClaim(f"{name} must be a{' non-empty' if required else ''} string.")
    if len(value) > limit:
        raise MalformedClaim(f"{name} is longer than {limit} characters.")


def _url(value: object, name: str, *, limit: int, required: bool = False) -> None:
    """A service address the tool will request with the platform's token: refused at the
    launch when it is no plain http(s) URL (services/lti.py checks it again when sent)."""
    _text(value, name, limit=limit, required=required)
    if isinstance(value, str) and value and (why := service_url_refusal(value)):
        raise MalformedClaim(f"{name} {why}.")


def _object(body: Mapping[str, object], claim: str, name: str) -> dict[str, Any] | None:
    value = body.get(claim)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise MalformedClaim(f"The {name} claim must be a JSON object.")
    return value


def _strings(value: object, name: str) -> None:
    if value is None:
        return
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise MalformedClaim(f"{name} must be a list of strings.")


def launch_claims_check(body: Mapping[str, object]) -> None:
    """Raise MalformedClaim when a claim we (or django-lti) read has the wrong shape."""
    _text(body.get("sub"), "sub", limit=TEXT_LENGTH, required=True)
    for name in ("given_name", "family_name", "name"):
        _text(body.get(name), name, limit=NAME_LENGTH)
    _text(body.get("email"), "email", limit=NAME_LENGTH)
    _text(body.get("picture"), "picture", limit=URL_LENGTH)
    _strings(body.get(CLAIM + "roles"), "roles")

    context = _object(body, CLAIM + "context", "context")
    if context is not None:
        _text(context.get("id"), "context.id", limit=TEXT_LENGTH, required=True)
        _text(context.get("title"), "context.title", limit=NAME_LENGTH)
        _text(context.get("label"), "context.label", limit=TEXT_LENGTH)
        _strings(context.get("type"), "context.type")

    link = _object(body, CLAIM + "resource_link", "resource_link")
    if link is not None:
        _text(link.get("id"), "resource_link.id", limit=TEXT_LENGTH, required=True)
        _text(link.get("title"), "resource_link.title", limit=NAME_LENGTH)

    platform = _object(body, CLAIM + "tool_platform", "tool_platform")
    if platform is not None:
        _text(platform.get("guid"), "tool_platform.guid", limit=TEXT_LENGTH, required=True)
        for field in ("name", "version", "product_family_code"):
            _text(platform.get(field), f"tool_platform.{field}", limit=NAME_LENGTH)
        _text(platform.get("url"), "tool_platform.url", limit=URL_LENGTH)
        _text(platform.get("contact_email"), "tool_platform.contact_email", limit=NAME_LENGTH)

    nrps = _object(body, NRPS_CLAIM, "names and roles service")
    if nrps is not None:
        _url(
            nrps.get("context_memberships_url"),
            "namesroleservice.context_memberships_url",
            limit=URL_LENGTH,
            required=True,
        )

    ags = _object(body, AGS_CLAIM, "assignment and grade services endpoint")
    if ags is not None:
        _strings(ags.get("scope"), "endpoint.scope")
        _url(ags.get("lineitems"), "endpoint.lineitems", limit=URL_LENGTH)
        _url(ags.get("lineitem"), "endpoint.lineitem", limit=2000)

    pns = _object(body, CLAIM + "platformnotificationservice", "platformnotificationservice")
    if pns is not None:
        _text(
            pns.get("platform_notification_service_url"),
            "platformnotificationservice.platform_notification_service_url",
            limit=URL_LENGTH,
        )
        _strings(pns.get("notice_types_supported"), "platformnotificationservice.notice_types")

    for claim, name in (
        (CLAIM + "launch_presentation", "launch_presentation"),
        (CLAIM + "custom", "custom"),
        (DL_SETTINGS, "deep_linking_settings"),
    ):
        _object(body, claim, name)
