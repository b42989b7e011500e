import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")
application = get_wsgi_application()

if os.environ.get("MINQING_PERIODIC") == "1":  # set by `minqing serve`: the sweep runs inside the server
    from minqing.jobs.periodic import start_thread

    start_thread()

# Every URL module (and so every view and scikit-learn) imported while the worker boots, not on the
# first request it answers: that request took 2–8 s (issue 18), now each worker's first page is quick.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018

# Templates, catalogues and the static manifest loaded, then the boot's objects frozen out of the
# garbage collector's walks (minqing/web/warm.py): no worker's first page nor a full collection is the
# slow request of the dashboard's p95.
from minqing.web.warm import warm  # noqa: E402

warm()
