"""Annotating claims: a note on a span or the whole claim, replies, edits, soft deletes, and
the debate's public annotations as W3C Web Annotation JSON-LD."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from arguments import services
from arguments.forms import AnnotationForm, NoteEditForm, ReplyForm
from arguments.models import Annotation
from arguments.permissions import Action
from arguments.selectors import public_annotations
from arguments.views.access import HtmxHttpRequest, debate_for
from arguments.views.claims import Place, back_to, body_response, form_page, place_for
from arguments.views.forms import form_errors_to


@require_http_methods(["GET", "POST"])
def claim_annotate(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    place = place_for(request, slug, pk, Action.ANNOTATE)
    if isinstance(place, HttpResponse):
        return place
    form = AnnotationForm(
        request.POST if request.method == "POST" else None,
        initial={"exact": request.GET.get("exact", "")[:500], "motivation": "commenting"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.annotation_add(actor=request.user, claim=place.claim, **form.cleaned_data)
        except ValidationError as error:
            form_errors_to(form, error)
        else:
            if request.htmx:
                return body_response(request, place, open_notes=True)
            return back_to(place, place.claim.pk)
    return form_page(
        request,
        place,
        "arguments/annotation_form.html",
        {
            "form": form,
            "heading": "Annotate",
            "action": reverse("arguments:claim_annotate", kwargs={"slug": slug, "pk": pk}),
            "submit": "Save note",
        },
    )


def _note_place(request: HtmxHttpRequest, slug: str, note_id: int) -> tuple[Place, Annotation]:
    debate, _ = debate_for(request, slug)
    note = get_object_or_404(
        Annotation.objects.select_related("claim"),
        pk=note_id,
        claim__debate=debate,
        status=Annotation.Status.PUBLISHED,
    )
    place = place_for(request, slug, note.claim_id, Action.VIEW)
    if isinstance(place, HttpResponse):  # a visitor's GET: they cannot own a note anyway
        raise PermissionDenied("Log in to change your notes.")
    note.claim = place.claim
    return place, note


@require_POST
def note_reply(request: HtmxHttpRequest, slug: str, note_id: int) -> HttpResponse:
    place, note = _note_place(request, slug, note_id)
    form = ReplyForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.annotation_add(
                actor=request.user,
                claim=place.claim,
                body=form.cleaned_data["body"],
                parent=note.parent or note,
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
    else:
        error = "Write something in the reply."
    if error:
        return render(
            request,
            "arguments/vote_error.html",
            {"debate": place.debate, "error": error, "back": back_to(place, note.claim_id).url},
            status=422,
        )
    if request.htmx:
        return body_response(request, place, open_notes=True)
    return back_to(place, place.claim.pk)


@require_http_methods(["GET", "POST"])
def note_edit(request: HtmxHttpRequest, slug: str, note_id: int) -> HttpResponse:
    place, note = _note_place(request, slug, note_id)
    if not request.user.is_authenticated or note.author_id != request.user.pk:
        raise PermissionDenied("Only its author may change a note.")
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
            if request.htmx:
                return body_response(request, place, open_notes=True)
            return back_to(place, place.claim.pk)
    return form_page(
        request,
        place,
        "arguments/annotation_form.html",
        {
            "form": form,
            "heading": "Edit the note",
            "action": reverse("arguments:note_edit", kwargs={"slug": slug, "note_id": note_id}),
            "submit": "Save",
        },
    )


@require_POST
def note_delete(request: HtmxHttpRequest, slug: str, note_id: int) -> HttpResponse:
    place, note = _note_place(request, slug, note_id)
    services.annotation_delete(actor=request.user, annotation=note)
    if request.htmx:
        return body_response(request, place, open_notes=True)
    return back_to(place, place.claim.pk)


@require_GET
def debate_annotations(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """The debate's public annotations as a W3C Web Annotation AnnotationCollection."""
    debate, _ = debate_for(request, slug)
    base = request.build_absolute_uri("/")[:-1]
    items = [
        {
            "id": f"{base}{reverse('arguments:debate', kwargs={'slug': slug})}annotations/{n.pk}",
            "type": "Annotation",
            "motivation": n.motivation,
            "creator": {"type": "Person", "nickname": n.author.username if n.author else ""},
            "created": n.created_at.isoformat(),
            "modified": n.updated_at.isoformat(),
            "body": [{"type": "TextualBody", "value": n.body, "format": "text/markdown"}]
            if n.body
            else [],
            "target": _target(base, slug, n),
        }
        for n in public_annotations(debate)
    ]
    for item in items:  # a highlight has no body; the model says to leave the key out
        if not item["body"]:
            del item["body"]
    collection = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": request.build_absolute_uri(),
        "type": "AnnotationCollection",
        "label": f"Public annotations of “{debate.title}”",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    response = JsonResponse(collection, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Type"] = (
        'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"; charset=utf-8'
    )
    return response


def _target(base: str, slug: str, note: Annotation) -> dict[str, object] | str:
    source = base + reverse("arguments:claim", kwargs={"slug": slug, "pk": note.claim_id})
    if note.parent_id:
        parent = base + reverse("arguments:debate", kwargs={"slug": slug})
        return f"{parent}annotations/{note.parent_id}"
    if not note.exact:
        return source
    selectors: list[dict[str, object]] = [
        {"type": "TextQuoteSelector", "exact": note.exact, "prefix": note.prefix,
         "suffix": note.suffix},
    ]  # fmt: skip
    if note.start is not None and not note.is_orphaned:
        selectors.append({"type": "TextPositionSelector", "start": note.start, "end": note.end})
    return {"source": source, "selector": selectors}
