"""Pages of this part: search and the hot-spot report."""

from django.urls import path

from . import views

app_name = "nlp"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("hotspots/", views.hotspots_page, name="hotspots"),
    path("hotspots/act/", views.hotspot_action, name="hotspot_action"),
]
