"""Pages of household checklists."""

from django.urls import path

from . import views

app_name = "checklists"

urlpatterns = [
    path("", views.report, name="report"),
    path("households/<int:pk>/", views.household, name="household"),
    path("answers/<int:pk>/appeal/", views.raise_appeal, name="raise_appeal"),
]
