"""Requests to write: a viewer or suggester asks (a page with one field, where the owner
allows it); the owner and moderators list them under the settings and accept or decline.
Plain forms that redirect, with and without JavaScript."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from arguments import selectors
from arguments.reading.activity import display_name
from arguments.reading.lens import Lens
from arguments.rules.permissions import Action
from arguments.services.write_requests import (
    MESSAGE_MAX,
    write_request_decide,
    write_request_make,
)
from arguments.views.access import lens_for, lens_to_manage
from arguments.views.forms import form_errors_to


class WriteRequestForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("Why you would like to write"),
        required=False,
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("A sentence or two for the debate's owner and moderators."),
    )


def ask_to_write(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: the request form; POST: send it (the owner and moderators are told)."""
    lens = lens_for(request, slug)
    if not request.user.is_authenticated and request.method == "GET":
        return redirect_to_login(request.get_full_path())
    lens.check(Action.REQUEST_WRITE)  # a plain 403 that says why (a visitor: sign in)
    form = WriteRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            write_request_make(
                actor=request.user, debate=lens.debate, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            messages.success(request, _("Your request is sent; you will hear the answer."))
            return redirect(lens.urls.page)
    status = 422 if form.is_bound else 200
    context = {"lens": lens, "debate": lens.debate, "form": form}
    return render(request, "arguments/ask_to_write.html", context, status=status)


def write_requests(request: HttpRequest, slug: str) -> HttpResponse:
    """The debate's requests to write, for its owner and moderators."""
    lens = lens_to_manage(request, slug, Action.MANAGE_MEMBERS)
    if isinstance(lens, HttpResponse):
        return lens
    rows = [
        (
            asked,
            display_name(asked.user.first_name, asked.user.last_name, asked.user.username),
            reverse("arguments:write_request_decide", args=[slug, asked.pk]),
        )
        for asked in selectors.write_requests_of(lens.debate)
    ]
    context = {"lens": lens, "debate": lens.debate, "rows": rows}
    return render(request, "arguments/write_requests.html", context)


@require_POST
def write_request_decide_view(request: HttpRequest, slug: str, request_id: int) -> HttpResponse:
    """Accept or decline one request (`decision`: accept or decline)."""
    lens = lens_to_manage(request, slug, Action.MANAGE_MEMBERS)
    assert isinstance(lens, Lens)  # a POST: never the login page
    asked = selectors.write_request_in(lens.debate, request_id)
    if asked is None:
        raise Http404("No such request.")
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        messages.error(request, _("Choose to accept or decline."))
    else:
        asked.debate = lens.debate  # the lens's row: its roles are remembered
        try:
            write_request_decide(actor=request.user, request=asked, accept=decision == "accept")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Request accepted.") if decision == "accept" else _("Request declined.")
            )
    return redirect(reverse("arguments:write_requests", args=[slug]))
