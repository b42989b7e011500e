"""Following a letter by its code: public stages with dates, the reply once done, nothing personal
(no reporter, phone, handler or staff name — on the page and in the JSON); the code is the only key;
the resident rates once, and the rating is the appeal's return visit while one is due."""

from __future__ import annotations

import json

import pytest

from minqing.appeals import services as appeals
from minqing.appeals.models import ReturnVisit
from minqing.portal import figures
from minqing.portal.models import Rating
from tests.portal.conftest import track

pytestmark = pytest.mark.django_db

SECRETS = ("王小明", "13700001111", "137****1111", "13800009999")


def _staff_names(county):
    return [county.cadre_a.display_name, county.township_leader.display_name, county.cadre_a.username]


def _page(client, code, addr):
    return client.post("/portal/track/", {"code": code}, REMOTE_ADDR=addr())


def _assert_nothing_personal(county, text):
    for secret in (*SECRETS, *_staff_names(county), "甲村村委会"):
        assert secret not in text, secret


def test_a_new_letter_shows_received(client, county, send, addr):
    _r, code = send()
    response = _page(client, code, addr)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert "当前状态" in text and "已收到" in text and "来信已收到" in text
    assert "反映问题" in text and "甲村" in text
    assert '<li class="done now" aria-current="step">' in text
    _assert_nothing_personal(county, text)


def test_the_code_is_read_loosely(client, county, send, addr):
    _r, code = send()
    for variant in (code.lower(), code.replace("-", " "), code.replace("-", ""), f"  {code}  "):
        assert _page(client, variant, addr).status_code == 200


def test_stages_follow_the_appeal_and_nothing_personal_shows(client, county, send, addr, letter_of, staff):
    _r, code = send()
    appeal = staff.assign(letter_of(code).appeal)
    text = _page(client, code, addr).content.decode()
    assert "办理中" in text and "已交承办单位限期办理" in text and "办理期限" in text
    _assert_nothing_personal(county, text)

    appeal = staff.verify(staff.submit(appeal))
    response = _page(client, code, addr)
    text = response.content.decode()
    assert "已办结" in text and "已更换三盏路灯" in text  # the reply
    assert "**反映的问题已解决" in text and "138****9999" not in text and "***。" in text
    assert "您对办理结果满意吗" in text
    _assert_nothing_personal(county, text)

    data = track(client, code, REMOTE_ADDR=addr()).json()
    assert data["stage"] == "done" and data["can_rate"] is True
    assert [s["key"] for s in data["stages"] if s["done"]] == ["received", "handling", "done"]
    assert all(s["at"] for s in data["stages"] if s["done"])
    blob = json.dumps(data, ensure_ascii=False)
    _assert_nothing_personal(county, blob)
    assert str(appeal.pk) not in {str(v) for v in data.values()} and appeal.number not in blob


def test_internal_actions_do_not_show(client, county, send, addr, letter_of, staff):
    _r, code = send()
    appeal = staff.assign(letter_of(code).appeal)
    appeal = appeals.do_remind(appeal, actor=county.township_leader, note="抓紧办理，王小明很着急", now=staff._now())
    appeal = appeals.do_flag_accountability(appeal, actor=county.township_leader, reason="拖延", now=staff._now())
    text = _page(client, code, addr).content.decode()
    assert "抓紧" not in text and "拖延" not in text and "催办" not in text and "问责" not in text


def test_only_a_code_opens_a_letter(client, county, send, addr, letter_of):
    _r, code = send()
    letter = letter_of(code)
    for guess in (str(letter.pk), str(letter.appeal.pk), letter.appeal.number, letter.code_hash, "A" * 16,
                  code[:-1] + ("2" if code[-1] != "2" else "3")):
        assert _page(client, guess, addr).status_code == 404
        assert track(client, guess, REMOTE_ADDR=addr()).status_code == 404


def test_the_rating_is_the_return_visit_and_is_given_once(client, county, send, addr, letter_of, staff):
    _r, code = send()
    staff.to_return_visit(letter_of(code).appeal)
    response = client.post("/portal/track/rate/", {"code": code, "satisfaction": "basically_satisfied",
                                                   "comment": "修得挺快，我的电话13700001111"}, REMOTE_ADDR=addr())
    assert response.status_code == 200
    text = response.content.decode()
    assert "感谢您的评价" in text and "基本满意" in text and "已回访" in text
    letter = letter_of(code)
    letter.appeal.refresh_from_db()
    assert letter.appeal.status == "awaiting_closure" and letter.appeal.satisfaction == "basically_satisfied"
    visit = ReturnVisit.objects.get(appeal=letter.appeal)
    assert visit.satisfaction == "basically_satisfied" and visit.by is None and "13700001111" not in visit.note
    rating = Rating.objects.get(letter=letter)
    assert rating.counted and "13700001111" not in rating.comment
    again = client.post("/portal/track/rate/", {"code": code, "satisfaction": "unsatisfied"}, REMOTE_ADDR=addr())
    assert again.status_code == 400 and "已经评价过" in again.content.decode()
    api = client.post("/api/v1/portal/track/rating", {"code": code, "satisfaction": "unsatisfied"},
                      content_type="application/json", REMOTE_ADDR=addr())
    assert api.status_code == 422 and "已经评价过" in api.json()["detail"]
    assert Rating.objects.count() == 1 and ReturnVisit.objects.count() == 1
    # the staff then close it: the page shows 已办结 and 已回访, and the rating
    appeals.do_close(letter.appeal, actor=county.cadre_a, outcome="solved", now=staff._now())
    text = _page(client, code, addr).content.decode()
    assert "已解决" in text and "您的评价" in text and "您对办理结果满意吗" not in text


