from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.trail_page, name="trail"),
    path("export.xlsx", views.trail_export, name="export"),
]
