"""The LTI tool's addresses, under /lti/ (debate/urls.py includes them)."""

from __future__ import annotations

from django.urls import path

from arguments.lti import views

app_name = "lti"

urlpatterns = [
    path("login/", views.login_initiation, name="login"),
    path("login/<uuid:registration_uuid>/", views.login_initiation, name="login_for"),
    path("launch/", views.launch, name="launch"),
    path("jwks/", views.jwks, name="jwks"),
    path("deep-link/", views.deep_link, name="deep_link"),
    path("d/<slug:slug>/", views.lti_debate, name="debate"),
    path("d/<slug:slug>/claims/<int:pk>/", views.lti_claim, name="claim"),
]
