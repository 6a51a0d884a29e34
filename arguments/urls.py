from __future__ import annotations

from django.urls import path

from arguments.views import debates

app_name = "arguments"

urlpatterns = [
    path("", debates.debate_list, name="debate_list"),
    path("me/", debates.profile, name="profile"),
    path("d/<slug:slug>/", debates.debate_detail, name="debate"),
    path("d/<slug:slug>/claims/<int:pk>/", debates.claim_detail, name="claim"),
]
