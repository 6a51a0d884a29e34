"""Annotating claims: a note on a span or the whole claim, replies, edits, soft deletes, and
the debate's public annotations as W3C Web Annotation JSON-LD."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from arguments import selectors, services
from arguments.models import Annotation
from arguments.reading.lens import Lens
from arguments.rules.permissions import Action
from arguments.views.access import (
    HtmxHttpRequest,
    claim_to_act_on,
    lens_for,
    limit_act,
    note_to_act_on,
)
from arguments.views.forms import AnnotationForm, NoteEditForm, ReplyForm, form_errors_to
from arguments.views.fragments import back_to, body_response, form_page, page_context


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def claim_annotate(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    lens = lens_for(request, slug)
    claim = claim_to_act_on(request, lens, pk, Action.ANNOTATE)
    if isinstance(claim, HttpResponse):
        return claim
    form = AnnotationForm(
        request.POST if request.method == "POST" else None,
        initial={"exact": request.GET.get("exact", "")[:500], "motivation": "commenting"},
    )
    if request.method == "POST":
        limit_act(request, "note")
    if request.method == "POST" and form.is_valid():
        try:
            services.annotation_add(actor=request.user, claim=claim, **form.cleaned_data)
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            lens.refresh()
            if request.htmx:
                return body_response(request, lens, pk, open_notes=True)
            return back_to(lens, pk)
    return form_page(
        request,
        lens,
        claim,
        "arguments/annotation_form.html",
        {
            "form": form,
            "heading": _("Annotate"),
            "action": lens.claim_urls(pk).annotate,
            "submit": _("Save note"),
        },
    )


@vary_on_headers("HX-Request")
@require_POST
def note_reply(request: HtmxHttpRequest, slug: str, note_id: int) -> HttpResponse:
    lens = lens_for(request, slug)
    note = note_to_act_on(lens, note_id)
    claim = claim_to_act_on(request, lens, note.claim_id, Action.ANNOTATE)
    assert not isinstance(claim, HttpResponse)  # a POST: never the login page
    limit_act(request, "note")
    form = ReplyForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.annotation_add(
                actor=request.user,
                claim=claim,
                body=form.cleaned_data["body"],
                parent=note.parent or note,
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
    else:
        error = _("Write something in the reply.")
    if error:
        back = f"{lens.claim_urls(claim.pk).page}#note-{note.pk}"
        context = page_context(lens, error=error, back=back)
        return render(request, "arguments/vote_error.html", context, status=422)
    lens.refresh()
    if request.htmx:
        return body_response(request, lens, claim.pk, open_notes=True)
    return back_to(lens, claim.pk)


def _own_note(request: HtmxHttpRequest, lens: Lens, note_id: int) -> Annotation:
    """A note its author is about to change (a 404 to those who do not see it, else a 403
    to those who did not write it)."""
    note = note_to_act_on(lens, note_id)
    lens.check(Action.EDIT_NOTE, note=note)
    return note


@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def note_edit(request: HtmxHttpRequest, slug: str, note_id: int) -> HttpResponse:
    lens = lens_for(request, slug)
    note = _own_note(request, lens, note_id)
    form = NoteEditForm(
        request.POST if request.method == "POST" else None,
        initial={"motivation": note.motivation, "body": note.body},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.annotation_edit(actor=request.user, annotation=note, **form.cleaned_data)
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            lens.refresh()
            if request.htmx:
                return body_response(request, lens, note.claim_id, open_notes=True)
            return back_to(lens, note.claim_id)
    return form_page(
        request,
        lens,
        note.claim,
        "arguments/annotation_form.html",
        {
            "form": form,
            "heading": _("Edit the note"),
            "action": lens.note_urls(note_id).edit,
            "submit": _("Save"),
        },
    )


@vary_on_headers("HX-Request")
@require_POST
def note_delete(request: HtmxHttpRequest, slug: str, note_id: int) -> HttpResponse:
    lens = lens_for(request, slug)
    note = _own_note(request, lens, note_id)
    services.annotation_delete(actor=request.user, annotation=note)
    lens.refresh()
    if request.htmx:
        return body_response(request, lens, note.claim_id, open_notes=True)
    return back_to(lens, note.claim_id)


@require_GET
def debate_annotations(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The debate's public annotations, as a visitor sees them, as a W3C Web Annotation
    AnnotationCollection. Each note's id is where it is shown: its claim's page, at the note."""
    lens = lens_for(request, slug)
    public = lens.public
    notes = public.notes_seen(selectors.public_annotations(lens.debate))
    base = request.build_absolute_uri("/")[:-1]

    def note_id(note_pk: int, claim_id: int) -> str:
        return f"{base}{public.claim_urls(claim_id).page}#note-{note_pk}"

    items = []
    for n in notes:
        item: dict[str, object] = {
            "id": note_id(n.pk, n.claim_id),
            "type": "Annotation",
            "motivation": n.motivation,
            "creator": {
                "type": "Person",
                "nickname": lens.author_name(n.author_id, n.author.username if n.author else ""),
            },
            "created": n.created_at.isoformat(),
            "modified": n.updated_at.isoformat(),
        }
        if n.body:  # a highlight has no body; the model says to leave the key out
            item["body"] = [{"type": "TextualBody", "value": n.body, "format": "text/markdown"}]
        if n.parent_id:
            item["target"] = note_id(n.parent_id, n.claim_id)
        else:
            item["target"] = _target(base + public.claim_urls(n.claim_id).page, n)
        items.append(item)
    collection = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": request.build_absolute_uri(),
        "type": "AnnotationCollection",
        "label": _("Public annotations of “%(title)s”") % {"title": lens.debate.title},
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    response = JsonResponse(collection, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Type"] = (
        'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"; charset=utf-8'
    )
    return response


def _target(source: str, note: Annotation) -> dict[str, object] | str:
    if not note.exact:
        return source
    selectors_: list[dict[str, object]] = [
        {"type": "TextQuoteSelector", "exact": note.exact, "prefix": note.prefix,
         "suffix": note.suffix},
    ]  # fmt: skip
    if note.start is not None and not note.is_orphaned:
        selectors_.append({"type": "TextPositionSelector", "start": note.start, "end": note.end})
    return {"source": source, "selector": selectors_}
