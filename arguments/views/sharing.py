"""Share links: the page where a debate's owner and moderators make and manage them (with a
QR code each), and the page a link opens, where someone joins: signed in, or (if the link
allows) by picking a display name."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from arguments import selectors, services
from arguments.models import Role, ShareLink
from arguments.reading.activity import activity_of
from arguments.reading.lens import Lens
from arguments.reading.pseudonyms import pseudonyms_of
from arguments.rules.permissions import Action, grantable_roles
from arguments.views.access import lens_to_manage, limit_act
from arguments.views.forms import form_errors_to

EXPIRY_CHOICES = [
    ("", gettext_lazy("Never")),
    ("1", gettext_lazy("In a day")),
    ("7", gettext_lazy("In a week")),
    ("30", gettext_lazy("In 30 days")),
]


class ShareLinkForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Whoever opens it becomes"))
    instant_access = forms.BooleanField(
        label=gettext_lazy("Let people join without an account (they pick a display name)"),
        required=False,
    )
    expires_in = forms.ChoiceField(
        label=gettext_lazy("Expires"), choices=EXPIRY_CHOICES, required=False
    )

    def __init__(self, *args: Any, roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offered = [r for r in ShareLink.ROLES if r in roles]
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)  # as declared above
        role_field.choices = [(r.value, r.label) for r in offered]
        role_field.initial = "writer"


class JoinForm(forms.Form):
    display_name = forms.CharField(
        label=gettext_lazy("Your name in this debate"),
        max_length=60,
        help_text=gettext_lazy("Others see it next to what you write."),
    )


def _qr(url: str) -> str:
    # segno writes the code as SVG from our own absolute URL: nothing user-written inside.
    return mark_safe(segno.make(url, error="m").svg_inline(dark="#1b1f24", omitsize=True))


def _page(request: HttpRequest, lens: Lens, form: ShareLinkForm, status: int = 200) -> HttpResponse:
    owner_id = lens.debate.owner_id
    links = []
    for link in selectors.share_links_of(lens.debate):
        url = request.build_absolute_uri(link.get_absolute_url())
        # Why an open link admits no one (its maker may no longer give its role), said on
        # the page in the words the link's opener reads.
        why = services.sharing.maker_refusal(link, link.maker_role, owner_id=owner_id)
        why = None if link.state != "open" else why
        links.append((link, url, _qr(url) if link.state == "open" and not why else "", why))
    context = {
        "lens": lens,
        "debate": lens.debate,
        "form": form,
        "links": links,
        "may_hide": lens.may(Action.HIDE_CLAIM),
    }
    return render(request, "arguments/debate_share.html", context, status=status)


@require_http_methods(["GET", "POST"])
def share_links(request: HttpRequest, slug: str) -> HttpResponse:
    lens = lens_to_manage(request, slug, Action.MANAGE_MEMBERS)
    if isinstance(lens, HttpResponse):
        return lens
    roles = grantable_roles(lens.role)
    form = ShareLinkForm(request.POST if request.method == "POST" else None, roles=roles)
    if request.method == "POST":
        if form.is_valid():
            days = form.cleaned_data["expires_in"]
            try:
                link = services.share_link_create(
                    actor=request.user,
                    debate=lens.debate,
                    role=form.cleaned_data["role"],
                    instant_access=form.cleaned_data["instant_access"],
                    expires_at=timezone.now() + timedelta(days=int(days)) if days else None,
                )
            except ValidationError as error:
                form_errors_to(form, error)
            else:
                messages.success(
                    request,
                    _("New %(role)s link made.") % {"role": link.get_role_display().lower()},
                )
                return redirect(reverse("arguments:share_links", args=[slug]))
        return _page(request, lens, form, status=422)
    return _page(request, lens, form)


def _link_of(lens: Lens, link_id: int) -> ShareLink:
    link = selectors.share_link_in(lens.debate, link_id)
    if link is None:
        raise Http404("No such link in this debate.")
    return link


def _act(request: HttpRequest, slug: str, link_id: int, act: str) -> HttpResponse:
    lens = lens_to_manage(request, slug, Action.MANAGE_MEMBERS)
    assert not isinstance(lens, HttpResponse)  # a POST: never the login page
    link = _link_of(lens, link_id)
    try:
        if act == "switch":
            services.share_link_switch(
                actor=request.user, link=link, on=request.POST.get("on") == "1"
            )
            messages.success(
                request, _("The link is on.") if link.is_active else _("The link is off.")
            )
        elif act == "revoke":
            services.share_link_revoke(actor=request.user, link=link)
            messages.success(request, _("The link is revoked; those who joined keep their role."))
        else:
            hidden = services.instant_contributions_hide(actor=request.user, link=link)
            messages.success(
                request,
                ngettext("Hid %(count)s claim.", "Hid %(count)s claims.", hidden)
                % {"count": hidden},
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _page(request, lens, ShareLinkForm(roles=grantable_roles(lens.role)), status=422)
    return redirect(reverse("arguments:share_links", args=[slug]))


@vary_on_headers("HX-Request")
@require_POST
def share_link_switch(request: HttpRequest, slug: str, link_id: int) -> HttpResponse:
    return _act(request, slug, link_id, "switch")


@vary_on_headers("HX-Request")
@require_POST
def share_link_revoke(request: HttpRequest, slug: str, link_id: int) -> HttpResponse:
    return _act(request, slug, link_id, "revoke")


@vary_on_headers("HX-Request")
@require_POST
def share_link_hide_contributions(request: HttpRequest, slug: str, link_id: int) -> HttpResponse:
    return _act(request, slug, link_id, "hide")


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """What a share link opens: join the debate with the link's role."""
    link = selectors.share_link_by_token(token)
    if link is None:
        raise Http404("This link does not exist.")
    debate = link.debate
    signed_in = request.user.is_authenticated
    form = JoinForm(request.POST if request.method == "POST" and not signed_in else None)
    if debate.pseudonymous:  # the name is never shown beside what they write: say so
        form.fields["display_name"].help_text = _(
            "Only the owner and moderators see it. Everyone else sees a pseudonym of this "
            "debate next to what you write."
        )
    error = services.sharing.share_link_refusal(link) or ""
    if request.method == "POST" and not error:
        limit_act(request, "join")
        if not signed_in and not link.instant_access:
            return redirect_to_login(request.get_full_path())
        if signed_in or form.is_valid():
            try:
                with transaction.atomic():  # no account without its membership
                    user = request.user
                    if not user.is_authenticated:
                        user = services.instant_account_create(
                            link=link, display_name=form.cleaned_data["display_name"]
                        )
                    services.share_link_join(user=user, link=link)
            except ValidationError as problem:
                form_errors_to(form, problem)
            else:
                if not signed_in:
                    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welcome to “%(title)s”.") % {"title": debate.title})
                return redirect(debate)
    back = urlencode({"next": request.path})
    context = {
        "link": link,
        "debate": debate,
        "form": form,
        "error": error,
        "log_in": f"{reverse('account_login')}?{back}",
        "sign_up": f"{reverse('account_signup')}?{back}",
    }
    status = 410 if error else (422 if request.method == "POST" else 200)
    return render(request, "arguments/join.html", context, status=status)


@require_http_methods(["GET", "POST"])
def debate_pseudonyms(request: HttpRequest, slug: str) -> HttpResponse:
    """Pseudonymity: the owner turns it on (for good); the owner and moderators see who is
    who."""
    lens = lens_to_manage(request, slug, Action.MODERATE)
    if isinstance(lens, HttpResponse):
        return lens
    debate = lens.debate
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm: this cannot be undone."))
            return redirect(reverse("arguments:debate_pseudonyms", args=[slug]))
        services.debate_make_pseudonymous(actor=request.user, debate=debate)
        messages.success(request, _("Everyone now appears under a pseudonym in this debate."))
        return redirect(reverse("arguments:debate_pseudonyms", args=[slug]))
    mapping = []
    if debate.pseudonymous:
        people = {row.user_id: row for row in activity_of(debate)}
        names = pseudonyms_of(debate, people)
        mapping = sorted(
            (names[uid], row.name if row.name == row.username else f"{row.name} ({row.username})")
            for uid, row in people.items()
        )
    context = {
        "lens": lens,
        "debate": debate,
        "mapping": mapping,
        "may_turn_on": lens.may(Action.EDIT_DEBATE),
    }
    return render(request, "arguments/debate_pseudonyms.html", context)
