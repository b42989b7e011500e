"""Public pages of the residents' portal (no login)."""

from django.urls import path

from . import rate_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("places/", views.places, name="places"),
    path("sent/", views.sent, name="sent"),
    path("track/", views.track, name="track"),
    path("track/rate/", views.rate, name="rate"),
    # The same name with the signed token: reverse("portal:rate", args=[token]) (rating.rating_url).
    path("rate/<str:token>/", rate_views.rate_link, name="rate"),
]
