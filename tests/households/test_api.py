"""/api/v1/households: the same changes as the pages, the same rules (jurisdiction, Chinese 422s with
nothing changed), the import as a job and the printed file."""

from __future__ import annotations

import pytest

from minqing.audit.models import Event
from minqing.households.imports.sample import write_csv
from minqing.households.models import Household, Resident
from minqing.jobs.models import Job

pytestmark = pytest.mark.django_db
URL = "/api/v1/households"


def test_create_edit_move_split_merge_and_status_through_the_api(county, client, bearer):
    auth = bearer(county.township_leader)
    r = client.post(URL, {"region_id": county.village_a.code, "number": "0700", "head_name": "接口户",
                          "address": "甲村", "group": 1, "tags": ["tuopin"]}, content_type="application/json",
                    headers=auth)
    assert r.status_code == 201, r.content
    hid = r.json()["id"]
    r = client.post(f"{URL}/{hid}/residents", {"name": "接口户", "relation": "head", "id_number": "12"},
                    content_type="application/json", headers=auth)
    assert r.status_code == 422 and "18位" in r.json()["detail"]
    r = client.post(f"{URL}/{hid}/residents", {"name": "接口户", "relation": "head"},
                    content_type="application/json", headers=auth)
    head = r.json()["id"]
    r = client.post(f"{URL}/{hid}/residents", {"name": "接口子", "relation": "child"},
                    content_type="application/json", headers=auth)
    child = r.json()["id"]
    r = client.patch(f"{URL}/{hid}", {"address": "甲村二组", "base_version": 1}, content_type="application/json",
                     headers=auth)
    assert r.status_code == 200 and r.json()["version"] == 2
    r = client.patch(f"{URL}/{hid}", {"address": "旧版本", "base_version": 1}, content_type="application/json",
                     headers=auth)
    assert r.status_code == 422 and "已被他人修改" in r.json()["detail"]
    r = client.post(f"{URL}/{hid}/split", {"resident_ids": [child], "head_id": child, "number": "0701"},
                    content_type="application/json", headers=auth)
    assert r.status_code == 201
    new = r.json()["id"]
    r = client.post(f"{URL}/{new}/move", {"region_id": county.village_b.code}, content_type="application/json",
                    headers=auth)
    assert r.status_code == 200 and r.json()["region_id"] == county.village_b.code
    assert Resident.objects.get(pk=child).region_id == county.village_b.code
    r = client.post(f"{URL}/{hid}/merge", {"source_id": new, "reason": "合户"}, content_type="application/json",
                    headers=auth)
    assert r.status_code == 200 and Household.objects.get(pk=new).deleted_at is not None
    r = client.post(f"{URL}/residents/{head}/status", {"status": "deceased", "on": "2026-03-01", "reason": "死亡证明"},
                    content_type="application/json", headers=auth)
    assert r.status_code == 200 and r.json()["status"] == "deceased"
    r = client.get(f"{URL}/{hid}/print?format=docx", headers=auth)
    assert r.status_code == 200 and b"".join(r.streaming_content)[:2] == b"PK"
    actions = list(Event.objects.filter(actor=county.township_leader).values_list("action", flat=True))
    assert {"household.created", "household.split", "household.moved", "household.merged", "resident.status"} <= set(
        actions)


def test_a_village_cadre_cannot_reach_another_village(county, client, bearer):
    auth = bearer(county.cadre_a)
    b1 = county.households["b1"]
    assert client.patch(f"{URL}/{b1.pk}", {"address": "x"}, content_type="application/json",
                        headers=auth).status_code == 404
    r = client.post(URL, {"region_id": county.village_b.code, "number": "1", "head_name": "x", "address": "x"},
                    content_type="application/json", headers=auth)
    assert r.status_code == 403 and not Household.objects.filter(number="1").exists()


def test_the_import_is_a_job(county, client, bearer, tmp_path):
    path = write_csv(tmp_path / "api.csv", 20, [("甲镇", "乙村")])
    with path.open("rb") as f:
        r = client.post(f"{URL}/import", {"region": county.town.code, "file": f},
                        headers=bearer(county.township_leader))
    assert r.status_code == 202, r.content
    job = Job.objects.get(pk=r.json()["id"])
    assert job.status == "done" and Resident.objects.filter(region_id=county.village_b.code).count() == 2 + 20
