"""The 花名册 import: all or nothing with 第N行 “列名” errors, idempotent, an edited file updates the same
people, numbers Excel stored as numbers refused, other headers through a column mapping, and only
inside the importer's jurisdiction."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter
from django.core.management import CommandError, call_command

from minqing.audit.models import Event
from minqing.households import crypto
from minqing.households.imports import HouseholdImportError, import_roster
from minqing.households.imports.sample import HEADERS, id_number, write_csv
from minqing.households.models import Household, Resident
from tests.conftest import ID_A

pytestmark = pytest.mark.django_db
PLACES = [("甲镇", "甲村"), ("甲镇", "乙村")]


def _id(n: int) -> str:
    return id_number(n, dt.date(1970, 1, 1 + n % 28), n % 2 == 1)


def _snapshot():
    return (Household.objects.count(), Resident.objects.count(), Event.objects.count(),
            sorted(Resident.objects.values_list("id", "household_id", "name", "relation", "phone_hash", "updated_at")),
            sorted(Household.objects.values_list("id", "head_name", "version", "updated_at")))


def _write(path: Path, rows: list[list], headers: list[str] = HEADERS) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig") as f:
        return list(csv.reader(f))[1:]


def test_a_roster_creates_households_and_residents_and_a_second_run_changes_nothing(county, tmp_path):
    path = write_csv(tmp_path / "花名册.csv", 300, PLACES)
    before_households = Household.objects.count()
    result = import_roster(path, region=county.town.code, actor=county.township_leader, chunk=50)
    assert result.residents_created == 300 and result.rows == 300
    assert Household.objects.count() == before_households + result.households_created
    first = _rows(path)[0]
    r = Resident.objects.get(id_number_hash=crypto.lookup_hash(first[6]))
    assert r.name == first[4] and r.relation == "head" and r.household.head_name == first[4]
    assert r.household.region_id == county.village_a.code or r.household.region_id == county.village_b.code
    assert crypto.decrypt(r.id_number_enc) == first[6] and r.id_number_masked.count("*") == 8
    assert r.gender in ("M", "F") and r.birth_date is not None
    events = Event.objects.filter(action="households.import")
    assert events.count() >= 300 // 50 and first[6] not in str(list(events.values_list("changes", flat=True)))

    before = _snapshot()
    again = import_roster(path, region=county.town.code, actor=county.township_leader, chunk=50)
    assert again.changed == 0 and _snapshot() == before


def test_an_edited_file_updates_the_same_people(county, tmp_path):
    rows = list(_rows(write_csv(tmp_path / "a.csv", 40, PLACES)))
    import_roster(_write(tmp_path / "a.csv", rows), region=county.town.code, actor=county.township_leader)
    people = Resident.objects.count()
    rows[1][4] = "改过的名字"
    rows[1][7] = "13700001111"
    rows[0][8] = "低保户、残疾"
    result = import_roster(_write(tmp_path / "b.csv", rows), region=county.town.code, actor=county.township_leader)
    assert result.residents_created == 0 and result.residents_updated == 1 and result.households_updated == 1
    assert Resident.objects.count() == people
    r = Resident.objects.get(id_number_hash=crypto.lookup_hash(rows[1][6]))
    assert r.name == "改过的名字" and r.phone_hash == crypto.lookup_hash("13700001111")
    h = Resident.objects.get(id_number_hash=crypto.lookup_hash(rows[0][6])).household
    assert sorted(h.tags.values_list("name", flat=True)) == ["低保户", "残疾"] and h.version == 2


def test_bad_rows_are_named_by_line_and_column_and_nothing_is_written(county, tmp_path):
    rows = _rows(write_csv(tmp_path / "a.csv", 30, PLACES))
    rows[2][6] = "5.11722E+17"  # line 4
    rows[5][6] = rows[5][6][:-1] + ("0" if rows[5][6][-1] != "0" else "1")  # line 7: check digit
    rows[9][8] = "贫困户甲"  # line 11: unknown tag
    rows[12][1] = "不存在村"  # line 14
    before = _snapshot()
    with pytest.raises(HouseholdImportError) as err:
        import_roster(_write(tmp_path / "bad.csv", rows), region=county.town.code, actor=county.township_leader,
                      chunk=5)
    report = err.value.report()
    assert "第4行 “公民身份号码”：长数字被存成了科学计数法" in report
    assert "第7行 “公民身份号码”：身份证号码校验位错误" in report
    assert "第11行 “户类别”：未知的户类别“贫困户甲”" in report
    assert "第14行 “村（社区）”" in report
    assert err.value.total == 4
    assert _snapshot() == before


def test_an_id_number_excel_stored_as_a_number_is_refused(county, tmp_path):
    path = tmp_path / "numbers.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADERS)
    sheet.write_row(1, 0, ["甲镇", "甲村", "1组", "0100", "张三", "户主"])
    sheet.write_number(1, 6, 511722198001011232)  # what Excel does to a number typed without a quote
    sheet.write_row(2, 0, ["甲镇", "甲村", "1组", "0100", "张四", "妻子", _id(1)])
    book.close()
    with pytest.raises(HouseholdImportError) as err:
        import_roster(path, region=county.town.code, actor=county.township_leader)
    assert "第2行 “公民身份号码”" in err.value.report() and err.value.total == 1
    assert not Household.objects.filter(number="0100").exists()


def test_households_need_one_head_rows_together_and_ids_once(county, tmp_path):
    rows = [
        ["甲镇", "甲村", "1组", "0101", "赵一", "妻子", _id(1), "", ""],  # no head
        ["甲镇", "甲村", "1组", "0102", "钱一", "户主", _id(2), "", ""],
        ["甲镇", "甲村", "1组", "0103", "孙一", "户主", _id(3), "", ""],
        ["甲镇", "甲村", "1组", "0102", "钱二", "子", _id(4), "", ""],  # 0102 again, apart
        ["甲镇", "甲村", "2组", "0104", "李一", "户主", _id(2), "", ""],  # same ID as line 3
    ]
    with pytest.raises(HouseholdImportError) as err:
        import_roster(_write(tmp_path / "x.csv", rows), region=county.town.code, actor=county.township_leader)
    report = err.value.report()
    assert "第2行 “与户主关系”：户号“0101”这一户没有户主" in report
    assert "第5行 “户号”：与第3行是同一户" in report
    assert "第6行 “公民身份号码”：与第3行的身份证号码相同" in report


def test_a_village_cadre_cannot_import_into_another_village(county, tmp_path):
    rows = [["甲镇", "乙村", "1组", "0201", "周一", "户主", _id(2), "", ""]]
    before = _snapshot()
    with pytest.raises(HouseholdImportError) as err:
        import_roster(_write(tmp_path / "x.csv", rows), region=county.town.code, actor=county.cadre_a)
    assert "不在您的管辖范围内" in err.value.report()
    rows[0][1] = "甲村"
    rows[0][6] = ID_A  # a person already on file in 甲村 moves into a new household there: allowed
    result = import_roster(_write(tmp_path / "y.csv", rows), region=county.village_a.code, actor=county.cadre_a)
    assert result.residents_updated == 1 and result.residents_created == 0
    assert Resident.objects.get(pk=county.residents["a1"].pk).household.number == "0201"
    assert _snapshot() != before


def test_other_headers_through_a_column_mapping(county, tmp_path):
    headers = ["镇", "村名称", "组别", "户编号", "姓名", "关系", "身份证", "手机号码", "类别"]
    rows = [["甲镇", "甲村", "3", "0301", "吴一", "户主", _id(2), "13800001111", "低保"]]
    path = _write(tmp_path / "other.csv", rows, headers)
    with pytest.raises(HouseholdImportError) as err:
        import_roster(path, region=county.town.code)
    assert "缺少必需的列：乡镇（街道）、村（社区）" in err.value.report()
    result = import_roster(path, region=county.town.code, mapping={"township": "镇", "village": "村名称"})
    assert result.residents_created == 1
    h = Household.objects.get(number="0301")
    assert h.group.number == 3 and h.group.name == "三组" and list(h.tags.values_list("name", flat=True)) == ["低保户"]


def test_the_command_line_import_with_dry_run(county, tmp_path, capsys):
    path = write_csv(tmp_path / "c.csv", 25, PLACES)
    before = _snapshot()
    call_command("households", "import", str(path), "--region", county.town.code, "--dry-run")
    assert "试导入（未写入）：共 25 人" in capsys.readouterr().out
    assert _snapshot() == before
    call_command("households", "import", str(path), "--region", county.town.code)
    assert Resident.objects.count() == before[1] + 25
    bad = _write(tmp_path / "bad.csv", [["甲镇", "甲村", "1组", "9", "X", "户主", "123", "", ""]])
    with pytest.raises(CommandError, match="第2行 “公民身份号码”"):
        call_command("households", "import", str(bad), "--region", county.town.code)


def test_the_command_moves_marks_and_prints(county, tmp_path, capsys):
    a1 = county.households["a1"]
    call_command("households", "--user", "township-leader", "move", str(a1.pk), "--region", county.village_b.code,
                 "--group", "1", "--number", "0101", "--reason", "搬迁")
    a1.refresh_from_db()
    assert a1.region_id == county.village_b.code and a1.group.number == 1
    resident = county.residents["a1"]
    with pytest.raises(CommandError, match="必须说明依据"):
        call_command("households", "mark", str(resident.pk), "deceased")
    call_command("households", "mark", str(resident.pk), "deceased", "--on", "2026-02-01", "--reason", "死亡证明")
    resident.refresh_from_db()
    assert resident.status == "deceased" and resident.deleted_at is None
    with pytest.raises(CommandError, match="没有编号为"):
        call_command("households", "--user", "cadre-a", "merge", str(a1.pk), str(county.households["a2"].pk),
                     "--reason", "越权")
    out = tmp_path / "乙村.docx"
    with pytest.raises(CommandError, match="--user"):
        call_command("households", "print", "--region", county.village_b.code, "--out", str(out))
    call_command("households", "--user", "township-leader", "print", "--region", county.village_b.code, "--out",
                 str(out))
    assert "已打印 3 户" in capsys.readouterr().out and out.read_bytes()[:2] == b"PK"


def test_one_person_one_record_and_the_dead_are_not_brought_back(county, tmp_path):
    from minqing.households import services as hh

    with pytest.raises(Exception, match="已登记在册"):
        hh.add_resident(county.households["a2"], actor=county.cadre_a, name="重复", id_number=ID_A)
    hh.set_resident_status(county.residents["a1"], actor=county.cadre_a, status="deceased", reason="死亡证明")
    rows = [["甲镇", "甲村", "1组", "0001", "甲村居民1", "户主", ID_A, "", ""]]
    with pytest.raises(HouseholdImportError, match="第2行 “公民身份号码”：此人已登记为死亡"):
        import_roster(_write(tmp_path / "d.csv", rows), region=county.town.code, actor=county.township_leader)
