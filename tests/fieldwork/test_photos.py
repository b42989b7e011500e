"""Photos in the phone's records (POST /api/v1/sync): stored once, without EXIF, on the visit and as
整改前 on the case it raised; a bad photo rejects its record and stores nothing."""

import base64
import io

import pytest
from PIL import Image

from minqing.appeals.models import Appeal, Attachment
from minqing.fieldwork.models import Visit, VisitPhoto

from .conftest import cid
from .test_sync import post, visit_record

pytestmark = pytest.mark.django_db


def jpeg_with_gps() -> bytes:
    """A JPEG carrying EXIF with a GPS position and a camera name, as a phone writes it."""
    image = Image.new("RGB", (64, 48), (200, 80, 40))
    exif = Image.Exif()
    exif[0x0110] = "Phone X"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (31.0, 21.0, 12.0), "E", (107.0, 43.0, 30.0)
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    data = buf.getvalue()
    assert b"Exif" in data and Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    return data


def photo(data: bytes | None = None, name: str = "IMG_0001.jpg") -> dict:
    return {"client_id": cid(), "name": name, "data": base64.b64encode(data or jpeg_with_gps()).decode()}


def _no_exif(stored) -> None:
    with stored.file.open("rb") as f:
        data = f.read()
    assert b"Exif" not in data and b"Phone X" not in data
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (64, 48)
        assert not image.getexif()


def test_a_visit_photo_arrives_once_without_exif_and_is_the_case_before_photo(county, login):
    c = login(county.cadre_a)
    record = visit_record(county.a1, photos=[photo()])
    first = post(c, [record]).json()["results"][0]
    assert first["status"] == "applied"
    again = post(c, [record]).json()["results"][0]  # the answer was lost: the phone sends it again
    assert again["status"] == "duplicate" and again["id"] == first["id"]

    visit = Visit.objects.get()
    shot = VisitPhoto.objects.get()
    assert shot.visit_id == visit.pk and shot.region_id == visit.region_id and shot.uploaded_by == county.cadre_a
    _no_exif(shot)
    appeal = Appeal.objects.get()
    before = Attachment.objects.get()
    assert before.appeal_id == appeal.pk and before.phase == "before" and before.content_type == "image/jpeg"
    assert before.sha256 == shot.sha256
    _no_exif(before)


def test_a_visit_without_a_problem_keeps_its_photos_on_the_visit_only(county, login):
    c = login(county.cadre_a)
    result = post(c, [visit_record(county.a1, appeals=[], photos=[photo(), photo(name="门前.jpg")])]).json()
    assert result["results"][0]["status"] == "applied"
    assert sorted(VisitPhoto.objects.values_list("name", flat=True)) == ["IMG_0001.jpg", "门前.jpg"]
    assert Attachment.objects.count() == 0 and Appeal.objects.count() == 0


def test_an_appeal_record_carries_before_photos(county, login):
    c = login(county.cadre_a)
    record = {"client_id": cid(), "type": "appeal", "id": None,
              "data": {"region": county.village_a.code, "title": "路灯坏了", "text": "村口路灯坏了",
                       "kind": "problem", "photos": [photo(), photo(name="second.jpg")]}}
    result = post(c, [record]).json()["results"][0]
    assert result["status"] == "applied"
    atts = list(Attachment.objects.filter(appeal_id=result["id"]).order_by("id"))
    assert [a.phase for a in atts] == ["before", "before"] and [a.name for a in atts] == ["IMG_0001.jpg", "second.jpg"]
    assert VisitPhoto.objects.count() == 0


@pytest.mark.parametrize("bad, reason", [
    ({"client_id": "x", "name": "a.jpg", "data": "不是base64"}, "内容无效"),
    ({"client_id": "x", "name": "a.jpg", "data": base64.b64encode(b"%PDF-1.4 not a photo").decode()}, "不符"),
    ({"client_id": "x", "name": "a.jpg", "data": base64.b64encode(b"\xff\xd8\xff\xe0garbage").decode()}, "照片"),
    ("just text", "格式无效"),
])
def test_a_bad_photo_rejects_its_record_and_stores_nothing(county, login, bad, reason):
    c = login(county.cadre_a)
    result = post(c, [visit_record(county.a1, photos=[photo(), bad])]).json()["results"][0]
    assert result["status"] == "rejected" and reason in result["reason"]
    assert Visit.objects.count() == 0 and Appeal.objects.count() == 0
    assert VisitPhoto.objects.count() == 0 and Attachment.objects.count() == 0


def test_too_many_photos_are_refused(county, login):
    c = login(county.cadre_a)
    result = post(c, [visit_record(county.a1, photos=[photo() for _ in range(7)])]).json()["results"][0]
    assert result["status"] == "rejected" and "最多附 6 张" in result["reason"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Stored photos go to a temporary folder, never to the repository's var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
