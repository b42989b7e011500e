"""A portal letter's acceptance SMS (issue 17): queued with the letter, in its transaction; the tracking
code in it only when the writer ticked "send me the code by SMS"; nothing for an anonymous letter."""

from __future__ import annotations

import pytest

from minqing.notices import services as notices
from minqing.notices.models import Notice
from minqing.portal import codes


@pytest.fixture(autouse=True)
def _sms(settings, county):
    settings.MINQING_NOTICES_DELIVERY = "manual"  # queued only; delivery is the outbox's own tests
    notices.add_endpoint(actor=None, kind="sms", region_code=county.county.code, provider="log")


def test_the_code_goes_by_sms_only_when_asked(send, letter_of):
    response, code = send(sms_code="1")
    assert response.status_code == 302 and code
    letter = letter_of(code)
    sms = Notice.objects.get(kind="resident_accepted", appeal=letter.appeal)
    assert sms.channel == "sms" and sms.address_masked == "137****1111"
    assert codes.display(codes.normalize(code)) in sms.body and sms.params["code"] == sms.params["code"].strip()
    assert codes.normalize(sms.params["code"]) == codes.normalize(code) and letter.appeal.number in sms.body


def test_without_asking_the_sms_has_no_code(send, letter_of):
    response, code = send()
    letter = letter_of(code)
    sms = Notice.objects.get(kind="resident_accepted", appeal=letter.appeal)
    assert "code" not in sms.params and "查询码" not in sms.body and letter.appeal.number in sms.body
    assert codes.normalize(code) not in sms.body.replace("-", "")
    assert Notice.objects.filter(kind="resident_accepted").count() == 1  # the hook sends none of its own


def test_an_anonymous_letter_gets_no_sms(send, letter_of):
    response, code = send(sign="anonymous", name="", phone="", sms_code="1")
    assert response.status_code == 302
    assert not Notice.objects.filter(appeal=letter_of(code).appeal, channel="sms").exists()


def test_the_api_takes_the_choice_too(client, county):
    from .conftest import letter_data, token

    data = {k: v for k, v in letter_data(county).items() if k not in ("county", "township", "village", "sign")}
    data.update(region=county.village_a.code, token=token(), sms_code=True)
    got = client.post("/api/v1/portal/letters", data, content_type="application/json", REMOTE_ADDR="10.7.7.7")
    assert got.status_code == 201, got.content
    sms = Notice.objects.get(kind="resident_accepted")
    assert codes.normalize(sms.params["code"]) == codes.normalize(got.json()["code"])
