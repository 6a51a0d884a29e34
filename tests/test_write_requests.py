"""Requests to write (issue 37, part 3): where the owner allows it, a viewer or suggester
asks; the owner and moderators hear of it and accept or decline (site and scoped admin)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from arguments import services
from arguments.models import Membership, Notification, Role, WriteRequest
from arguments.rules.limits import RateLimited
from arguments.services.write_requests import write_request_decide, write_request_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def open_to_requests(cast, debate):
    services.debate_configure(actor=cast.owner, debate=debate, accepts_write_requests=True)
    debate.refresh_from_db()
    return debate


def ask_url(debate) -> str:
    return reverse("arguments:ask_to_write", args=[debate.slug])


def test_only_where_the_owner_allows_and_only_below_writer(cast, debate):
    with pytest.raises(PermissionDenied):  # not allowed in this debate yet
        write_request_make(actor=cast.viewer, debate=debate, message="Please.")
    with pytest.raises(PermissionDenied):  # only the owner turns it on
        services.debate_configure(actor=cast.moderator, debate=debate, accepts_write_requests=True)
    services.debate_configure(actor=cast.owner, debate=debate, accepts_write_requests=True)
    debate.refresh_from_db()
    write_request_make(actor=cast.viewer, debate=debate, message="Please.")
    write_request_make(actor=cast.suggester, debate=debate, message="Me too.")
    for persona in ("writer", "editor", "moderator", "anonymous"):
        with pytest.raises(PermissionDenied):
            write_request_make(actor=cast[persona], debate=debate, message="")


def test_the_owner_and_moderators_hear_and_the_accepted_asker_writes(
    client, cast, open_to_requests, now
):
    debate = open_to_requests
    client.force_login(cast.viewer)
    page = client.get(reverse("arguments:debate", args=[debate.slug])).content.decode()
    assert ask_url(debate) in page  # the toolbar offers it
    with now():
        answer = client.post(ask_url(debate), {"message": "I have sources on recall."})
    assert answer.status_code == 302
    told = set(
        Notification.objects.filter(kind="request").values_list("recipient__username", flat=True)
    )
    assert told == {"olivia", "mo"}
    assert Notification.objects.filter(kind="request").first().note == "I have sources on recall."
    asked = WriteRequest.objects.get()
    client.force_login(cast.moderator)
    listing = client.get(reverse("arguments:write_requests", args=[debate.slug])).content.decode()
    assert "I have sources on recall." in listing
    decide = reverse("arguments:write_request_decide", args=[debate.slug, asked.pk])
    with now():
        assert client.post(decide, {"decision": "accept"}).status_code == 302
    assert Membership.objects.get(debate=debate, user=cast.viewer).role == Role.WRITER
    assert Notification.objects.filter(recipient=cast.viewer, kind="request").exists()
    with pytest.raises(ValidationError):  # decided already
        write_request_decide(actor=cast.owner, request=asked, accept=False)


def test_declining_leaves_the_role_and_others_may_not_decide(cast, open_to_requests):
    asked = write_request_make(actor=cast.suggester, debate=open_to_requests, message="")
    for persona in ("editor", "writer", "viewer", "suggester"):
        with pytest.raises(PermissionDenied):
            write_request_decide(actor=cast[persona], request=asked, accept=True)
    write_request_decide(actor=cast.owner, request=asked, accept=False)
    assert Membership.objects.get(user=cast.suggester).role == Role.SUGGESTER


def test_asking_again_changes_the_waiting_request_and_floods_are_stopped(cast, open_to_requests):
    first = write_request_make(actor=cast.viewer, debate=open_to_requests, message="One.")
    again = write_request_make(actor=cast.viewer, debate=open_to_requests, message="Two.")
    assert first.pk == again.pk and WriteRequest.objects.get().message == "Two."
    for _ in range(4):
        asked = WriteRequest.objects.get(status="open")
        write_request_decide(actor=cast.owner, request=asked, accept=False)
        write_request_make(actor=cast.viewer, debate=open_to_requests, message="Again.")
    asked = WriteRequest.objects.get(status="open")
    write_request_decide(actor=cast.owner, request=asked, accept=False)
    with pytest.raises(RateLimited):
        write_request_make(actor=cast.viewer, debate=open_to_requests, message="Sixth.")


def test_the_scoped_admin_lists_and_decides_them(client, cast, open_to_requests):
    asked = write_request_make(actor=cast.viewer, debate=open_to_requests, message="Hello.")
    client.force_login(cast.moderator)
    listing = client.get("/moderate/arguments/writerequest/")
    assert listing.status_code == 200 and "Hello." in listing.content.decode()
    client.post(
        "/moderate/arguments/writerequest/",
        {"action": "accept_requests", "_selected_action": [asked.pk]},
    )
    assert Membership.objects.get(user=cast.viewer).role == Role.WRITER
    client.force_login(cast.writer)  # moderates nothing: sent away, shown nothing
    refused = client.get("/moderate/arguments/writerequest/")
    assert refused.status_code in (302, 403) and "Hello." not in refused.content.decode()


def test_the_form_page_without_javascript_and_its_refusals(client, cast, debate):
    client.force_login(cast.viewer)
    assert client.get(ask_url(debate)).status_code == 403  # not allowed here
    services.debate_configure(actor=cast.owner, debate=debate, accepts_write_requests=True)
    page = client.get(ask_url(debate))
    assert page.status_code == 200 and 'name="message"' in page.content.decode()
    assert client.post(ask_url(debate), {"message": "x" * 501}).status_code == 422
    client.logout()
    assert client.get(ask_url(debate)).status_code == 302
    assert client.post(ask_url(debate), {"message": "Hi"}).status_code == 403
