"""Import and export: a debate downloaded in any format, a file uploaded, previewed, imported.

The uploaded text waits in the session (signed, compressed, server-side) between the preview
and the confirmation, under a one-time token, so nothing is written until the user confirms
what the preview showed.
"""

from __future__ import annotations

import secrets
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from arguments import formats, selectors
from arguments.formats.document import FormatError, title_for
from arguments.formats.parts import parts_of
from arguments.models import CLAIM_MAX_LENGTH, Debate, Relation
from arguments.reading.export import document_from_debate
from arguments.services import import_jobs
from arguments.views.access import HtmxHttpRequest, SignedInRequest, lens_for, limit_act
from arguments.views.forms.interchange import ImportForm

PENDING_KEY = "pending_import"
PROBLEMS_SHOWN = 50
SUMMARY_WARNINGS = 3


@require_GET
def export_debate(request: HttpRequest, slug: str, format_name: str) -> HttpResponse:
    """The debate as a file, holding what the reader's lens says they may export: the
    published debate, or for its moderators a JSON backup of everything."""
    if format_name not in formats.FORMATS:
        raise Http404("No such format.")
    lens = lens_for(request, slug)
    document = document_from_debate(
        lens.debate, seen_by=lens.export_lens(format_name), parts=formats.WRITES[format_name]
    )
    filename = f"{lens.debate.slug}{formats.EXTENSIONS[format_name]}"
    return HttpResponse(
        formats.render(document, format_name),
        content_type=formats.CONTENT_TYPES[format_name],
        headers={"Content-Disposition": content_disposition_header(True, filename)},
    )


@vary_on_headers("HX-Request")
@login_required
def import_debate(request: SignedInRequest) -> HttpResponse:
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
                "format", _("Could not tell what format the file is in; choose it and try again.")
            )
        else:
            merge_rephrases = form.cleaned_data["rephrases"]
            try:
                document = formats.load(text, format_name, merge_rephrases=merge_rephrases)
            except FormatError as error:
                form.add_error(
                    "file",
                    _("%(format)s: %(problem)s")
                    % {"format": formats.LABELS[format_name], "problem": error},
                )
            else:
                token = secrets.token_urlsafe(16)
                in_background = (
                    import_jobs.import_rows(document) >= import_jobs.BACKGROUND_FROM_ROWS
                )
                # A fragmented file may go in as a debate a part (within the request only).
                parts = len(parts_of(document)) if format_name == "aif" else 1
                request.session[PENDING_KEY] = {
                    "token": token,
                    "text": text,
                    "format": format_name,
                    "title": form.cleaned_data["title"],
                    "visibility": form.cleaned_data["visibility"],
                    "filename": form.filename,
                    "rows": import_jobs.import_rows(document),
                    "merge_rephrases": merge_rephrases,
                    "parts": parts if not in_background else 1,
                }
                preview = {
                    "token": token,
                    "title": title_for(document, form.cleaned_data["title"]),
                    "filename": form.filename,
                    "format": formats.LABELS[format_name],
                    "counts": document.counts(),
                    "problems": document.problems[:PROBLEMS_SHOWN],
                    "more_problems": max(0, len(document.problems) - PROBLEMS_SHOWN),
                    "long_claims": [
                        claim for claim in document.claims if len(claim.text) > CLAIM_MAX_LENGTH
                    ][:PROBLEMS_SHOWN],
                    "limit": CLAIM_MAX_LENGTH,
                    "in_background": in_background,
                    "parts": parts,
                    "title_given": bool(form.cleaned_data["title"]),
                    "rephrases": sum(
                        1 for r in document.relations if r.kind == Relation.Kind.REPHRASE
                    ),
                    "merge_rephrases": merge_rephrases,
                }
    status = 200 if preview else 422
    return render(request, template, {"form": form, "preview": preview}, status=status)


