"""Uploads and personal data: photos stored without EXIF (GPS), size counted while streaming,
disguised files refused, revealed values never stored, tracking codes never in a URL path, and
the category model file signed and version-checked."""

from __future__ import annotations

import datetime as dt
import json
import pickle
from io import BytesIO

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver
from PIL import Image

from minqing.appeals import services
from minqing.appeals.models import Attachment
from minqing.lib.uploads import read_limited
from minqing.nlp import modelfile
from tests.conftest import ID_A, PHONE_A

GPS = 0x8825


def _photo_with_gps(fmt: str = "JPEG") -> bytes:
    image = Image.new("RGB", (32, 24), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:11:30 08:00:00"  # DateTime
    exif.get_ifd(GPS).update({1: "N", 2: (31.0, 21.0, 0.0), 3: "E", 4: (107.0, 43.0, 0.0)})
    out = BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def appeal(county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return services.register_appeal(actor=county.cadre_a, region=county.village_a.code, kind="problem",
                                    channel="visit", title="路灯坏了", text="三组路灯坏了", reporter_name="张三",
                                    phone="13812345678", now=dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC))


@pytest.mark.parametrize(("fmt", "name"), [("JPEG", "site.jpg"), ("PNG", "site.png")])
def test_a_stored_photo_has_no_exif(county, login, appeal, fmt, name):
    data = _photo_with_gps(fmt)
    assert Image.open(BytesIO(data)).getexif().get_ifd(GPS)  # the fixture really carries GPS
    client = login(county.cadre_a)
    client.post(f"/appeals/{appeal.pk}/attachments/", {"file": SimpleUploadedFile(name, data)})
    att = Attachment.objects.get()
    stored = att.file.open("rb").read()
    image = Image.open(BytesIO(stored))
    assert not image.getexif() and not image.getexif().get_ifd(GPS)
    assert b"PhoneMaker" not in stored and image.size == (32, 24)


def test_a_dispute_agreement_photo_loses_its_exif_too(county, appeal):
    upload = SimpleUploadedFile("agreement.jpg", _photo_with_gps())
    att = services.add_attachment(appeal, actor=county.cadre_a, upload=upload)
    assert not Image.open(att.file.open("rb")).getexif()


def test_a_file_disguised_as_a_photo_is_refused(county, appeal):
    fake = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0" + b"not an image" * 100)
    with pytest.raises(ValidationError, match="不是有效的图片|已损坏"):
        services.add_attachment(appeal, actor=county.cadre_a, upload=fake)
    pdf_as_jpg = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 ...")
    with pytest.raises(ValidationError, match="不符"):
        services.add_attachment(appeal, actor=county.cadre_a, upload=pdf_as_jpg)
    assert not Attachment.objects.exists()


class EndlessUpload:
    """An upload that never ends and does not say its size: only streaming can refuse it."""

    name = "big.pdf"
    size = None

    def __init__(self):
        self.served = 0

    def chunks(self, chunk_size=65536):
        while True:
            self.served += 1
            yield b"%PDF-" + b"x" * (chunk_size - 5)


def test_size_is_checked_while_streaming(county, appeal):
    upload = EndlessUpload()
    with pytest.raises(ValidationError, match="超过10MB"):
        services.add_attachment(appeal, actor=county.cadre_a, upload=upload)
    assert upload.served == 10 * 16 + 1  # stopped at the first chunk past 10 MB
    declared = SimpleUploadedFile("a.pdf", b"%PDF-")
    declared.size = 11 * 1024 * 1024
    with pytest.raises(ValidationError, match="超过10MB"):
        read_limited(declared, 10 * 1024 * 1024)


def _sessions_text() -> str:
    return json.dumps([s.get_decoded() for s in Session.objects.all()], ensure_ascii=False)


def test_a_revealed_id_number_is_never_stored_in_the_session(county, login):
    client = login(county.cadre_a)
    resident = county.residents["a1"]
    response = client.post(f"/residents/{resident.pk}/reveal/", {"field": "id_number", "reason": "核实低保"})
    assert response.status_code == 302
    assert ID_A not in _sessions_text()
    page = client.get(response["Location"]).content.decode()
    assert ID_A in page  # shown once
    assert ID_A not in client.get(response["Location"]).content.decode()
    client.post(f"/residents/{resident.pk}/reveal/", {"field": "phone", "reason": "回访"})
    assert PHONE_A not in _sessions_text()


def test_no_tracking_code_in_a_url_path(client):
    schema = client.get("/api/v1/openapi.json").json()["paths"]
    assert not [p for p in schema if "/portal/" in p and "{code" in p]
    patterns = [str(p.pattern) for p in get_resolver().url_patterns]
    assert not [p for p in patterns if "portal" in p and "<" in p]
    # the old routes are gone
    assert client.get("/api/v1/portal/track/MQDM-XHXY-2345-6789").status_code in (404, 405)


def test_the_model_file_is_signed_and_version_checked(tmp_path, monkeypatch):
    path = tmp_path / "m.pkl"
    modelfile.dump({"classes": ["a"]}, path, b"k1")
    assert modelfile.load(path, b"k1") == {"classes": ["a"]}
    with pytest.raises(modelfile.ModelFileError, match="签名"):
        modelfile.load(path, b"another key")
    data = bytearray(path.read_bytes())
    data[-3] ^= 1
    path.write_bytes(bytes(data))
    with pytest.raises(modelfile.ModelFileError, match="签名"):
        modelfile.load(path, b"k1")

    class Boom:
        def __reduce__(self):
            return (print, ("pwned",))

    path.write_bytes(pickle.dumps(Boom()))  # an unsigned pickle never reaches pickle.loads
    with pytest.raises(modelfile.ModelFileError, match="没有签名"):
        modelfile.load(path, b"k1")
    modelfile.dump([1], path, b"k1")
    monkeypatch.setattr(modelfile.sklearn, "__version__", "0.0.1")
    with pytest.raises(modelfile.ModelFileError, match="版本不符"):
        modelfile.load(path, b"k1")


def test_a_new_tracking_code_waits_encrypted_in_the_session(client, county):
    from tests.portal.conftest import letter_data

    response = client.post("/portal/", letter_data(county), REMOTE_ADDR="198.51.100.77")
    assert response.status_code == 302
    stored = _sessions_text()
    page = client.get(response["Location"]).content.decode()
    code = page.split('id="pl-code"')[1].split(">")[1].split("<")[0]
    assert len(code) >= 10 and code not in stored and code.replace("-", "") not in stored
