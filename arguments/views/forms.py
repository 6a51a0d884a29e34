"""Turning a service's ValidationError into form errors, so the user sees it by the field."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def form_errors_to(form: forms.Form, error: ValidationError) -> None:
    """Attach the service's messages to the form's fields (or to the form as a whole)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
