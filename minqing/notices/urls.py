"""Notice pages under /notices/."""

from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="mark_read"),
    path("<int:pk>/open/", views.open_notice, name="open"),
    path("preferences/", views.preferences, name="preferences"),
    path("channels/", views.channel_list, name="channels"),
    path("channels/<int:pk>/active/", views.channel_active, name="channel_active"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/<int:pk>/resend/", views.resend, name="resend"),
]
