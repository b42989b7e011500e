"""Abuse resistance without a CAPTCHA: a honeypot, a minimum fill time signed into the form, one
letter per form, size limits, per-address limits on letters (a flood is refused with 429 while
another address still gets through) and per-address / per-code limits on tracking look-ups."""

from __future__ import annotations

import datetime as dt
import struct
import time

import pytest
from django.core import signing
from django.test import override_settings
from django.utils import timezone

from minqing.appeals.models import Appeal
from minqing.lib import photos
from minqing.portal import throttle
from minqing.portal.models import Hit, Letter
from tests.portal.conftest import track

from .conftest import jpeg, letter_data, token

pytestmark = pytest.mark.django_db


def test_the_honeypot_refuses_a_bot(client, county, addr):
    response = client.post("/portal/", letter_data(county, website="http://spam.example"), REMOTE_ADDR=addr())
    assert response.status_code == 400 and "未通过校验" in response.content.decode()
    assert not Appeal.objects.exists()


def test_a_form_sent_too_fast_is_refused(client, county, addr):
    response = client.post("/portal/", letter_data(county, token=token(age=1)), REMOTE_ADDR=addr())
    assert response.status_code == 400 and "提交太快" in response.content.decode()
    assert not Appeal.objects.exists()
    response = client.post("/portal/", letter_data(county, token=token(age=6)), REMOTE_ADDR=addr())
    assert response.status_code == 302


# ids: the forged token holds the collection time, which differs between xdist workers
@pytest.mark.parametrize("bad", ["", "nonsense", signing.dumps({"t": time.time() - 30, "n": "x"}, salt="other")],
                         ids=["empty", "nonsense", "forged"])
def test_a_missing_or_forged_token_is_refused(client, county, addr, bad):
    response = client.post("/portal/", letter_data(county, token=bad), REMOTE_ADDR=addr())
    assert response.status_code == 400 and "页面已过期" in response.content.decode()


def test_a_stale_token_is_refused(client, county, addr):
    response = client.post("/portal/", letter_data(county, token=token(age=2 * 86400)), REMOTE_ADDR=addr())
    assert response.status_code == 400 and "页面已过期" in response.content.decode()


def test_one_form_sends_one_letter(client, county, addr):
    data = letter_data(county)
    assert client.post("/portal/", data, REMOTE_ADDR=addr()).status_code == 302
    again = client.post("/portal/", data, REMOTE_ADDR=addr())
    assert again.status_code == 429 and "请勿重复提交" in again.content.decode()
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "标" * 61, "标题不能超过60个字"),
    ("text", "字" * 3001, "内容不能超过3000个字"),
    ("text", "太短", "至少10个字"),
    ("name", "名" * 31, "姓名不能超过30个字"),
])
def test_size_limits(client, county, addr, field, value, message):
    response = client.post("/portal/", letter_data(county, **{field: value}), REMOTE_ADDR=addr())
    assert response.status_code == 400 and message in response.content.decode()
    assert not Appeal.objects.exists()


def test_the_rating_comment_is_limited(client, county, send, addr, letter_of, staff):
    _r, code = send()
    staff.to_return_visit(letter_of(code).appeal)
    response = client.post("/api/v1/portal/track/rating",
                           {"code": code, "satisfaction": "satisfied", "comment": "好" * 501},
                           content_type="application/json", REMOTE_ADDR=addr())
    assert response.status_code == 422 and "500" in response.json()["detail"]


@override_settings(PORTAL_LIMITS={"letter_addr": (3, 3600)})
def test_a_flood_from_one_address_is_refused_while_others_get_through(client, county):
    flood = "203.0.113.7"
    for _ in range(3):
        assert client.post("/portal/", letter_data(county), REMOTE_ADDR=flood).status_code == 302
    for _ in range(5):
        response = client.post("/portal/", letter_data(county), REMOTE_ADDR=flood)
        assert response.status_code == 429
        assert "提交来信过于频繁" in response.content.decode() and int(response["Retry-After"]) > 0
    api = client.post("/api/v1/portal/letters", {**letter_data(county), "region": county.village_a.code},
                      content_type="application/json", REMOTE_ADDR=flood)
    assert api.status_code == 429 and "过于频繁" in api.json()["detail"] and api["Retry-After"]
    # a resident on another network still writes
    assert client.post("/portal/", letter_data(county), REMOTE_ADDR="198.51.100.20").status_code == 302
    assert Letter.objects.count() == 4
    # an IPv6 household is one /64: changing the last bits does not reset the window
    for i in range(3):
        assert client.post("/portal/", letter_data(county), REMOTE_ADDR=f"2001:db8:1:2::{i + 1}").status_code == 302
    assert client.post("/portal/", letter_data(county), REMOTE_ADDR="2001:db8:1:2::ff").status_code == 429
    # no address is stored in clear
    assert all(flood not in repr(row) for row in Hit.objects.values())


