"""Background job pages: /jobs/, /jobs/<id>/ (progress), /jobs/<id>/download/."""

from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("ledger-export/", views.ledger_export, name="ledger_export"),
    path("ledger-import/", views.ledger_import, name="ledger_import"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/download/", views.job_download, name="download"),
]
