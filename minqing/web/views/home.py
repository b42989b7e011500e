from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from minqing.households.models import Household, Resident
from minqing.regions import jurisdiction
from minqing.regions.models import Region


@login_required
def home(request):
    scope = jurisdiction.scope_of(request.user)
    code = scope.home_code()
    region = Region.objects.filter(code=code).first() if code else None
    context = {
        "region": region,
        "posts": request.user.posts.select_related("unit", "region").filter(ended_on__isnull=True),
        "household_count": jurisdiction.visible(request.user, Household).count(),
        "resident_count": jurisdiction.visible(request.user, Resident).count(),
    }
    return render(request, "web/home.html", context)
