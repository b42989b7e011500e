from django.urls import path

from .views import (
    appeal_bulk,
    appeal_repeats,
    appeals,
    auth,
    home,
    household_edit,
    household_import,
    households,
    maps,
    reclassify,
    regions,
)

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("regions/<str:code>/", regions.region_detail, name="region"),
    path("households/", households.household_list, name="households"),
    path("map/", maps.map_page, name="map"),
    path("households/export.csv", households.household_export, name="households_export"),
    path("households/<int:pk>/", households.household_detail, name="household"),
    path("residents/<int:pk>/reveal/", households.resident_reveal, name="resident_reveal"),
    # 一户一档: changes, import, printing.
    path("households/new/", household_edit.household_new, name="household_new"),
    path("households/import/", household_import.household_import, name="households_import"),
    path("households/print/", household_edit.village_print, name="households_print"),
    path("households/<int:pk>/edit/", household_edit.household_edit, name="household_edit"),
    path("households/<int:pk>/move/", household_edit.household_move, name="household_move"),
    path("households/<int:pk>/split/", household_edit.household_split, name="household_split"),
    path("households/<int:pk>/merge/", household_edit.household_merge, name="household_merge"),
    path("households/<int:pk>/close/", household_edit.household_remove, name="household_remove"),
    path("households/<int:pk>/members/new/", household_edit.resident_new, name="resident_new"),
    path("households/<int:pk>/visits/new/", household_edit.visit_new, name="visit_new"),
    path("households/<int:pk>/print.<str:fmt>", household_edit.household_print, name="household_print"),
    path("residents/<int:pk>/edit/", household_edit.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/status/", household_edit.resident_status, name="resident_status"),
    # The appeal workbench.
    path("appeals/", appeals.appeal_list, name="appeals"),
    path("appeals/new/", appeals.appeal_new, name="appeal_new"),
    path("appeals/bulk/", appeal_bulk.appeal_bulk, name="appeal_bulk"),
    path("appeals/suggest/", appeals.appeal_suggest, name="appeal_suggest"),
    path("appeals/views/", appeals.saved_view_save, name="appeal_view_save"),
    path("appeals/views/<int:pk>/delete/", appeals.saved_view_delete, name="appeal_view_delete"),
    path("appeals/<int:pk>/", appeals.appeal_detail, name="appeal"),
    path("appeals/<int:pk>/actions/<slug:action>/", appeals.appeal_action, name="appeal_action"),
    path("appeals/<int:pk>/merge/", appeals.appeal_merge, name="appeal_merge"),
    path("appeals/<int:pk>/repeats/<int:link_pk>/", appeal_repeats.repeat_decide, name="appeal_repeat_decide"),
    path("appeals/<int:pk>/reclassify/", reclassify.appeal_reclassify, name="appeal_reclassify"),
    path("appeals/<int:pk>/category/", appeals.appeal_category, name="appeal_category"),
    path("appeals/<int:pk>/reports/<int:report_pk>/reveal/", appeals.report_reveal, name="appeal_report_reveal"),
    path("appeals/<int:pk>/attachments/", appeals.attachment_upload, name="appeal_attachment_upload"),
    path("appeals/<int:pk>/attachments/<int:att_pk>/", appeals.attachment, name="appeal_attachment"),
]
