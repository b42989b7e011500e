from django.contrib import admin
from django.urls import include, path

from minqing.api.root import api

admin.site.site_header = admin.site.site_title = "民情 minqing"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("minqing.web.urls")),
]
