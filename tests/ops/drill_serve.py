"""Serve a restored home with Django's test client (run as its own process by test_restore_drill).

Reads MINQING_HOME / DATABASE_URL from the environment like any start-up, logs in USER, reveals the
phone of RESIDENT and prints {"status": ..., "value": ...} as JSON."""

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minqing.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from minqing.accounts.models import User  # noqa: E402

user, resident = sys.argv[1], int(sys.argv[2])
client = Client()
client.force_login(User.objects.get(username=user), backend="django.contrib.auth.backends.ModelBackend")
page = client.get("/")
body = json.dumps({"field": "phone", "reason": "恢复演练：核对联系电话"})
r = client.post(f"/api/v1/households/residents/{resident}/reveal", data=body, content_type="application/json")
print(json.dumps({"home": page.status_code, "status": r.status_code, "value": r.json().get("value")}))
