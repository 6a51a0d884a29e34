from __future__ import annotations

from django.urls import path

from arguments import views

app_name = "arguments"

urlpatterns = [
    path("", views.debate_list, name="debate_list"),
    path("me/", views.profile, name="profile"),
    path("d/<slug:slug>/", views.debate_detail, name="debate"),
    path("d/<slug:slug>/claims/<int:pk>/", views.claim_detail, name="claim"),
]
