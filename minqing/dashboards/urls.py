"""Dashboards: /dashboards/ (one's own jurisdiction) and /dashboards/<code>/ (drill-down)."""

from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.home, name="home"),
    path("<str:code>/", views.region, name="region"),
    path("<str:code>/cases/", views.cases, name="cases"),
]
