from django.urls import path

from .views import appeals, auth, home, households, regions

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("regions/<str:code>/", regions.region_detail, name="region"),
    path("households/", households.household_list, name="households"),
    path("households/export.csv", households.household_export, name="households_export"),
    path("households/<int:pk>/", households.household_detail, name="household"),
    path("residents/<int:pk>/reveal/", households.resident_reveal, name="resident_reveal"),
    # The appeal workbench.
    path("appeals/", appeals.appeal_list, name="appeals"),
    path("appeals/new/", appeals.appeal_new, name="appeal_new"),
    path("appeals/suggest/", appeals.appeal_suggest, name="appeal_suggest"),
    path("appeals/views/", appeals.saved_view_save, name="appeal_view_save"),
    path("appeals/views/<int:pk>/delete/", appeals.saved_view_delete, name="appeal_view_delete"),
    path("appeals/<int:pk>/", appeals.appeal_detail, name="appeal"),
    path("appeals/<int:pk>/actions/<slug:action>/", appeals.appeal_action, name="appeal_action"),
    path("appeals/<int:pk>/merge/", appeals.appeal_merge, name="appeal_merge"),
    path("appeals/<int:pk>/category/", appeals.appeal_category, name="appeal_category"),
    path("appeals/<int:pk>/reports/<int:report_pk>/reveal/", appeals.report_reveal, name="appeal_report_reveal"),
    path("appeals/<int:pk>/attachments/", appeals.attachment_upload, name="appeal_attachment_upload"),
    path("appeals/<int:pk>/attachments/<int:att_pk>/", appeals.attachment, name="appeal_attachment"),
]
