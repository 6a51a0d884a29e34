"""URLs: the debates at the root, accounts under /accounts/, the admin under /admin/ (site
staff) and /moderate/ (the admin scoped to the debates one moderates), the health checks at
/healthz and /readyz, the JSON API under /api/v1/."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from arguments import moderation_admin
from arguments.api.v1 import api
from arguments.views import health

admin.site.site_header = "Debate moderation"
admin.site.site_title = "Debate moderation"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),  # docs/DEPLOY.md
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("moderate/", moderation_admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("lti/", include("arguments.lti.urls")),
    path("api/v1/", api.urls),  # the JSON API (docs/API.md)  # LTI 1.3 tool (docs/EMBEDDING.md)
    path("", include("arguments.urls")),
]
