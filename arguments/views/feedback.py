"""Feedback and grades on the site: a claim's feedback page (the teacher's form, or what was
released to its author), a participant's own feedback, the overall grade on a participant's
page, the release and the scale on the activity page. Every form is a plain POST that
redirects; the claim's feedback form also answers htmx with its panel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from arguments import selectors
from arguments.reading.feedback import feedback_of, panel_for
from arguments.reading.lens import Lens
from arguments.rules.permissions import Action
from arguments.services.feedback import (
    claim_feedback_set,
    grade_scale_set,
    grades_release,
    participant_grade_set,
)
from arguments.views.access import (
    HtmxHttpRequest,
    claim_to_act_on,
    id_from,
    lens_for,
    lens_to_manage,
    limit_act,
)
from arguments.views.forms import form_errors_to
from arguments.views.forms.feedback import ClaimFeedbackForm, GradeScaleForm, ParticipantGradeForm

REFUSED = gettext_lazy("Feedback on a claim is for its author and the debate's moderators.")


def _feedback_page(
    request: HtmxHttpRequest, lens: Lens, pk: int, *, form: ClaimFeedbackForm | None = None
) -> HttpResponse:
    panel = panel_for(lens, pk)
    node = lens.structure.nodes[pk]
    own = lens.user_id is not None and node.author_id == lens.user_id
    if panel is None and not own:
        raise PermissionDenied(str(REFUSED))
    if panel is not None and panel.may_write and form is None:
        form = ClaimFeedbackForm(initial={"body": panel.body, "grade": panel.grade})
    context = {
        "lens": lens,
        "debate": lens.debate,
        "node": node,
        "claim_url": lens.claim_urls(pk).page,
        "panel": panel,
        "form": form,
        "action": reverse("arguments:claim_feedback", args=[lens.debate.slug, pk]),
    }
    template = "arguments/claim_feedback.html"
    status = 422 if form is not None and form.is_bound else 200
    if request.htmx:
        template += "#panel"
    return render(request, template, context, status=status)


@vary_on_headers("HX-Request")
def claim_feedback(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    """GET: the feedback on a claim, for a moderator (with the form) or its author (once
    released); POST: a moderator writes it."""
    lens = lens_for(request, slug)
    if not lens.knows(pk):
        raise Http404("No such claim in this debate.")
    if not request.user.is_authenticated:
        if request.method == "GET":
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(_("Sign in first."))
    if request.method != "POST":
        return _feedback_page(request, lens, pk)
    claim = claim_to_act_on(request, lens, pk, Action.GIVE_FEEDBACK, known=True)
    assert not isinstance(claim, HttpResponse)  # a POST: never the login page
    limit_act(request, "feedback")
    form = ClaimFeedbackForm(request.POST)
    if form.is_valid():
        try:
            claim_feedback_set(
                actor=request.user,
                claim=claim,
                body=form.cleaned_data["body"],
                grade=form.cleaned_data["grade"],
            )
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            if request.htmx:
                return _feedback_page(request, lens, pk)
            messages.success(request, _("Feedback saved."))
            return redirect(reverse("arguments:claim_feedback", args=[slug, pk]))
    return _feedback_page(request, lens, pk, form=form)


def my_feedback(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The reader's own feedback and grades in the debate, once released to them."""
    lens = lens_for(request, slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    context = {
        "lens": lens,
        "debate": lens.debate,
        "mine": feedback_of(lens),
        "claim_urls": lens.claim_urls,
    }
    return render(request, "arguments/my_feedback.html", context)


@require_POST
def participant_grade(request: HtmxHttpRequest, slug: str, user_id: int) -> HttpResponse:
    """A participant's overall grade and comment (the participant's activity page)."""
    lens = lens_to_manage(request, slug, Action.GIVE_FEEDBACK)
    assert isinstance(lens, Lens)  # a POST: never the login page
    person = selectors.user_by_id(user_id)
    if person is None or not selectors.takes_part(lens.debate, person):
        raise Http404("Nobody by that id took part in this debate.")
    limit_act(request, "feedback")
    back = reverse("arguments:participant_activity", args=[slug, user_id])
    form = ParticipantGradeForm(request.POST)
    if form.is_valid():
        try:
            participant_grade_set(
                actor=request.user,
                debate=lens.debate,
                user=person,
                grade=form.cleaned_data["grade"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            messages.success(request, _("Grade saved."))
            return redirect(back + "#grade")
    return render(
        request,
        "arguments/grade_error.html",
        {"lens": lens, "debate": lens.debate, "form": form, "back": back},
        status=422,
    )


@require_POST
def grades_release_view(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Release feedback and grades: everyone's, or one participant's (`user`)."""
    lens = lens_to_manage(request, slug, Action.GIVE_FEEDBACK)
    assert isinstance(lens, Lens)  # a POST: never the login page
    user_id = id_from(request.POST.get("user"))
    person = selectors.user_by_id(user_id) if user_id is not None else None
    if user_id is not None and person is None:
        raise Http404("No such participant.")
    try:
        grades_release(actor=request.user, debate=lens.debate, user=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        released = (
            _("Released everyone's feedback and grades; they were notified.")
            if person is None
            else _("Released this participant's feedback and grades; they were notified.")
        )
        messages.success(request, released)
    if person is not None:
        return redirect(reverse("arguments:participant_activity", args=[slug, person.pk]))
    return redirect(reverse("arguments:debate_activity", args=[slug]))


@require_POST
def grade_scale(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """What the debate's grades run up to."""
    lens = lens_to_manage(request, slug, Action.GIVE_FEEDBACK)
    assert isinstance(lens, Lens)  # a POST: never the login page
    form = GradeScaleForm(request.POST)
    if form.is_valid():
        try:
            grade_scale_set(
                actor=request.user, debate=lens.debate, scale=form.cleaned_data["grade_scale"]
            )
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            messages.success(
                request, _("Grades now run from 0 to %(max)s.") % {"max": lens.debate.grade_scale}
            )
            return redirect(reverse("arguments:debate_activity", args=[slug]))
    return render(
        request,
        "arguments/grade_error.html",
        {
            "lens": lens,
            "debate": lens.debate,
            "form": form,
            "back": reverse("arguments:debate_activity", args=[slug]),
        },
        status=422,
    )
