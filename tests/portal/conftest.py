"""Fixtures of the portal tests: a letter form filled like a person would (a token signed half a
minute ago), posting helpers for the page and the API, and staff moving the appeal along."""

from __future__ import annotations

import datetime as dt
import itertools
import struct
import time

import pytest

from minqing.appeals import services as appeals
from minqing.lib.workdays import TZ

_addr = itertools.count(1)


def token(age: float = 30) -> str:
    from minqing.portal.services import form_token

    return form_token(now=time.time() - age)


def jpeg(extra: bytes = b"") -> bytes:
    """A tiny real JPEG (it must decode) with an Exif segment holding a fake GPS position."""
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 200)).save(out, "JPEG")
    exif = b"Exif\x00\x00GPS 31.5N 107.7E " + extra
    app1 = b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif
    return b"\xff\xd8" + app1 + out.getvalue()[2:]


def letter_data(c, **extra) -> dict:
    data = {"county": c.county.code, "township": c.town.code, "village": c.village_a.code,
            "kind": "problem", "title": "村口路灯坏了",
            "text": "村口到小学的三盏路灯坏了一个月，晚上孩子放学看不见路。",
            "sign": "named", "name": "王小明", "phone": "13700001111", "token": token(), "website": ""}
    data.update(extra)
    return data


@pytest.fixture
def addr():
    """A fresh client address per call, so tests do not share rate-limit windows."""
    return lambda: f"10.1.{next(_addr) % 250}.{next(_addr) % 250 + 1}"


@pytest.fixture
def send(client, county, addr):
    """Post a letter through the page; returns (response, code or None)."""

    def do(remote: str | None = None, **extra):
        response = client.post("/portal/", letter_data(county, **extra), REMOTE_ADDR=remote or addr())
        code = None
        if response.status_code == 302:
            page = client.get(response["Location"])
            text = page.content.decode()
            import re

            found = re.search(r'id="pl-code"[^>]*>([A-Z0-9-]+)<', text)
            code = found.group(1) if found else None
        return response, code

    return do


@pytest.fixture
def letter_of():
    from minqing.portal import codes
    from minqing.portal.models import Letter

    return lambda code: Letter.objects.select_related("appeal").get(code_hash=codes.code_hash(codes.normalize(code)))


class Staff:
    """Moves a village-A appeal along its lifecycle through the appeals services."""

    def __init__(self, county):
        self.c = county
        self.t = dt.datetime.now(TZ)

    def _now(self):
        """Real time (the resident acts after the staff, at real time), never going backwards."""
        self.t = max(dt.datetime.now(TZ), self.t + dt.timedelta(milliseconds=1))
        return self.t

    def assign(self, appeal):
        return appeals.do_review(appeal, actor=self.c.cadre_a, decision="assign",
                                 unit=str(self.c.units["committee_a"].pk),
                                 person=str(self.c.cadre_a.pk), measures="更换灯泡",
                                 due=self.t + dt.timedelta(days=7), now=self._now())

    def submit(self, appeal, result="已更换三盏路灯，王小明反映的问题已解决，联系人cadre_a 13800009999。"):
        return appeals.do_submit_result(appeal, actor=self.c.cadre_a, result=result, now=self._now())

    def verify(self, appeal):
        return appeals.do_verify(appeal, actor=self.c.township_leader, passed=True, now=self._now())

    def to_return_visit(self, appeal):
        return self.verify(self.submit(self.assign(appeal)))

    def close_after_visit(self, appeal, satisfaction="satisfied"):
        appeal = appeals.do_return_visit(appeal, actor=self.c.cadre_a, satisfaction=satisfaction, now=self._now())
        return appeals.do_close(appeal, actor=self.c.cadre_a, outcome="solved", now=self._now())

    def solve(self, appeal):
        return self.close_after_visit(self.to_return_visit(appeal))


@pytest.fixture
def staff(county):
    return Staff(county)


def track(client, code: str, **extra):
    """The progress of a letter: the code goes in the POST body, never in a URL."""
    return client.post("/api/v1/portal/track", {"code": code}, content_type="application/json", **extra)
