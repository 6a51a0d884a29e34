from __future__ import annotations

from django.urls import path

from arguments import paths
from arguments.views import (
    activity,
    approvals,
    claims,
    debate_settings,
    debates,
    embed,
    explore,
    feedback,
    flags,
    following,
    guided,
    interchange,
    language,
    live,
    maps,
    mentions,
    notes,
    opinions,
    perspectives,
    sharing,
    snapshots,
    tasks,
    teams,
    tokens,
    votes,
    write_requests,
)

app_name = "arguments"

urlpatterns = [
    path("", debates.debate_list, name="debate_list"),
    path("new/", debates.debate_new, name="debate_new"),
    path("me/", debates.profile, name="profile"),
    path("language/", language.language_set, name="language"),
    path("jsi18n/<str:language>/", language.javascript_catalog, name="javascript_catalog"),
    path("me/tokens/", tokens.token_create, name="token_create"),
    path("me/tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("explore/", explore.explore, name="explore"),
    path("explore/tag/<slug:tag>/", explore.explore_tag, name="explore_tag"),
    path(paths.DEBATE_PAGE, debates.debate_detail, name="debate"),
    path("d/<slug:slug>/search/", debates.debate_search, name="debate_search"),
    path("d/<slug:slug>/cruxes/", explore.debate_cruxes, name="debate_cruxes"),
    path("d/<slug:slug>/gaps/", explore.debate_gaps, name="debate_gaps"),
    path("d/<slug:slug>/opinions/", opinions.debate_opinions, name="debate_opinions"),
    path(paths.DEBATE_POLL, live.debate_live, name="debate_live"),
    path("d/<slug:slug>/activity/", live.debate_feed, name="debate_feed"),
    path("d/<slug:slug>/follow/", following.follow, name="debate_follow"),
    path("d/<slug:slug>/claims/<int:pk>/follow/", following.follow, name="claim_follow"),
    path("notifications/", following.notifications_page, name="notifications"),
    path("notifications/bell/", following.notifications_bell, name="notifications_bell"),
    path("notifications/read/", following.notifications_read, name="notifications_read"),
    path("notifications/email/", following.digest_settings, name="digest_settings"),
    path("notifications/follows/<int:follow_id>/drop/", following.follow_drop, name="follow_drop"),
    path("notifications/unsubscribe/<str:token>/", following.unsubscribe, name="unsubscribe"),
    path("d/<slug:slug>/export/<str:format_name>/", interchange.export_debate, name="export"),
    path("import/", interchange.import_debate, name="import"),
    path("import/confirm/", interchange.import_confirm, name="import_confirm"),
    path("import/jobs/<uuid:job_id>/", interchange.import_job, name="import_job"),
    path("d/<slug:slug>/claims/<int:pk>/", debates.claim_detail, name="claim"),
    path("d/<slug:slug>/map/", maps.debate_map, name="debate_map"),
    path("d/<slug:slug>/map.svg", maps.debate_map_svg, name="debate_map_svg"),
    path("d/<slug:slug>/claims/<int:pk>/map/", maps.claim_map, name="claim_map"),
    path("d/<slug:slug>/claims/<int:pk>/map.svg", maps.claim_map_svg, name="claim_map_svg"),
    path("d/<slug:slug>/claims/<int:pk>/add/", claims.claim_add, name="claim_add"),
    path("d/<slug:slug>/claims/<int:pk>/edit/", claims.claim_edit, name="claim_edit"),
    path("d/<slug:slug>/claims/<int:pk>/sources/add/", claims.claim_cite, name="claim_cite"),
    path("d/<slug:slug>/claims/<int:pk>/link/", claims.claim_link, name="claim_link"),
    path("d/<slug:slug>/claims/<int:pk>/vote/", votes.claim_vote, name="claim_vote"),
    path("d/<slug:slug>/claims/<int:pk>/why/", votes.claim_why, name="claim_why"),
    path(
        "d/<slug:slug>/perspectives/new/",
        perspectives.perspective_create,
        name="perspective_create",
    ),
    path(
        "d/<slug:slug>/perspectives/voting-as/",
        perspectives.perspective_voting_as,
        name="perspective_voting_as",
    ),
    path(
        "d/<slug:slug>/claims/<int:pk>/annotate/",
        notes.claim_annotate,
        name="claim_annotate",
    ),
    path("d/<slug:slug>/notes/<int:note_id>/reply/", notes.note_reply, name="note_reply"),
    path("d/<slug:slug>/notes/<int:note_id>/edit/", notes.note_edit, name="note_edit"),
    path("d/<slug:slug>/notes/<int:note_id>/delete/", notes.note_delete, name="note_delete"),
    path(
        "d/<slug:slug>/annotations.jsonld",
        notes.debate_annotations,
        name="debate_annotations",
    ),
]

# Moderation on the site: flags, review requests, approve/hide/restore, the debate's settings.
urlpatterns += [
    path("d/<slug:slug>/claims/<int:pk>/flag/", flags.claim_flag, name="claim_flag"),
    path("d/<slug:slug>/notes/<int:note_id>/flag/", flags.note_flag, name="note_flag"),
    path("d/<slug:slug>/flags/<int:flag_id>/review/", flags.flag_review, name="flag_review"),
    path("d/<slug:slug>/flags/<int:flag_id>/resolve/", flags.flag_resolve, name="flag_resolve"),
    path("d/<slug:slug>/claims/<int:pk>/flags/", flags.claim_flags, name="claim_flags"),
    path("d/<slug:slug>/claims/<int:pk>/approve/", approvals.claim_approve, name="claim_approve"),
    path("d/<slug:slug>/claims/<int:pk>/hide/", approvals.claim_hide, name="claim_hide"),
    path("d/<slug:slug>/claims/<int:pk>/restore/", approvals.claim_restore, name="claim_restore"),
    path(
        "d/<slug:slug>/claims/<int:pk>/moderation/",
        approvals.claim_moderation,
        name="claim_moderation",
    ),
    path("d/<slug:slug>/settings/", debate_settings.debate_settings, name="debate_settings"),
    path("d/<slug:slug>/settings/members/", debate_settings.member_grant, name="member_grant"),
    path(
        "d/<slug:slug>/settings/members/<int:user_id>/remove/",
        debate_settings.member_revoke,
        name="member_revoke",
    ),
    path(
        "d/<slug:slug>/settings/debate/<slug:section>/",
        debate_settings.debate_settings_save,
        name="debate_configure",
    ),
    path(
        "d/<slug:slug>/settings/archive/",
        debate_settings.debate_archive_view,
        name="debate_archive",
    ),
    path("d/<slug:slug>/settings/status/", debate_settings.debate_status, name="debate_status"),
    path("d/<slug:slug>/settings/tags/", debate_settings.debate_tags, name="debate_tags"),
    path("d/<slug:slug>/settings/share/", sharing.share_links, name="share_links"),
    path(
        "d/<slug:slug>/settings/share/<int:link_id>/switch/",
        sharing.share_link_switch,
        name="share_link_switch",
    ),
    path(
        "d/<slug:slug>/settings/share/<int:link_id>/revoke/",
        sharing.share_link_revoke,
        name="share_link_revoke",
    ),
    path(
        "d/<slug:slug>/settings/share/<int:link_id>/hide-contributions/",
        sharing.share_link_hide_contributions,
        name="share_link_hide_contributions",
    ),
    path("join/<str:token>/", sharing.join, name="join"),
    path("d/<slug:slug>/settings/pseudonyms/", sharing.debate_pseudonyms, name="debate_pseudonyms"),
    path("d/<slug:slug>/settings/activity/", activity.debate_activity, name="debate_activity"),
    path(
        "d/<slug:slug>/settings/activity.csv",
        activity.debate_activity_csv,
        name="debate_activity_csv",
    ),
    path(
        "d/<slug:slug>/settings/activity/<int:user_id>/",
        activity.participant_activity,
        name="participant_activity",
    ),
    path(
        "d/<slug:slug>/settings/groups/",
        perspectives.perspective_groups,
        name="perspective_groups",
    ),
    path(
        "d/<slug:slug>/settings/groups/<int:group_id>/members/",
        perspectives.group_members,
        name="group_members",
    ),
    path(
        "d/<slug:slug>/settings/groups/<int:group_id>/delete/",
        perspectives.group_delete,
        name="group_delete",
    ),
    path("d/<slug:slug>/settings/grading/", debate_settings.debate_grading, name="debate_grading"),
    path(
        "d/<slug:slug>/settings/courses/<int:activity_id>/roster/",
        debate_settings.course_roster,
        name="course_roster",
    ),
]

# Embedding: framable embed pages, oEmbed, and the dialog that writes the snippet.
urlpatterns += [
    path("d/<slug:slug>/embed/", embed.embed_dialog, name="embed_dialog"),
    path("d/<slug:slug>/embed/origins/", embed.embed_origin_add, name="embed_origin_add"),
    path("embed/d/<slug:slug>/", embed.embed_debate, name="embed_debate"),
    path("embed/d/<slug:slug>/claims/<int:pk>/", embed.embed_claim, name="embed_claim"),
    path("embed/d/<slug:slug>/claims/<int:pk>/why/", embed.embed_why, name="embed_why"),
    path("oembed", embed.oembed, name="oembed"),
]

# Snapshots: a debate frozen at a moment, at a permanent address (views/snapshots.py).
urlpatterns += [
    path("d/<slug:slug>/v/", snapshots.snapshot_list, name="snapshot_list"),
    path("d/<slug:slug>/v/<int:number>/", snapshots.snapshot_page, name="snapshot"),
    path(
        "d/<slug:slug>/v/<int:number>/claims/<int:pk>/",
        snapshots.snapshot_claim,
        name="snapshot_claim",
    ),
    path(
        "d/<slug:slug>/v/<int:number>/export/<str:format_name>/",
        snapshots.snapshot_export,
        name="snapshot_export",
    ),
    path("d/<slug:slug>/v/<int:number>/diff/", snapshots.snapshot_diff, name="snapshot_diff"),
    path("d/<slug:slug>/v/<int:number>/map/", snapshots.snapshot_map, name="snapshot_map"),
    path("d/<slug:slug>/settings/snapshots/", snapshots.snapshot_take, name="snapshot_take"),
    path(
        "d/<slug:slug>/settings/snapshots/deadline/",
        snapshots.snapshot_deadline,
        name="snapshot_deadline",
    ),
]
# Feedback and grades (teaching): a claim's feedback, one's own, the teacher's grades.
urlpatterns += [
    path("d/<slug:slug>/claims/<int:pk>/feedback/", feedback.claim_feedback, name="claim_feedback"),
    path("d/<slug:slug>/feedback/", feedback.my_feedback, name="my_feedback"),
    path(
        "d/<slug:slug>/settings/activity/<int:user_id>/grade/",
        feedback.participant_grade,
        name="participant_grade",
    ),
    path(
        "d/<slug:slug>/settings/activity/release/",
        feedback.grades_release_view,
        name="grades_release",
    ),
    path("d/<slug:slug>/settings/activity/scale/", feedback.grade_scale, name="grade_scale"),
]

# Guided voting: the reader's unrated claims, one at a time, level by level.
urlpatterns += [
    path("d/<slug:slug>/guided/", guided.guided_voting, name="guided_voting"),
]

# Requests to write: asked by a viewer or suggester, decided by the owner and moderators.
urlpatterns += [
    path("d/<slug:slug>/ask-to-write/", write_requests.ask_to_write, name="ask_to_write"),
    path("d/<slug:slug>/settings/requests/", write_requests.write_requests, name="write_requests"),
    path(
        "d/<slug:slug>/settings/requests/<int:request_id>/decide/",
        write_requests.write_request_decide_view,
        name="write_request_decide",
    ),
]

# "@name" autocomplete: the names a writer may mention.
urlpatterns += [
    path("d/<slug:slug>/mentions/", mentions.mention_names, name="mention_names"),
]

# Tasks: set by the owner and moderators, each student's progress on the debate page.
urlpatterns += [
    path("d/<slug:slug>/tasks/", tasks.debate_tasks, name="debate_tasks"),
    path("d/<slug:slug>/tasks/<int:task_id>/remove/", tasks.task_remove_view, name="task_remove"),
]

# Teams: the owner's teams of a template debate and their copies.
urlpatterns += [
    path("d/<slug:slug>/teams/", teams.debate_teams, name="debate_teams"),
    path("d/<slug:slug>/teams/copies/", teams.team_copies, name="team_copies"),
]
