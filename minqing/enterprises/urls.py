"""Pages of enterprise liaison (一张表、心连心)."""

from django.urls import path

from . import views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/visits/", views.record_visit, name="record_visit"),
]
