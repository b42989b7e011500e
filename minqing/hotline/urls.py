from django.urls import path

from . import views

app_name = "hotline"

urlpatterns = [
    path("", views.index, name="index"),
    path("replies.xlsx", views.replies_xlsx, name="replies_xlsx"),
]
