from django.urls import path

from . import views_checklists, views_enterprises, views_org, views_rules, views_staff

app_name = "sysadmin"

urlpatterns = [
    path("", views_rules.home, name="home"),
    path("activate/", views_staff.activate, name="activate"),
    path("staff/", views_staff.staff_list, name="staff_list"),
    path("staff/new/", views_staff.staff_new, name="staff_new"),
    path("staff/import/", views_staff.staff_import, name="staff_import"),
    path("staff/<int:pk>/", views_staff.staff_detail, name="staff"),
    path("staff/<int:pk>/active/", views_staff.staff_active, name="staff_active"),
    path("staff/<int:pk>/code/", views_staff.staff_code, name="staff_code"),
    path("posts/<int:pk>/end/", views_staff.post_end, name="post_end"),
    path("units/", views_org.unit_list, name="units"),
    path("units/new/", views_org.unit_new, name="unit_new"),
    path("units/<int:pk>/", views_org.unit_edit, name="unit"),
    path("units/<int:pk>/active/", views_org.unit_active, name="unit_active"),
    path("pairings/", views_org.pairing_list, name="pairings"),
    path("pairings/<int:pk>/end/", views_org.pairing_end, name="pairing_end"),
    path("teams/", views_org.team_list, name="teams"),
    path("teams/<int:pk>/", views_org.team_detail, name="team"),
    path("enterprises/", views_enterprises.enterprise_list, name="enterprises"),
    path("enterprises/<int:pk>/", views_enterprises.enterprise_detail, name="enterprise"),
    path("enterprises/pairings/<int:pk>/end/", views_enterprises.enterprise_unpair, name="enterprise_unpair"),
    path("checklists/", views_checklists.checklist_list, name="checklists"),
    path("checklists/<int:pk>/", views_checklists.checklist_detail, name="checklist"),
    path("categories/", views_rules.category_list, name="categories"),
    path("categories/new/", views_rules.category_form, name="category_new"),
    path("categories/<int:pk>/", views_rules.category_form, name="category"),
    path("categories/<int:pk>/active/", views_rules.category_active, name="category_active"),
    path("deadlines/", views_rules.deadline_list, name="deadlines"),
    path("deadlines/new/", views_rules.deadline_form, name="deadline_new"),
    path("deadlines/<int:pk>/", views_rules.deadline_form, name="deadline"),
    path("deadlines/<int:pk>/withdraw/", views_rules.deadline_withdraw, name="deadline_withdraw"),
    path("holidays/", views_rules.holidays, name="holidays"),
    path("quotas/", views_rules.quota_list, name="quotas"),
    path("quotas/new/", views_rules.quota_form, name="quota_new"),
    path("quotas/<int:pk>/", views_rules.quota_form, name="quota"),
    path("quotas/<int:pk>/active/", views_rules.quota_active, name="quota_active"),
]
