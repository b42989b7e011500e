"""Merging with the two cases side by side and one button; attachments served through their case
only, with image previews; reporters' phones masked and revealed per the rules, once."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minqing.appeals.models import Appeal, Report
from minqing.audit.models import Event

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    """A tiny real PNG: a stored picture must decode."""
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (8, 8), (200, 120, 10)).save(out, "PNG")
    return out.getvalue()


PNG = png_bytes()


def test_merge_shows_both_and_one_button_merges(county, stages, login):
    dup = stages.registered(title="村口路灯不亮", reporter_name="王五")
    keep = stages.registered(title="路灯坏了没人修")
    client = login(county.cadre_a)
    page = client.get(f"/appeals/{dup.pk}/merge/?into={keep.number}").content.decode()
    compare = page[page.index('id="compare"'):]
    assert dup.title in compare and keep.title in compare
    assert page.count('id="merge-button"') == 1
    response = client.post(f"/appeals/{dup.pk}/merge/", {"into": keep.pk, "note": "同一盏灯"})
    assert response.status_code == 302 and response["Location"] == f"/appeals/{keep.pk}/"
    dup.refresh_from_db()
    assert dup.status == "merged" and dup.merged_into_id == keep.pk
    assert Report.objects.filter(appeal=keep).count() == 2
    detail = client.get(f"/appeals/{keep.pk}/").content.decode()
    assert "王五" in detail and dup.number in detail


def test_merge_refuses_a_target_outside_the_jurisdiction(county, stages, login):
    dup = stages.registered()
    b = stages.registered(region=county.village_b.code, actor=county.cadre_b)
    client = login(county.cadre_a)
    response = client.post(f"/appeals/{dup.pk}/merge/", {"into": b.pk})
    assert response.status_code == 422
    assert "合并目标不存在或不在您的管辖范围内" in response.content.decode()
    assert Appeal.objects.get(pk=dup.pk).status == "registered"


def test_merge_into_itself_is_refused(county, stages, login):
    dup = stages.registered()
    text = login(county.cadre_a).post(f"/appeals/{dup.pk}/merge/", {"into": dup.pk}).content.decode()
    assert "不能合并到诉求本身" in text


def test_attachments_are_served_only_through_their_case(county, stages, login):
    appeal = stages.assigned()
    client = login(county.dept_handler)
    response = client.post(f"/appeals/{appeal.pk}/attachments/",
                           {"file": SimpleUploadedFile("路面.png", PNG, content_type="image/png")})
    assert response.status_code == 302
    att = appeal.attachments.get()
    url = f"/appeals/{appeal.pk}/attachments/{att.pk}/"
    detail = login(county.cadre_a).get(f"/appeals/{appeal.pk}/").content.decode()
    assert f'<img src="{url}"' in detail  # an inline preview
    served = login(county.cadre_a).get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == PNG
    assert "inline" in served["Content-Disposition"]
    assert login(county.cadre_b).get(url).status_code == 404
    other = stages.registered()
    assert login(county.cadre_a).get(f"/appeals/{other.pk}/attachments/{att.pk}/").status_code == 404
    assert login(county.cadre_a).get(f"/media/{att.file.name}").status_code == 404  # no public media URL


def test_a_document_is_a_download_link(county, stages, login):
    appeal = stages.assigned()
    pdf = SimpleUploadedFile("验收单.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    login(county.dept_handler).post(f"/appeals/{appeal.pk}/attachments/", {"file": pdf})
    att = appeal.attachments.get()
    detail = login(county.cadre_a).get(f"/appeals/{appeal.pk}/").content.decode()
    assert "验收单.pdf" in detail and f'<img src="/appeals/{appeal.pk}/attachments/{att.pk}/"' not in detail


def test_a_wrong_file_is_refused_in_chinese(county, stages, login):
    appeal = stages.assigned()
    exe = SimpleUploadedFile("病毒.exe", b"MZ....", content_type="application/octet-stream")
    response = login(county.dept_handler).post(f"/appeals/{appeal.pk}/attachments/", {"file": exe}, follow=True)
    assert "类型不支持" in response.content.decode()
    assert not appeal.attachments.exists()


def test_reporters_phones_are_masked_and_revealed_once_to_those_allowed(county, stages, login):
    appeal = stages.assigned()
    phone = "13812345678"
    handler = login(county.dept_handler)
    page = handler.get(f"/appeals/{appeal.pk}/").content.decode()
    assert "138****5678" in page and phone not in page
    report = appeal.reports.get()
    response = handler.post(f"/appeals/{appeal.pk}/reports/{report.pk}/reveal/")
    assert response.status_code == 302 and phone not in response["Location"]
    assert phone in handler.get(f"/appeals/{appeal.pk}/").content.decode()
    assert phone not in handler.get(f"/appeals/{appeal.pk}/").content.decode()  # once
    assert Event.objects.filter(action="appeal.phone_revealed", actor=county.dept_handler).count() == 1


def test_a_cadre_who_may_not_reveal_gets_a_chinese_refusal(county, stages, login):
    appeal = stages.assigned()
    report = appeal.reports.get()
    client = login(county.civil_staff)  # sees the village, is not the handler nor a leader
    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert f"/reports/{report.pk}/reveal/" not in page
    response = client.post(f"/appeals/{appeal.pk}/reports/{report.pk}/reveal/", follow=True)
    assert "无权查看反映人完整电话" in response.content.decode()
    assert "13812345678" not in response.content.decode()
