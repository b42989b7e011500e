"""The party's public page, mounted under /portal/mediation/ (no log-in, like the portal)."""

from django.urls import path

from . import public_views

app_name = "mediation"

urlpatterns = [
    path("", public_views.look_up, name="look_up"),
    path("message/", public_views.say, name="say"),
]
