"""Tasks on the site: `/d/<slug>/tasks/` shows a student their tasks and progress (also the
debate page's panel, loaded by htmx after the page, a link without JavaScript) and gives the
owner and moderators the form to add a task and the buttons to remove one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from arguments import selectors
from arguments.models import Task
from arguments.reading.lens import Lens
from arguments.reading.tasks import claims_for_tasks, progress_of, tasks_of
from arguments.rules.permissions import Action
from arguments.services.tasks import MAX_COUNT, task_add, task_remove
from arguments.views.access import HtmxHttpRequest, lens_for, lens_to_manage
from arguments.views.forms import form_errors_to


class TaskForm(forms.Form):
    kind = forms.ChoiceField(label=_("Students should"), choices=Task.Kind.choices)
    count = forms.IntegerField(label=_("How many"), min_value=1, max_value=MAX_COUNT, initial=1)
    under = forms.TypedChoiceField(
        label=_("Under"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("For pros and cons: directly under this claim (else anywhere)."),
    )
    deadline = forms.DateTimeField(
        label=_("Deadline (optional)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    closes_share_links = forms.BooleanField(
        label=_("Switch the share links off at the deadline"),
        required=False,
        help_text=_("Nobody new joins after it; you are told when it happens."),
    )

    def __init__(self, *args: object, claims: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        under = self.fields["under"]
        assert isinstance(under, forms.TypedChoiceField)
        under.choices = [("", "Anywhere"), *((pk, text[:90]) for pk, text in claims)]


def _page(
    request: HtmxHttpRequest, lens: Lens, *, form: TaskForm | None = None, status: int = 200
) -> HttpResponse:
    tasks = tasks_of(lens.debate)
    user_id = lens.user_id
    assert user_id is not None
    mine = progress_of(lens.debate, tasks, [user_id]).get(user_id, [])
    manages = lens.may(Action.MANAGE_TASKS)
    if manages and form is None:
        form = TaskForm(claims=claims_for_tasks(lens))
    context = {
        "lens": lens,
        "debate": lens.debate,
        "mine": mine,
        "manages": manages,
        "form": form,
        "removals": [
            (task, reverse("arguments:task_remove", args=[lens.debate.slug, task.pk]))
            for task in tasks
        ]
        if manages
        else [],
        "url": reverse("arguments:debate_tasks", args=[lens.debate.slug]),
    }
    template = "arguments/debate_tasks.html"
    if request.htmx and request.method == "GET":
        template += "#mine"
    return render(request, template, context, status=status)


@vary_on_headers("HX-Request")
def debate_tasks(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """GET: my tasks and progress (and, for the teachers, the task form); POST: add one."""
    lens = lens_for(request, slug)
    if not request.user.is_authenticated:
        if request.method == "GET":
            return redirect_to_login(request.get_full_path())
        lens.check(Action.MANAGE_TASKS)  # a visitor: "Sign in first", a 403
    if request.method != "POST":
        return _page(request, lens)
    lens.check(Action.MANAGE_TASKS)
    form = TaskForm(request.POST, claims=claims_for_tasks(lens))
    if form.is_valid():
        data = form.cleaned_data
        under = selectors.claim_in(lens.debate, data["under"]) if data["under"] else None
        try:
            task_add(
                actor=request.user,
                debate=lens.debate,
                kind=data["kind"],
                count=data["count"],
                under=under,
                deadline=data["deadline"],
                closes_share_links=data["closes_share_links"],
            )
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            messages.success(request, _("Task added: students see it on the debate's page."))
            return redirect(reverse("arguments:debate_tasks", args=[slug]))
    return _page(request, lens, form=form, status=422)


@require_POST
def task_remove_view(request: HtmxHttpRequest, slug: str, task_id: int) -> HttpResponse:
    """Take a task off the debate."""
    lens = lens_to_manage(request, slug, Action.MANAGE_TASKS)
    assert isinstance(lens, Lens)  # a POST: never the login page
    task = selectors.task_in(lens.debate, task_id)
    if task is None:
        raise Http404("No such task.")
    task.debate = lens.debate
    task_remove(actor=request.user, task=task)
    messages.success(request, _("Task removed."))
    return redirect(reverse("arguments:debate_tasks", args=[slug]))
