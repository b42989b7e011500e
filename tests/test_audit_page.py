"""The audit administrator's read-only page over the trail (and the 纪委's, for its place): search by
actor, action code, object and period; export as .xlsx; nobody else reaches it; 举报 content withheld
from those who may not see the case."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from python_calamine import CalamineWorkbook

from minqing.accounts.models import Post, Unit, User
from minqing.appeals import services
from minqing.audit.log import record
from minqing.audit.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(county):
    unit = Unit.objects.create(name="县审计室", kind="department", region=county.county)
    user = User.objects.create(username="auditor", display_name="审计管理员")
    Post.objects.create(user=user, unit=unit, role="auditor", region=county.county, started_on=dt.date(2020, 1, 1))
    return user


def test_the_auditor_searches_by_actor_action_object_and_period(county, auditor, login):
    record("other.county", object_type="x", object_id="1", region_code="510104001001")
    client = login(auditor)
    page = client.get("/audit/")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    text = page.content.decode()
    assert "审计日志" in text and "resident.created" in text and "other.county" not in text
    resident = county.residents["a1"]
    text = client.get("/audit/", {"action": "resident.", "object": f"households.resident:{resident.pk}"}) \
        .content.decode()
    assert f"households.resident:{resident.pk}" in text and "household.created" not in text
    cadre_event = record("household.note", actor=county.cadre_a, obj=county.households["a1"], reason="核对")
    text = client.get("/audit/", {"actor": "cadre_a"}).content.decode()
    assert "household.note" in text and "resident.created" not in text
    today = cadre_event.at.date()
    text = client.get("/audit/", {"from": (today + dt.timedelta(days=2)).isoformat()}).content.decode()
    assert "household.note" not in text
    bad = client.get("/audit/", {"from": "去年"}).content.decode()
    assert "不是日期" in bad


def test_the_export_is_an_xlsx_of_the_filtered_events_and_itself_audited(county, auditor, login):
    client = login(auditor)
    answer = client.get("/audit/export.xlsx", {"action": "resident."})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(answer.content))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][0] == "时间" and len(rows) - 1 == Event.objects.filter(action__startswith="resident.").count()
    assert all(r[4].startswith("resident.") for r in rows[1:]) and all(r[3] and r[3] != r[4] for r in rows[1:])
    assert Event.objects.filter(action="audit.exported", actor=auditor).exists()


@pytest.mark.parametrize("persona", ["cadre_a", "county_leader", "admin", "dept_handler"])
def test_nobody_else_reads_the_trail(county, login, persona):
    client = login(county.users[persona])
    assert client.get("/audit/").status_code == 404
    assert client.get("/audit/export.xlsx").status_code == 404
    assert "/audit/" not in client.get("/").content.decode()


def test_misconduct_content_is_withheld_from_the_auditor_and_shown_to_the_jiwei(county, auditor, login):
    a = services.register_appeal(actor=county.inspector, region=county.village_a.code, kind="misconduct",
                                 channel="visit", title="举报村书记", text="优亲厚友", reporter_name="举报人甲")
    events = Event.objects.filter(object_type="appeals.appeal", object_id=str(a.pk))
    assert events.exists()
    text = login(auditor).get("/audit/", {"object": f"appeals.appeal:{a.pk}"}).content.decode()
    assert "（敏感案件，内容不显示）" in text
    jiwei = login(county.inspector).get("/audit/", {"object": f"appeals.appeal:{a.pk}"})
    assert jiwei.status_code == 200 and "（敏感案件，内容不显示）" not in jiwei.content.decode()


def test_the_jiwei_reads_the_events_of_its_place_only(county, login, make_county):
    record("other.county", object_type="x", object_id="1", region_code="510104001001")
    text = login(county.inspector).get("/audit/").content.decode()
    assert "other.county" not in text and "household.created" in text


def test_the_api_gives_the_same_trail_to_the_same_people(county, auditor, client, bearer):
    answer = client.get("/api/v1/audit/events", {"action": "resident.", "limit": 5}, headers=bearer(auditor))
    assert answer.status_code == 200
    body = answer.json()
    assert body["count"] == Event.objects.filter(action__startswith="resident.").count()
    assert len(body["items"]) == 5 and all(i["action"].startswith("resident.") for i in body["items"])
    assert client.get("/api/v1/audit/events", {"from": "x"}, headers=bearer(auditor)).status_code == 422
    for persona in ("cadre_a", "admin", "county_leader"):
        assert client.get("/api/v1/audit/events", headers=bearer(county.users[persona])).status_code == 404
