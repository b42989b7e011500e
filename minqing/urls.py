from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic.base import RedirectView

from minqing.api.root import api

admin.site.site_header = admin.site.site_title = "民情 minqing"

urlpatterns = [
    # browsers that ignore <link rel="icon"> ask here; a 404 page would hand them a fresh CSRF cookie
    path("favicon.ico", RedirectView.as_view(url=static("fieldwork/icon-192.png"), permanent=True), name="favicon"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("field/", include("minqing.fieldwork.urls")),
    path("checklists/", include("minqing.checklists.urls")),
    path("enterprises/", include("minqing.enterprises.urls")),
    path("disputes/", include("minqing.disputes.urls")),
    path("nlp/", include("minqing.nlp.urls")),
    path("portal/mediation/", include("minqing.disputes.public_urls")),
    path("portal/", include("minqing.portal.urls")),
    path("hotline/", include("minqing.hotline.urls")),
    path("open311/v2/", include("minqing.hotline.open311_urls")),
    path("briefings/", include("minqing.briefing.urls")),
    path("jobs/", include("minqing.jobs.urls")),
    path("notices/", include("minqing.notices.urls")),
    path("dashboards/", include("minqing.dashboards.urls")),
    path("cadres/", include("minqing.cadres.urls")),
    path("audit/", include("minqing.audit.urls")),
    path("setup/", include("minqing.sysadmin.urls")),
    path("", include("minqing.accounts.urls")),
    path("", include("minqing.web.urls")),
]

handler400 = "minqing.web.errorpages.bad_request"
