"""The 一户一档 pages as a township and a village cadre use them: create, edit, move, split, merge, mark a
member moved away, record a visit, print; the roster import page with its mapping step; nothing
outside one's jurisdiction."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import pytest
from docx import Document

from minqing.audit.models import Event
from minqing.households.imports.sample import id_number, write_csv
from minqing.households.models import Household, Resident
from minqing.households.printing import pdf
from minqing.jobs.models import Job
from tests.conftest import ID_A, PHONE_A

pytestmark = pytest.mark.django_db
NEW_ID = id_number(9, dt.date(1982, 2, 2), True)


def test_a_cadre_creates_edits_and_adds_a_member(county, login):
    client = login(county.cadre_a)
    page = client.get("/households/new/")
    assert page.status_code == 200 and "乙村" not in page.content.decode()  # only their own village
    r = client.post("/households/new/", {"region": county.village_a.code, "group": "1", "number": "0300",
                                         "head_name": "新户主", "address": "甲村一组30号", "tags": ["dibao"]})
    h = Household.objects.get(number="0300")
    assert r.status_code == 302 and r["Location"] == f"/households/{h.pk}/"
    assert h.group.number == 1 and [t.code for t in h.tags.all()] == ["dibao"]
    assert Event.objects.filter(action="household.created", object_id=str(h.pk), actor=county.cadre_a).exists()

    bad = client.post(f"/households/{h.pk}/members/new/", {"name": "错号", "relation": "head",
                                                          "id_number": ID_A[:-1] + "9"})
    assert bad.status_code == 200 and "校验位错误" in bad.content.decode()
    assert not Resident.objects.filter(name="错号").exists()
    ok = client.post(f"/households/{h.pk}/members/new/", {"name": "新户主", "relation": "head",
                                                         "id_number": NEW_ID, "phone": "13900001111"})
    assert ok.status_code == 302
    body = client.get(f"/households/{h.pk}/").content.decode()
    assert "139****1111" in body and "13900001111" not in body

    client.post(f"/households/{h.pk}/edit/", {"number": "0300", "head_name": "改名户主", "address": "新址",
                                              "group": "", "tags": ["dibao", "canji"], "reason": "核实"})
    h.refresh_from_db()
    assert h.head_name == "改名户主" and h.version == 2 and h.group is None


def test_another_village_is_out_of_reach(county, login):
    client = login(county.cadre_b)
    a1 = county.households["a1"]
    for url in (f"/households/{a1.pk}/edit/", f"/households/{a1.pk}/move/", f"/households/{a1.pk}/print.docx",
                f"/residents/{county.residents['a1'].pk}/status/"):
        assert client.get(url).status_code == 404, url
    before = Event.objects.count()
    r = client.post("/households/new/", {"region": county.village_a.code, "number": "9", "head_name": "x",
                                         "address": "x"})
    assert r.status_code == 200 and not Household.objects.filter(number="9").exists()
    assert Event.objects.count() == before


def test_move_split_merge_and_a_member_moving_away(county, login):
    client = login(county.township_leader)
    a1, a2 = county.households["a1"], county.households["a2"]
    spouse = county.residents["a1_spouse"]
    r = client.post(f"/households/{a1.pk}/split/", {"residents": [str(spouse.pk)], "head": str(spouse.pk),
                                                     "number": "0501", "reason": "分户"})
    new = Household.objects.get(number="0501")
    assert r.status_code == 302 and new.head_name == "甲村配偶" and new.region_id == a1.region_id
    spouse.refresh_from_db()
    assert spouse.household_id == new.pk and spouse.relation == "head"

    r = client.post(f"/households/{new.pk}/move/", {"region": county.village_b.code, "group": "1",
                                                     "reason": "搬迁"})
    new.refresh_from_db()
    spouse.refresh_from_db()
    assert r.status_code == 302 and new.region_id == county.village_b.code and spouse.region_id == new.region_id

    r = client.post(f"/households/{a1.pk}/merge/", {"source": str(a2.pk), "reason": "合户"})
    a2.refresh_from_db()
    assert r.status_code == 302 and a2.deleted_at is not None
    assert set(Resident.objects.filter(household=a1).values_list("name", flat=True)) == {"甲村居民1", "甲村居民2"}

    resident = county.residents["a1"]
    refused = client.post(f"/residents/{resident.pk}/status/", {"status": "deceased", "on": "2026-01-05"})
    assert refused.status_code == 200 and "必须说明依据" in refused.content.decode()
    client.post(f"/residents/{resident.pk}/status/", {"status": "moved_away", "on": "2025-06-01",
                                                      "reason": "迁往成都"})
    resident.refresh_from_db()
    assert resident.status == "moved_away" and resident.deleted_at is None
    body = client.get(f"/households/{a1.pk}/").content.decode()
    assert 'id="former"' in body and "迁出" in body
    actions = set(Event.objects.filter(actor=county.township_leader).values_list("action", flat=True))
    assert {"household.split", "household.moved", "household.merged", "resident.status"} <= actions


def test_a_visit_recorded_from_the_page_and_the_printed_file(county, login):
    client = login(county.cadre_a)
    a1 = county.households["a1"]
    r = client.post(f"/households/{a1.pk}/visits/new/", {"visited_on": "2026-11-20", "note": "了解用水情况"})
    assert r.status_code == 302
    resp = client.get(f"/households/{a1.pk}/print.docx")
    doc = Document(io.BytesIO(b"".join(resp.streaming_content)))
    text = "\n".join(p.text for p in doc.paragraphs) + "".join(c.text for t in doc.tables for row in t.rows
                                                               for c in row.cells)
    assert "甲村户主1户 户情档案" in text and "了解用水情况" in text and "低保户" in text
    assert "511722********1232" in text and ID_A not in text and PHONE_A not in text
    if pdf.available():
        resp = client.get(f"/households/{a1.pk}/print.pdf")
        assert b"".join(resp.streaming_content)[:5] == b"%PDF-"


def test_a_village_printed_as_one_file_one_page_per_household(county, login):
    client = login(county.township_leader)
    r = client.post("/households/print/", {"region": county.village_a.code, "format": "docx"})
    job = Job.objects.get(kind="household_print")
    assert r.status_code == 302 and job.status == "done", job.message
    with job.result.open("rb") as f:
        xml = zipfile.ZipFile(f).read("word/document.xml").decode()
    assert xml.count('w:type="page"') == 1  # two households of 甲村: one break between them
    assert "甲村户主2" in xml and "乙村户主" not in xml


def test_the_import_page_with_a_mapping_step(county, login, tmp_path):
    client = login(county.township_leader)
    path = write_csv(tmp_path / "r.csv", 12, [("甲镇", "甲村")])
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    rows[0][6] = "身份证件号"  # not a known name: the page asks
    odd = tmp_path / "odd.csv"
    with odd.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    with odd.open("rb") as f:
        r = client.post("/households/import/", {"region": county.town.code, "file": f})
    body = r.content.decode()
    assert r.status_code == 200 and 'id="mapping-form"' in body and "身份证件号" in body
    mapping = {"township": "乡镇（街道）", "village": "村（社区）", "group": "村民小组", "number": "户号",
               "name": "姓名", "relation": "与户主关系", "id_number": "身份证件号", "phone": "联系电话",
               "tags": "户类别", "stored": "1"}
    r = client.post("/households/import/", mapping)
    job = Job.objects.get(kind="household_import")
    assert r.status_code == 302 and r["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "done", job.message
    assert Resident.objects.filter(region_id=county.village_a.code).count() == 3 + 12
