"""工作简报 pages: /briefings/ (on screen), /briefings/generate/ (background .docx), /briefings/docx/."""

from django.urls import path

from . import views

app_name = "briefing"

urlpatterns = [
    path("", views.home, name="home"),
    path("generate/", views.generate, name="generate"),
    path("docx/", views.download, name="docx"),
]