def test_an_unsatisfied_rating_reopens_the_case(client, county, send, addr, letter_of, staff):
    _r, code = send()
    staff.to_return_visit(letter_of(code).appeal)
    response = client.post("/api/v1/portal/track/rating",
                           {"code": code, "satisfaction": "unsatisfied", "comment": "没修好"},
                           content_type="application/json", REMOTE_ADDR=addr())
    assert response.status_code == 200
    data = response.json()
    assert data["stage"] == "handling" and data["can_rate"] is False and data["rating"] == "不满意"
    assert any(t["text"] == "回访不满意，重新办理" for t in data["timeline"])
    appeal = letter_of(code).appeal
    appeal.refresh_from_db()
    assert appeal.status == "in_progress" and appeal.reopen_count == 1


def test_a_rating_after_closure_is_kept_apart_for_the_figures(client, county, send, addr, letter_of, staff):
    import datetime as dt

    _r, code = send(sign="anonymous")
    staff.solve(letter_of(code).appeal)
    assert ReturnVisit.objects.count() == 1  # the staff's visit
    response = client.post("/api/v1/portal/track/rating", {"code": code, "satisfaction": "satisfied"},
                           content_type="application/json", REMOTE_ADDR=addr())
    assert response.status_code == 200 and response.json()["stage"] == "visited"
    rating = Rating.objects.get()
    assert not rating.counted and ReturnVisit.objects.count() == 1
    today = dt.date.today()
    span = (today - dt.timedelta(days=2), today + dt.timedelta(days=2))
    assert figures.rating_counts(county.county.code, *span) == {"satisfied": 1, "basic": 0, "unsatisfied": 0}
    assert figures.rating_counts(county.village_b.code, *span)["satisfied"] == 0
    assert figures.rating_counts(county.county.code, *span, user=county.cadre_b)["satisfied"] == 0
    assert figures.letters_received(county.town.code, *span) == 1


def test_no_rating_before_the_case_is_done(client, county, send, addr):
    _r, code = send()
    response = client.post("/api/v1/portal/track/rating", {"code": code, "satisfaction": "satisfied"},
                           content_type="application/json", REMOTE_ADDR=addr())
    assert response.status_code == 422 and "办结后才能评价" in response.json()["detail"]
    bad = client.post("/api/v1/portal/track/rating", {"code": code, "satisfaction": "great"},
                      content_type="application/json", REMOTE_ADDR=addr())
    assert bad.status_code == 422
    assert not Rating.objects.exists()


def test_a_misconduct_report_shows_nothing_identifying(client, county, send, addr, letter_of, staff):
    _r, code = send(kind="misconduct", title="举报村支书", text="村支书张某某在低保评定中优亲厚友，请纪委调查。")
    appeal = letter_of(code).appeal
    appeal = appeals.do_review(appeal, actor=county.inspector, decision="explain",
                               text="经查，王小明反映的村支书张某某问题部分属实，已给予张某某党内警告处分。",
                               now=staff._now())
    text = _page(client, code, addr).content.decode()
    assert "纪检监察机关" in text and "已办结" in text
    for secret in ("张某某", "警告", "王小明", "13700001111", county.inspector.display_name):
        assert secret not in text
    data = track(client, code, REMOTE_ADDR=addr()).json()
    blob = json.dumps(data, ensure_ascii=False)
    assert "张某某" not in blob and "王小明" not in blob and data["reply"].startswith("您的举报已由纪检监察机关")


def test_a_merged_letter_follows_its_target(client, county, send, addr, letter_of, staff):
    _r, code1 = send()
    _r, code2 = send(title="路灯又坏了")
    first, second = letter_of(code1).appeal, letter_of(code2).appeal
    appeals.merge(second, first, actor=county.cadre_a, now=staff._now())
    staff.verify(staff.submit(staff.assign(first)))
    data = track(client, code2, REMOTE_ADDR=addr()).json()
    assert data["stage"] == "done" and "已更换三盏路灯" in data["reply"]
    assert any("合并" in t["text"] for t in data["timeline"])
    assert "王小明" not in json.dumps(data, ensure_ascii=False)
