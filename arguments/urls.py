from __future__ import annotations

from django.urls import path

from arguments.views import claims, debates

app_name = "arguments"

urlpatterns = [
    path("", debates.debate_list, name="debate_list"),
    path("new/", debates.debate_new, name="debate_new"),
    path("me/", debates.profile, name="profile"),
    path("d/<slug:slug>/", debates.debate_detail, name="debate"),
    path("d/<slug:slug>/claims/<int:pk>/", debates.claim_detail, name="claim"),
    path("d/<slug:slug>/claims/<int:pk>/add/", claims.claim_add, name="claim_add"),
    path("d/<slug:slug>/claims/<int:pk>/edit/", claims.claim_edit, name="claim_edit"),
    path("d/<slug:slug>/claims/<int:pk>/sources/add/", claims.claim_cite, name="claim_cite"),
    path("d/<slug:slug>/claims/<int:pk>/link/", claims.claim_link, name="claim_link"),
]
