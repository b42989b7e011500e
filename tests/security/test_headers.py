"""Production settings by environment, Content-Security-Policy on every page, no inline script,
`no-store` on pages of personal data."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

from django.test import Client

from tests.conftest import REPO_DIR

# The production environment documented in docs/security.md.
PRODUCTION_ENV = {
    "MINQING_HTTPS": "1",
    "MINQING_ALLOWED_HOSTS": "minqing.example.gov.cn",
    "MINQING_CSRF_TRUSTED_ORIGINS": "https://minqing.example.gov.cn",
    "MINQING_DEBUG": "0",
}


def test_check_deploy_is_clean_with_the_production_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MINQING_", "DJANGO_"))}
    env.update(PRODUCTION_ENV, MINQING_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="minqing.settings",
               MINQING_SECRET_KEY=secrets.token_urlsafe(50), MINQING_DATA_KEY=secrets.token_urlsafe(32),
               MINQING_HASH_KEY=secrets.token_urlsafe(32))
    run = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                         cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues" in run.stdout
    # and the same command without HTTPS does warn: the test can fail
    env.pop("MINQING_HTTPS")
    plain = subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                           cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert plain.returncode != 0 and "security.W004" in plain.stderr + plain.stdout


def _templates() -> list[Path]:
    return [p for p in (REPO_DIR / "minqing").rglob("*.html") if "static" not in p.parts]


def test_no_template_has_an_inline_script_or_handler():
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+=\"", re.I)
    found = [f"{p.relative_to(REPO_DIR)}" for p in _templates()
             if inline.search(p.read_text()) or handler.search(p.read_text())]
    assert found == []


def test_every_page_has_a_content_security_policy(county, login):
    client = login(county.cadre_a)
    for url in ("/", "/appeals/", f"/households/{county.households['a1'].pk}/", "/account/", "/field/desk/"):
        response = client.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    for url in ("/login/", "/portal/", "/portal/track/"):
        assert "script-src 'self'" in Client().get(url)["Content-Security-Policy"], url


def test_pages_of_personal_data_are_not_stored(county, login, bearer):
    client = login(county.cadre_a)
    for url in ("/households/", f"/households/{county.households['a1'].pk}/", "/appeals/", "/disputes/"):
        assert "no-store" in client.get(url)["Cache-Control"], url
    api = Client().get("/api/v1/households", headers=bearer(county.cadre_a))
    assert api.status_code == 200 and "no-store" in api["Cache-Control"]
