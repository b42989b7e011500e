"""A letter through the public page becomes an appeal (channel 书记信箱) at the chosen place, with
the reporter's data encrypted and masked, or none at all when anonymous; the code is shown once."""

from __future__ import annotations

import pytest

from minqing.appeals.models import Appeal, Attachment, Report
from minqing.audit.models import Event
from minqing.households import crypto
from minqing.portal import codes
from minqing.portal.models import Letter

from .conftest import jpeg

pytestmark = pytest.mark.django_db


def test_the_page_is_public_and_chinese(client, county):
    response = client.get("/portal/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "我给书记写封信" in text and 'lang="zh-hans"' in text
    assert 'name="website"' in text and 'name="token"' in text  # honeypot and signed start time
    assert "宣汉县" in text and "甲镇" in text  # the only county served is preselected


def test_a_letter_becomes_an_appeal_at_the_village(client, county, send, letter_of):
    response, code = send()
    assert response.status_code == 302 and response["Location"] == "/portal/sent/"
    assert code and codes.normalize(code)
    letter = letter_of(code)
    appeal = letter.appeal
    assert (appeal.region_id, appeal.kind, appeal.channel, appeal.level) == (
        county.village_a.code, "problem", "mailbox", "village")
    assert appeal.title == "村口路灯坏了" and appeal.status == "registered" and appeal.sensitivity == "normal"
    assert appeal.registered_by is None and not appeal.anonymous
    report = Report.objects.get(appeal=appeal)
    assert report.reporter_name == "王小明" and report.channel == "mailbox"
    assert report.phone_masked == "137****1111" and crypto.decrypt(report.phone_enc) == "13700001111"
    assert letter.code_hash != codes.normalize(code) and len(letter.code_hash) == 64
    # the code is in no column and no audit event; the phone in no audit event
    for row in list(Letter.objects.values()) + list(Event.objects.values()):
        assert codes.normalize(code) not in repr(row) and "13700001111" not in repr(row)
    assert Event.objects.filter(action="portal.letter_received", object_id=str(letter.pk)).exists()


def test_the_code_is_shown_only_once(client, county, addr):
    from .conftest import letter_data

    response = client.post("/portal/", letter_data(county), REMOTE_ADDR=addr())
    first = client.get(response["Location"])
    assert first.status_code == 200 and 'id="pl-code"' in first.content.decode()
    assert "no-store" in first["Cache-Control"]
    again = client.get("/portal/sent/").content.decode()
    assert 'id="pl-code"' not in again and "显示一次" in again


@pytest.mark.parametrize(("keys", "place", "level"), [
    (("county", "township"), "town", "township"),
    (("county",), "county", "county"),
])
def test_a_letter_can_go_to_the_township_or_the_county(county, send, letter_of, keys, place, level):
    blank = {k: "" for k in ("county", "township", "village") if k not in keys}
    _response, code = send(**blank)
    appeal = letter_of(code).appeal
    assert appeal.region_id == getattr(county, place).code and appeal.level == level


def test_an_anonymous_letter_stores_no_reporter(county, send, letter_of):
    _response, code = send(sign="anonymous")
    appeal = letter_of(code).appeal
    report = Report.objects.get(appeal=appeal)
    assert appeal.anonymous and report.anonymous
    assert report.reporter_name == "" and report.phone_enc == ""
    assert report.phone_hash == "" and report.phone_masked == ""
    assert "王小明" not in repr(list(Event.objects.values()))


@pytest.mark.parametrize(("phone", "ok"), [("13700001111", True), ("+86 137 0000 1111", True), ("0818-5222333", True),
                                           ("12345", False), ("23700001111", False), ("", False)])
def test_a_signed_letter_needs_a_valid_phone(county, send, phone, ok):
    response, _code = send(phone=phone)
    if ok:
        assert response.status_code == 302
    else:
        assert response.status_code == 400
        text = response.content.decode()
        assert "电话号码无效" in text or "联系电话" in text
        assert not Appeal.objects.exists()


def test_missing_fields_are_named_in_chinese_and_the_text_is_kept(county, send):
    response, _code = send(title="", name="", kind="nonsense")
    assert response.status_code == 400
    text = response.content.decode()
    assert "请填写标题" in text and "请填写姓名" in text and "请选择来信类型" in text
    assert "村口到小学的三盏路灯坏了" in text  # what was typed is not lost
    assert not Appeal.objects.exists()


def test_a_place_outside_the_served_counties_is_refused(county, client, addr):
    from minqing.regions.models import Region

    Region.objects.create(code="511723000000", name="别县", level=3, parent=county.city)
    from .conftest import letter_data

    data = letter_data(county, county="", township="", village="", region="511723000000")
    response = client.post("/portal/", data, REMOTE_ADDR=addr())
    assert response.status_code == 400 and not Appeal.objects.exists()
    assert "选择写信对象" in response.content.decode() or "尚未开通" in response.content.decode()


def test_a_category_may_be_chosen(county, send, letter_of):
    from minqing.appeals.categories import seed_categories

    seed_categories()
    _r, code = send(category="S02")
    assert letter_of(code).appeal.category.code == "S02"
    response, _c = send(category="S06.04")  # a dispute class is not offered
    assert response.status_code == 400


def test_the_places_partial_follows_the_county_and_township(client, county):
    text = client.get(f"/portal/places/?county={county.county.code}&township={county.town.code}").content.decode()
    assert "甲村" in text and "乙村" in text and "丙村" not in text
    text = client.get(f"/portal/places/?county={county.county.code}&township={county.town2.code}").content.decode()
    assert "丙村" in text and "甲村" not in text
    text = client.get(f"/portal/places/?county={county.county.code}&township=511799100000").content.decode()
    assert "甲村" not in text  # a township not of this county is dropped


def test_without_javascript_the_choose_button_fills_the_next_select(client, county, addr):
    from .conftest import letter_data

    data = letter_data(county, township=county.town2.code, village="", choose="1")
    response = client.post("/portal/", data, REMOTE_ADDR=addr())
    assert response.status_code == 200 and "丙村" in response.content.decode()
    assert not Appeal.objects.exists()


def test_a_photo_is_checked_and_stored_without_its_location(client, county, addr, letter_of):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import letter_data

    photo = SimpleUploadedFile("IMG_王小明.jpg", jpeg(), content_type="image/jpeg")
    response = client.post("/portal/", {**letter_data(county), "photo": photo}, REMOTE_ADDR=addr())
    assert response.status_code == 302
    code = client.get(response["Location"]).content.decode().split('id="pl-code"')[1].split(">")[1].split("<")[0]
    letter = letter_of(code)
    att = Attachment.objects.get(appeal=letter.appeal)
    assert letter.has_photo and att.content_type == "image/jpeg" and att.name == "photo.jpg"
    stored = att.file.read()
    assert stored.startswith(b"\xff\xd8") and b"GPS" not in stored and b"Exif" not in stored
    assert stored.endswith(b"\xff\xd9")


@pytest.mark.parametrize(("name", "content", "message"), [
    ("a.gif", b"GIF89a....", "jpg或png"),
    ("a.pdf", b"%PDF-1.4", "jpg或png"),
    ("a.jpg", b"\x89PNG\r\n\x1a\n....", "不符"),
    ("a.png", b"MZ\x90\x00 not an image", "不符"),
    ("big.jpg", b"\xff\xd8\xff" + b"0" * (5 * 1024 * 1024), "5MB"),
])
def test_a_bad_photo_is_refused(client, county, addr, name, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .conftest import letter_data

    response = client.post("/portal/", {**letter_data(county), "photo": SimpleUploadedFile(name, content)},
                           REMOTE_ADDR=addr())
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Appeal.objects.exists()


def test_a_misconduct_report_is_for_the_discipline_commission_only(county, send, letter_of, client, bearer):
    from minqing.regions import jurisdiction

    _r, code = send(kind="misconduct", title="村干部优亲厚友",
                    text="低保评定时村干部把名额给了自己的亲戚，群众意见很大。")
    letter = letter_of(code)
    appeal = letter.appeal
    assert appeal.kind == "misconduct" and appeal.sensitivity == "misconduct"
    for user in (county.cadre_a, county.township_leader, county.county_leader, county.mediator_a):
        assert not jurisdiction.visible(user, Appeal).filter(pk=appeal.pk).exists()
        assert not jurisdiction.visible(user, Letter).filter(pk=letter.pk).exists()
        assert client.get(f"/api/v1/appeals/{appeal.pk}", headers=bearer(user)).status_code == 404
    assert jurisdiction.visible(county.inspector, Appeal).filter(pk=appeal.pk).exists()
    assert jurisdiction.visible(county.inspector, Letter).filter(pk=letter.pk).exists()
    assert client.get(f"/api/v1/appeals/{appeal.pk}", headers=bearer(county.inspector)).status_code == 200
    # a person named in it does not see it, even as an inspector
    appeal.reported_users.add(county.inspector)
    assert not jurisdiction.visible(county.inspector, Appeal).filter(pk=appeal.pk).exists()


def test_the_pages_speak_english_on_request(client, county):
    text = client.get("/portal/", headers={"Accept-Language": "en"}).content.decode()
    assert "Write to the Party secretary" in text and "我给书记写封信" not in text
    text = client.get("/portal/track/", headers={"Accept-Language": "en"}).content.decode()
    assert "Follow your letter" in text


def test_the_tracking_form_is_public_and_not_cached(client, county):
    response = client.get("/portal/track/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert 'name="code"' in text and 'method="post"' in text and "查询办理进度" in text
