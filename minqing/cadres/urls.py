"""Pages of the cadres part: /cadres/ (leaders), /cadres/duty/ (the office), /cadres/check-in/ (phone)."""

from django.urls import path

from . import views

app_name = "cadres"

urlpatterns = [
    path("", views.home, name="home"),
    path("duty/", views.roster, name="roster"),
    path("duty/<int:pk>/cancel/", views.shift_cancel, name="shift_cancel"),
    path("check-in/", views.check_in, name="check_in"),
]