@vary_on_headers("HX-Request")
@login_required
@require_POST
def import_confirm(request: SignedInRequest) -> HttpResponse:
    """Import the file the preview showed, then go to the new debate."""
    pending = request.session.get(PENDING_KEY)
    token = request.POST.get("token", "").encode()
    if not pending or not secrets.compare_digest(str(pending.get("token", "")).encode(), token):
        messages.error(
            request, _("That import has expired or was already done; upload the file again.")
        )
        return _go(request, "arguments:import")
    limit_act(request, "import")  # per account and per address (import_jobs caps jobs too)
    del request.session[PENDING_KEY]
    if pending.get("rows", 0) >= import_jobs.BACKGROUND_FROM_ROWS:
        # A large file would hold this worker near its timeout: a task worker imports it,
        # and the job's page follows it.
        job = import_jobs.import_job_start(
            owner=request.user,
            text=pending["text"],
            format_name=pending["format"],
            title=pending["title"],
            filename=pending.get("filename", ""),
            visibility=pending.get("visibility", ""),
            merge_rephrases=pending.get("merge_rephrases", False),
        )
        return _go(request, reverse("arguments:import_job", kwargs={"job_id": job.pk}))
    try:
        job, document, debates = import_jobs.import_now(
            owner=request.user,
            text=pending["text"],
            format_name=pending["format"],
            title=pending["title"],
            filename=pending.get("filename", ""),
            visibility=pending.get("visibility", ""),
            merge_rephrases=pending.get("merge_rephrases", False),
            in_parts=pending.get("parts", 1) > 1 and request.POST.get("parts") == "several",
        )
    except FormatError as error:
        form = ImportForm()
        form.add_error(
            None,
            _("%(format)s: %(problem)s")
            % {"format": formats.LABELS[pending["format"]], "problem": error},
        )
        return render(request, "arguments/import.html", {"form": form}, status=422)
    debate = job.debate
    assert debate is not None  # an import that parsed made its debate
    summary = import_summary(document.counts(), document.problems)
    if len(debates) > 1:
        titles = "; ".join(f"“{other.title}”" for other in debates)
        messages.success(
            request,
            _("%(summary)s As %(count)s debates: %(titles)s.")
            % {"summary": summary, "count": len(debates), "titles": titles},
        )
        return _go(request, "arguments:profile")  # where one's debates are listed
    messages.success(request, summary)
    return _go(request, debate)


def import_summary(counts: dict[str, int], warnings: list[str]) -> str:
    """One line for the flash message: what was imported, what was kept long, what left out."""
    claims = counts["claims"]
    if counts.get("long_claims"):
        summary = ngettext(
            "Imported %(count)s claim, %(long)s of them longer than %(max)s characters.",
            "Imported %(count)s claims, %(long)s of them longer than %(max)s characters.",
            claims,
        ) % {"count": claims, "long": counts["long_claims"], "max": CLAIM_MAX_LENGTH}
    else:
        summary = ngettext("Imported %(count)s claim.", "Imported %(count)s claims.", claims) % {
            "count": claims
        }
    if not warnings:
        return summary
    shown = "; ".join(warnings[:SUMMARY_WARNINGS])
    if len(warnings) > SUMMARY_WARNINGS:
        left_out = ngettext(
            "%(count)s warning (left out): %(shown)s; and %(more)s more.",
            "%(count)s warnings (left out): %(shown)s; and %(more)s more.",
            len(warnings),
        ) % {"count": len(warnings), "shown": shown, "more": len(warnings) - SUMMARY_WARNINGS}
    else:
        left_out = ngettext(
            "%(count)s warning (left out): %(shown)s.",
            "%(count)s warnings (left out): %(shown)s.",
            len(warnings),
        ) % {"count": len(warnings), "shown": shown}
    return f"{summary} {left_out}"


@vary_on_headers("HX-Request")
@login_required
@require_GET
def import_job(request: SignedInRequest, job_id: UUID) -> HttpResponse:
    """A background import as it runs, then what it imported: the page polls itself."""
    job = selectors.import_job_of(request.user, job_id)
    if job is None:
        raise Http404("No such import.")
    progress = import_jobs.import_job_progress(job)
    context = {
        "job": job,
        "label": formats.LABELS.get(job.format, job.format),
        "progress": progress,
        "percent": 100 * progress[0] // progress[1] if progress and progress[1] else None,
        "warnings": job.warnings[:PROBLEMS_SHOWN],
        "more_warnings": max(0, len(job.warnings) - PROBLEMS_SHOWN),
        "limit": CLAIM_MAX_LENGTH,
    }
    template = "arguments/import_job.html#status" if request.htmx else "arguments/import_job.html"
    return render(request, template, context)


def _go(request: HtmxHttpRequest, to: str | Debate) -> HttpResponse:
    """Redirect; an htmx request is told to load the page whole."""
    response = redirect(to)
    if request.htmx:
        return HttpResponseClientRedirect(response.url)
    return response
