"""Flags on the site: flag a claim or a note, ask for a review of an upheld flag, and (for
moderators) resolve one: dismiss, uphold, or uphold and hide, with a reason, through the same
`flag_resolve` service and permission as the admin's actions.

Works without JavaScript (a form page, POST, redirect) and with htmx (the form in the claim's
flag slot, the moderation fragment back). A claim or note the reader does not see is a 404,
a refused act a 403, invalid input the form again with 422; too many flags are refused by the
service, and `arguments.views.middleware` answers 429 with `Retry-After`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from arguments import selectors, services
from arguments.models import Annotation, Claim
from arguments.reading.lens import Lens
from arguments.rules.permissions import Action
from arguments.views.access import (
    HtmxHttpRequest,
    claim_to_act_on,
    lens_for,
    lens_to_manage,
    limit_act,
    note_to_act_on,
)
from arguments.views.forms import form_errors_to
from arguments.views.forms.moderation import FlagForm, FlagResolveForm
from arguments.views.fragments import (
    back_to,
    moderation_response,
    next_or_back,
    page_context,
    safe_next,
)

THANKS = gettext_lazy("Thank you: a moderator will look at your flag.")


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def claim_flag(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """The Flag form: reasons, fallacies with their one-line explanations, duplicate-of."""
    lens = lens_for(request, slug)
    claim = claim_to_act_on(request, lens, pk, Action.FLAG)
    if isinstance(claim, HttpResponse):
        return claim
    return _flag(request, lens, claim)


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def note_flag(request: HtmxHttpRequest, slug: str, note_id: int) -> HttpResponse:
    """The same Flag form, for an annotation the reader can see."""
    lens = lens_for(request, slug)
    note = note_to_act_on(lens, note_id)
    if not request.user.is_authenticated and request.method == "GET":
        return redirect_to_login(request.get_full_path())
    lens.check(Action.FLAG, note=note)
    return _flag(request, lens, note.claim, note=note)


def _flag(
    request: HtmxHttpRequest, lens: Lens, claim: Claim, *, note: Annotation | None = None
) -> HttpResponse:
    others = lens.published_claims(exclude=claim.pk)
    form = FlagForm(request.POST if request.method == "POST" else None, others=others)
    if request.method == "POST":
        limit_act(request, "flag")
    if request.method == "POST" and form.is_valid():
        duplicate = form.cleaned_data["duplicate_of"]
        try:
            services.flag_raise(
                actor=request.user,
                claim=None if note else claim,
                annotation=note,
                reason=form.cleaned_data["reason"],
                fallacy=form.cleaned_data["fallacy"],
                duplicate_of=selectors.claim_in(lens.debate, duplicate) if duplicate else None,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            lens.refresh()
            if request.htmx and note is None:
                # The form sits in the claim's flag slot; the whole fragment is replaced.
                response = moderation_response(request, lens, claim.pk)
                return reswap(retarget(response, f"#moderation-{claim.pk}"), "outerHTML")
            if request.htmx:
                return HttpResponse(format_html('<p class="meta" role="status">{}</p>', THANKS))
            messages.success(request, THANKS)
            return next_or_back(request, lens, claim.pk)
    if note is None:
        key, flagging, action = str(claim.pk), claim.text, lens.claim_urls(claim.pk).flag
    else:
        key, flagging = f"note-{note.pk}", note.body or note.exact
        action = lens.note_urls(note.pk).flag
    context = page_context(
        lens,
        claim=claim,
        claim_urls=lens.claim_urls(claim.pk),
        form=form,
        fallacies=form.fallacy_rows(),
        next=request.GET.get("next", ""),
        key=key,
        slot=f"flag-slot-{key}",
        action=action,
        flagging=flagging,
    )
    template = "arguments/flag_form.html#form" if request.htmx else "arguments/flag_form.html"
    return render(request, template, context, status=422 if request.method == "POST" else 200)


@vary_on_headers("HX-Request")
@require_POST
def flag_review(request: HtmxHttpRequest, slug: str, flag_id: int) -> HttpResponse:
    """The author of a flagged claim (or note) asks, once, for a moderator to look again."""
    lens = lens_for(request, slug)
    flag = selectors.flag_in(lens.debate, flag_id)
    if flag is None:
        raise Http404("No such flag in this debate.")
    claim = flag.flagged_claim
    if not lens.knows(claim.pk):
        raise Http404("No such flag in this debate.")
    lens.check(Action.REQUEST_REVIEW, claim=claim, note=flag.annotation, flag=flag)
    try:
        services.flag_request_review(actor=request.user, flag=flag)
    except ValidationError as error:
        if request.htmx:
            return moderation_response(request, lens, claim.pk, status=422)
        messages.error(request, " ".join(error.messages))
        return back_to(lens, claim.pk)
    lens.refresh()
    if request.htmx:
        return moderation_response(request, lens, claim.pk)
    messages.success(request, _("You asked for a review; a moderator will look again."))
    return next_or_back(request, lens, claim.pk)


def claim_flags(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """A claim's open flags (on it and on its notes), each with its resolve form: where the
    claim's ⋯ menu sends a moderator."""
    lens = lens_to_manage(request, slug, Action.MODERATE)
    if isinstance(lens, HttpResponse):
        return lens
    claim = selectors.claim_in(lens.debate, pk)
    if claim is None or not lens.knows(claim.pk):
        raise Http404("No such claim in this debate.")
    context = page_context(
        lens,
        claim=claim,
        urls=lens.claim_urls(claim.pk),
        flags=selectors.open_flags_of(lens.debate, claim_id=claim.pk),
        back=request.get_full_path(),
        settings_flags=f"{lens.urls.settings}#flags",
    )
    return render(request, "arguments/claim_flags.html", context)


@require_POST
def flag_resolve(request: HtmxHttpRequest, slug: str, flag_id: int) -> HttpResponse:
    """Dismiss or uphold (and perhaps hide) a flag, with a reason; back to where it was
    resolved (the settings' Flags, or the claim's flags page), with a message."""
    lens = lens_to_manage(request, slug, Action.MODERATE)
    assert isinstance(lens, Lens)  # a POST: never the login page
    flag = selectors.flag_in(lens.debate, flag_id)
    if flag is None:
        raise Http404("No such flag in this debate.")
    back = safe_next(request) or lens.claim_urls(flag.flagged_claim.pk).flags
    form = FlagResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    uphold, hide = FlagResolveForm.DECISIONS[form.cleaned_data["decision"]]
    try:
        services.flag_resolve(
            actor=request.user, flag=flag, uphold=uphold, hide=hide, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    if hide:
        done = _("Flag upheld and hidden; the reporter is told why.")
    elif uphold:
        done = _("Flag upheld; the reporter is told why.")
    else:
        done = _("Flag dismissed; the reporter is told why.")
    messages.success(request, done)
    return redirect(back)
