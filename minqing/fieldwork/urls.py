"""Pages of this part: the offline-first field app (/field/), its worker and its manifest."""

from django.urls import path

from . import pages, people_pages, quota_pages, views

app_name = "field"

urlpatterns = [
    path("", views.home, name="home"),
    path("sw.js", views.service_worker, name="sw"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    # Desk pages: township and county staff plan and review field work (pages.py).
    path("desk/", pages.desk, name="desk"),
    path("desk/activities/", pages.activity_list, name="desk_activities"),
    path("desk/activities/new/", pages.activity_new, name="desk_activity_new"),
    path("desk/activities/<int:pk>/", pages.activity_detail, name="desk_activity"),
    path("desk/topics/", pages.topic_list, name="desk_topics"),
    path("desk/topics/new/", pages.topic_new, name="desk_topic_new"),
    path("desk/topics/<int:pk>/", pages.topic_detail, name="desk_topic"),
    path("desk/topics/<int:pk>/subtopics/", pages.topic_subtopic_add, name="desk_topic_subtopic_add"),
    path("desk/topics/<int:pk>/conclusions/", pages.topic_conclusions, name="desk_topic_conclusions"),
    path("desk/subtopics/<int:pk>/findings/", pages.subtopic_findings, name="desk_subtopic_findings"),
    path("desk/rounds/", pages.round_list, name="desk_rounds"),
    path("desk/rounds/new/", pages.round_new, name="desk_round_new"),
    path("desk/rounds/<int:pk>/", pages.round_detail, name="desk_round"),
    path("desk/rounds/<int:pk>/results/", pages.round_results, name="desk_round_results"),
    path("desk/rounds/<int:pk>/leader/", pages.round_leader, name="desk_round_leader"),
    path("desk/lists/", pages.lists_index, name="desk_lists_index"),
    path("desk/lists/new/", pages.lists_new, name="desk_lists_new"),
    path("desk/lists/<int:pk>/", pages.lists_detail, name="desk_lists"),
    path("desk/list-items/<int:pk>/tick/", pages.list_item_tick, name="desk_item_tick"),
    path("desk/quotas/", quota_pages.quotas, name="desk_quotas"),
    path("desk/visits/", quota_pages.visit_list, name="desk_visits"),
    # 关爱服务档案, 集访, 为民办实事 (people_pages.py)
    path("desk/care/", people_pages.care_list, name="desk_care"),
    path("desk/care/new/", people_pages.care_new, name="desk_care_new"),
    path("desk/care/<int:pk>/", people_pages.care_detail, name="desk_care_file"),
    path("desk/care/<int:pk>/close/", people_pages.care_close, name="desk_care_close"),
    path("desk/petitions/", people_pages.petition_list, name="desk_petitions"),
    path("desk/petitions/new/", people_pages.petition_new, name="desk_petition_new"),
    path("desk/deeds/", people_pages.deed_list, name="desk_deeds"),
    path("desk/deeds/new/", people_pages.deed_new, name="desk_deed_new"),
]
