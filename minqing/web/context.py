from django.conf import settings

from minqing.regions import jurisdiction


def site(request):
    scope = jurisdiction.scope_of(getattr(request, "user", None))
    return {"site_name": settings.MINQING_SITE_NAME, "demo_mode": settings.DEMO_MODE, "scope": scope}
