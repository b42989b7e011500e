import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")
application = get_wsgi_application()

if os.environ.get("MINQING_PERIODIC") == "1":  # set by `minqing serve`: the sweep runs inside the server
    from minqing.jobs.periodic import start_thread

    start_thread()