def test_the_window_slides(county):
    key = throttle.keyed("addr", "192.0.2.1")
    t0 = timezone.now()
    with override_settings(PORTAL_LIMITS={"letter_addr": (2, 600)}):
        throttle.check("letter_addr", key, now=t0)
        throttle.check("letter_addr", key, now=t0 + dt.timedelta(seconds=300))
        with pytest.raises(throttle.Throttled) as exc:
            throttle.check("letter_addr", key, now=t0 + dt.timedelta(seconds=400))
        assert 199 <= exc.value.retry_after <= 201
        throttle.check("letter_addr", key, now=t0 + dt.timedelta(seconds=601))  # the first one left the window
        with pytest.raises(throttle.Throttled):
            throttle.check("letter_addr", key, now=t0 + dt.timedelta(seconds=602))
    assert Hit.objects.filter(at__lt=t0 + dt.timedelta(seconds=1)).count() == 0  # old rows cleaned


@override_settings(PORTAL_LIMITS={"track_miss": (5, 3600)})
def test_guessing_codes_is_rate_limited(client, county, send):
    _r, code = send()
    guesser = "203.0.113.66"
    for i in range(5):
        wrong = {"code": f"ABCD-EFGH-JKMN-PQR{i + 2}"}
        assert client.post("/portal/track/", wrong, REMOTE_ADDR=guesser).status_code == 404
    refused = client.post("/portal/track/", {"code": "ABCD-EFGH-JKMN-PQRS"}, REMOTE_ADDR=guesser)
    assert refused.status_code == 429 and "查询过于频繁" in refused.content.decode()
    # even the right code is refused to the guesser now, on the page and the API
    assert client.post("/portal/track/", {"code": code}, REMOTE_ADDR=guesser).status_code == 429
    assert track(client, code, REMOTE_ADDR=guesser).status_code == 429
    assert client.post("/api/v1/portal/track", {"code": code}, content_type="application/json",
                       REMOTE_ADDR=guesser).status_code == 429
    # while the resident, elsewhere, follows their letter
    assert client.post("/portal/track/", {"code": code}, REMOTE_ADDR="198.51.100.9").status_code == 200


@override_settings(PORTAL_LIMITS={"track_addr": (4, 600)})
def test_lookups_per_address_are_limited(client, county, send):
    _r, code = send()
    for _ in range(4):
        assert client.post("/portal/track/", {"code": code}, REMOTE_ADDR="203.0.113.70").status_code == 200
    assert client.post("/portal/track/", {"code": code}, REMOTE_ADDR="203.0.113.70").status_code == 429


@override_settings(PORTAL_LIMITS={"track_code": (3, 3600)})
def test_lookups_of_one_code_are_limited_from_anywhere(client, county, send):
    _r, code = send()
    for i in range(3):
        assert track(client, code, REMOTE_ADDR=f"198.51.100.{i + 1}").status_code == 200
    response = track(client, code, REMOTE_ADDR="198.51.100.99")
    assert response.status_code == 429 and response.json()["retry_after"] > 0


def test_the_client_address_behind_a_trusted_proxy(rf):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.5")
    assert throttle.client_address(request) == "10.0.0.1"  # no proxy trusted: the header is ignored
    with override_settings(PORTAL_TRUSTED_PROXIES=1):
        assert throttle.client_address(request) == "203.0.113.5"  # the address our proxy saw, not the forged one
    assert throttle.client_address(rf.get("/", REMOTE_ADDR="::ffff:192.0.2.9")) == "192.0.2.9"


def test_jpeg_metadata_is_stripped():
    data = jpeg(b"device: phone of a whistle-blower")
    clean = photos.strip_metadata(data)
    assert b"Exif" not in clean and b"whistle" not in clean and b"JFIF" in clean
    assert clean.startswith(b"\xff\xd8") and clean.endswith(b"\xff\xd9")
    assert clean == data[:2] + data[len(data) - len(clean) + 2:]  # only the Exif segment went
    assert photos.strip_metadata(clean) == clean


def test_png_text_chunks_are_stripped():
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = (photos.PNG_MAGIC + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
           + chunk(b"tEXt", b"Author\x00Wang") + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))
    clean = photos.strip_metadata(png)
    assert b"Wang" not in clean and b"IDAT" in clean and clean.endswith(chunk(b"IEND", b""))


def test_a_truncated_jpeg_is_refused():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        photos.strip_metadata(b"\xff\xd8\xff\xe1\x00\x40Exif")
