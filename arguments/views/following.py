"""Following debates and claims, and my notifications: the page, the bell, marking them
read, the e-mail digest's setting and its one-click unsubscribe."""

from __future__ import annotations

from typing import NotRequired, TypedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from arguments import selectors, services
from arguments.live import digests, following
from arguments.models import Notification, NotificationSettings
from arguments.views.access import (
    HtmxHttpRequest,
    SignedInRequest,
    id_from,
    lens_for,
    require_seen,
)
from arguments.views.fragments import safe_next


@vary_on_headers("HX-Request")
@require_POST
def follow(request: HtmxHttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    """Follow (`follow=1`) or stop following (`follow=0`) the debate or one of its claims."""
    lens = lens_for(request, slug)
    claim = None
    if pk is not None:
        require_seen(lens, pk)
        claim = selectors.claim_in(lens.debate, pk)
        if claim is None:
            raise Http404("No such claim in this debate.")
    on = request.POST.get("follow") == "1"
    services.follow_set(user=request.user, debate=lens.debate, claim=claim, on=on)
    if request.htmx:
        context = following.follow_context(lens, pk, request.get_full_path(), following=on)
        return render(request, "arguments/_follow.html", context)
    if pk is None:
        messages.success(
            request, _("You follow this debate.") if on else _("You left this debate.")
        )
    else:
        messages.success(
            request, _("You follow this claim.") if on else _("You stopped following it.")
        )
    return redirect(safe_next(request) or (lens.claim_urls(pk).page if pk else lens.urls.page))


class NoticeGroup(TypedDict):
    """Notices about one claim, of one kind: a line of the notifications page."""

    items: list[Notification]
    first: Notification
    unread: bool
    title: NotRequired[str]


def _groups(notices: list[Notification]) -> list[NoticeGroup]:
    """Notices about the same claim, of the same kind (and stance), together, newest first:
    "5 new cons under “…”"."""
    groups: dict[tuple[object, ...], NoticeGroup] = {}
    for notice in notices:
        unread = notice.read_at is None
        key = (notice.claim_id, notice.kind, notice.stance, unread)
        group = groups.setdefault(key, {"items": [], "first": notice, "unread": unread})
        group["items"].append(notice)
    for group in groups.values():
        first, items = group["first"], group["items"]
        count = len(items)
        if count == 1:
            group["title"] = first.text
        elif first.kind == Notification.Kind.RESPONSE and first.stance == "pro":
            group["title"] = ngettext(
                "%(count)s new pro under “%(claim)s”", "%(count)s new pros under “%(claim)s”", count
            ) % {"count": count, "claim": first.about}
        elif first.kind == Notification.Kind.RESPONSE:
            group["title"] = ngettext(
                "%(count)s new con under “%(claim)s”", "%(count)s new cons under “%(claim)s”", count
            ) % {"count": count, "claim": first.about}
        else:
            # The kind as the page's filter names it (a lazy choice: the reader's language).
            group["title"] = ngettext(
                "%(count)s notice (%(kind)s) about “%(claim)s”",
                "%(count)s notices (%(kind)s) about “%(claim)s”",
                count,
            ) % {"count": count, "kind": first.get_kind_display(), "claim": first.about}
    return list(groups.values())


@login_required
@require_GET
def notifications_page(request: SignedInRequest) -> HttpResponse:
    """My notifications, unread first and grouped, what I follow, and my e-mail setting."""
    recent = following.notifications_of(request.user)
    unread = [n for n in recent if n.read_at is None]
    read = [n for n in recent if n.read_at is not None][:50]
    context = {
        "unread_groups": _groups(unread),
        "read_groups": _groups(read),
        "unread_count": len(unread),
        "follows": following.follows_of(request.user),
        "digest": following.digest_of(request.user),
        "digest_choices": NotificationSettings.Digest.choices,
    }
    return render(request, "arguments/notifications.html", context)


@login_required
@require_POST
def notifications_read(request: SignedInRequest) -> HttpResponse:
    """Mark one notice (or a group: `id` repeated) read, or all of them."""
    given = request.POST.getlist("id")
    ids = [i for i in (id_from(v) for v in given) if i is not None]
    if given and not ids:
        return HttpResponse(_("Which notice?"), status=400)
    services.notifications_mark_read(user=request.user, ids=ids or None)
    return redirect(safe_next(request) or reverse("arguments:notifications"))


@require_GET
def notifications_bell(request: HttpRequest) -> HttpResponse:
    """The header's bell with my unread count (htmx loads it after the page: the page itself
    pays nothing; the count is cached, and dropped whenever it changes)."""
    count = following.unread_count(request.user.pk) if request.user.is_authenticated else 0
    response = render(request, "arguments/_bell.html", {"unread": count, "loaded": True})
    response["Cache-Control"] = "no-cache, private"
    return response


@login_required
@require_POST
def follow_drop(request: SignedInRequest, follow_id: int) -> HttpResponse:
    """Stop following something, from the notifications page."""
    services.follow_drop(user=request.user, follow_id=follow_id)
    messages.success(request, _("You no longer follow it."))
    return redirect("arguments:notifications")


@login_required
@require_POST
def digest_settings(request: SignedInRequest) -> HttpResponse:
    try:
        services.digest_choose(user=request.user, digest=request.POST.get("digest", ""))
    except ValidationError:
        return HttpResponse(_("Choose how often to be e-mailed."), status=400)
    messages.success(request, _("Your e-mail setting is saved."))
    return redirect(safe_next(request) or reverse("arguments:notifications"))


@csrf_exempt  # the signed token is the authority; mail clients POST here (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click, no sign-in: a GET shows the button (link scanners must not unsubscribe
    anyone), a POST (the button, or the mail client's List-Unsubscribe-Post) turns the
    digest off."""
    user_id = digests.user_of(token)
    if user_id is None:
        return render(request, "arguments/unsubscribe.html", {"invalid": True}, status=400)
    if request.method == "POST":
        services.digest_unsubscribe(user_id=user_id)
        return render(request, "arguments/unsubscribe.html", {"done": True})
    return render(request, "arguments/unsubscribe.html", {"token": token})
