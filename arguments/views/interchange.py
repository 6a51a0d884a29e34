"""Import and export: a debate downloaded in any format, a file uploaded, previewed, imported.

The uploaded text waits in the session (signed, compressed, server-side) between the preview
and the confirmation, under a one-time token, so nothing is written until the user confirms
what the preview showed.
"""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from arguments import formats, services
from arguments.formats.document import FormatError, title_for
from arguments.formats.stored import document_from_debate
from arguments.forms.interchange import ImportForm
from arguments.views.access import lens_for

PENDING_KEY = "pending_import"
PROBLEMS_SHOWN = 50


@require_GET
def export_debate(request: HttpRequest, slug: str, format_name: str) -> HttpResponse:
    """The debate as a file, holding what the reader's lens says they may export: the
    published debate, or for its moderators a JSON backup of everything."""
    if format_name not in formats.FORMATS:
        raise Http404("No such format.")
    lens = lens_for(request, slug)
    document = document_from_debate(lens.debate, seen_by=lens.export_lens(format_name))
    filename = f"{lens.debate.slug}{formats.EXTENSIONS[format_name]}"
    return HttpResponse(
        formats.render(document, format_name),
        content_type=formats.CONTENT_TYPES[format_name],
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


@vary_on_headers("HX-Request")
@login_required
def import_debate(request: HttpRequest) -> HttpResponse:
    """Upload a file and see what it holds; nothing is saved until it is confirmed."""
    template = "arguments/import.html#panel" if request.htmx else "arguments/import.html"
    if request.method != "POST":
        return render(request, template, {"form": ImportForm()})
    form = ImportForm(request.POST, request.FILES)
    preview = None
    if form.is_valid():
        text = form.cleaned_data["file"]
        format_name = form.cleaned_data["format"] or formats.detect(text, form.filename)
        if format_name is None:
            form.add_error(
                "format", "Could not tell what format the file is in; choose it and try again."
            )
        else:
            try:
                document = formats.load(text, format_name)
            except FormatError as error:
                form.add_error("file", f"{formats.LABELS[format_name]}: {error}")
            else:
                token = secrets.token_urlsafe(16)
                request.session[PENDING_KEY] = {
                    "token": token,
                    "text": text,
                    "format": format_name,
                    "title": form.cleaned_data["title"],
                }
                preview = {
                    "token": token,
                    "title": title_for(document, form.cleaned_data["title"]),
                    "filename": form.filename,
                    "format": formats.LABELS[format_name],
                    "counts": document.counts(),
                    "problems": document.problems[:PROBLEMS_SHOWN],
                    "more_problems": max(0, len(document.problems) - PROBLEMS_SHOWN),
                }
    status = 200 if preview else 422
    return render(request, template, {"form": form, "preview": preview}, status=status)


@vary_on_headers("HX-Request")
@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Import the file the preview showed, then go to the new debate."""
    pending = request.session.get(PENDING_KEY)
    token = request.POST.get("token", "").encode()
    if not pending or not secrets.compare_digest(str(pending.get("token", "")).encode(), token):
        messages.error(
            request, "That import has expired or was already done; upload the file again."
        )
        return _go(request, "arguments:import")
    try:
        document = formats.parse(pending["text"], pending["format"])
        debate = services.debate_import(
            owner=request.user, document=document, title=pending["title"] or None
        )
    except FormatError as error:
        del request.session[PENDING_KEY]
        form = ImportForm()
        form.add_error(None, f"{formats.LABELS[pending['format']]}: {error}")
        return render(request, "arguments/import.html", {"form": form}, status=422)
    del request.session[PENDING_KEY]
    count = len(document.claims)
    messages.success(request, f"Imported {count} claim{'s' if count != 1 else ''}.")
    return _go(request, debate)


def _go(request: HttpRequest, to: object) -> HttpResponse:
    """Redirect; an htmx request is told to load the page whole."""
    response = redirect(to)
    if request.htmx:
        return HttpResponseClientRedirect(response.url)
    return response
