"""Bench-only settings for bench/load.py: the product's settings, with the URLs of bench/load_urls.py
(the product's patterns plus the bare list view). LOAD_CONN_MAX_AGE (seconds) overrides the
database connection lifetime ("none": for ever), for comparing settings; unset, the product's value stands;
LOAD_SQLITE_PRAGMAS ("PRAGMA …; PRAGMA …;") is added to SQLite's init_command."""

import os

from minqing.settings import *  # noqa: F403
from minqing.settings import DATABASES

ROOT_URLCONF = "load_urls"
if os.environ.get("LOAD_CONN_MAX_AGE"):
    _age = os.environ["LOAD_CONN_MAX_AGE"]
    DATABASES["default"]["CONN_MAX_AGE"] = None if _age == "none" else int(_age)
if os.environ.get("LOAD_SQLITE_PRAGMAS") and DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"]["init_command"] += " " + os.environ["LOAD_SQLITE_PRAGMAS"]
