"""Ledger export (.xlsx read back with python-calamine) and import (all or nothing, idempotent)."""

from __future__ import annotations

import csv
import datetime as dt
import time

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from minqing.ledgers import EXPORT_COLUMNS, RECTIFICATION_COLUMNS
from minqing.ledgers.exporters.rectification import export_rectification
from minqing.ledgers.importers import LedgerImportError, load_ledger

MAY = (dt.date(2024, 5, 1), dt.date(2024, 5, 31))
TOWN = "511722100"

pytestmark = pytest.mark.django_db


def read_xlsx(path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def test_export_layout_and_rows(cases, tmp_path):
    out = tmp_path / "ledger.xlsx"
    n = export_rectification(TOWN, *MAY, out)
    rows = read_xlsx(out)
    assert n == 11
    assert "甲镇" in rows[0][0] and "2024年05月01日" in rows[0][0]
    assert tuple(rows[1]) == EXPORT_COLUMNS
    data = rows[2:]
    assert len(data) == 11
    assert [r[0] for r in data] == list(range(1, 12))
    a1 = next(r for r in data if r[5] == "诉求A1的内容")
    assert a1[2] == "张三" and a1[3] == "甲镇/甲村" and a1[4] == "人居环境整治"
    assert a1[11] == "是" and a1[12] == "满意" and "立行立改" in a1[13]
    a2 = next(r for r in data if r[5] == "诉求A2的内容")
    assert (a2[6], a2[7], a2[8]) == ("县住建局", "李四", "修复道路")
    assert a2[9] in (dt.date(2024, 5, 20), dt.datetime(2024, 5, 20))  # the deadline as a real date cell
    flat = " ".join(str(c) for r in rows for c in r)
    assert "诉求A8" not in flat  # merged
    assert "138" not in flat  # phones never


def test_export_is_print_ready(cases, tmp_path):
    import zipfile

    out = tmp_path / "ledger.xlsx"
    export_rectification(TOWN, *MAY, out)
    sheet = zipfile.ZipFile(out).read("xl/worksheets/sheet1.xml").decode()
    assert 'orientation="landscape"' in sheet and 'paperSize="9"' in sheet
    assert 'fitToHeight="0"' in sheet
    workbook = zipfile.ZipFile(out).read("xl/workbook.xml").decode()
    assert "_xlnm.Print_Titles" in workbook


def test_export_formula_text_stays_text(county, tmp_path):
    from minqing.appeals.models import Appeal

    now = dt.datetime(2024, 5, 3, 10, tzinfo=dt.UTC)
    Appeal.objects.create(number="F1", kind="problem", status="registered", group="open", level="village",
                          max_level="village", region=county.regions["village_a"], channel="visit",
                          title="t", text="=HYPERLINK(\"http://x\")", received_at=now, updated_at=now)
    out = tmp_path / "f.xlsx"
    export_rectification(TOWN, *MAY, out)
    assert read_xlsx(out)[2][5] == '=HYPERLINK("http://x")'
    assert b"<f>" not in __import__("zipfile").ZipFile(out).read("xl/worksheets/sheet1.xml")


def test_export_masks_phones_and_ids_typed_into_the_text(county, tmp_path):
    from minqing.appeals.models import Appeal
    from tests.conftest import ID_A, PHONE_A

    now = dt.datetime(2024, 5, 3, 10, tzinfo=dt.UTC)
    Appeal.objects.create(number="F2", kind="problem", status="registered", group="open", level="village",
                          max_level="village", region=county.regions["village_a"], channel="visit", title="t",
                          text=f"请回电{PHONE_A}，身份证{ID_A}", received_at=now, updated_at=now)
    out = tmp_path / "m.xlsx"
    export_rectification(TOWN, *MAY, out)
    cell = read_xlsx(out)[2][5]
    assert PHONE_A not in cell and ID_A not in cell and "请回电" in cell and "****" in cell


def write_own(path, rows, *, title=True):
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = wb.add_worksheet()
    r = 0
    if title:
        ws.write(0, 0, "甲镇整改台账")
        r = 1
    ws.write_row(r, 0, RECTIFICATION_COLUMNS)
    for i, row in enumerate(rows, start=r + 1):
        for j, value in enumerate(row):
            if isinstance(value, dt.datetime):
                ws.write_datetime(i, j, value, wb.add_format({"num_format": "yyyy-mm-dd"}))
            elif isinstance(value, int | float):
                ws.write_number(i, j, value)
            elif value is not None:
                ws.write_string(i, j, value)
    wb.close()


def own_row(n, **kw):
    base = {"序号": n, "来源": "入户走访", "反映人": f"居民{n}", "乡镇/村": "甲镇/甲村", "类别": "人居环境整治",
            "问题描述": f"第{n}个问题", "责任单位": "县住建局", "责任人": "李四", "整改措施": "修路",
            "整改时限": "2024/6/30", "进展": "", "是否办结": "否", "群众满意度": "", "备注": ""}
    base.update(kw)
    return [base[c] for c in RECTIFICATION_COLUMNS]


def test_import_own_ledger_and_rerun(county, tmp_path):
    from minqing.appeals.models import Appeal, AppealEvent, Report
    from minqing.audit.models import Event

    path = tmp_path / "own.xlsx"
    write_own(path, [own_row(1), own_row(2, 整改时限=dt.datetime(2024, 7, 1), 是否办结="是", 群众满意度="基本满意"),
                     own_row(3, 责任单位="", 整改时限="", 是否办结="是", 备注="立行立改", **{"乡镇/村": "乙村"}),
                     own_row(4, 整改时限=45500)])  # an Excel serial: 2024-07-27
    audit_before = Event.objects.count()
    result = load_ledger(path, mapping="own", region=TOWN)
    assert (result.created, result.existing, result.rows) == (4, 0, 4)
    # one audit event per case (its whole history) and one for the batch; rows 1 and 4 (same village, like
    # texts) are also found as a repeat of an earlier row (appeals/repeats.py), with its own event
    repeats = Event.objects.filter(action="appeal.repeat_found").count()
    assert Event.objects.count() == audit_before + 5 + repeats
    assert Event.objects.filter(action="appeal.import").count() == 4
    imported = Appeal.objects.filter(source_ref__startswith="ledger:")
    assert imported.count() == 4 and AppealEvent.objects.filter(appeal__in=imported, action="register").count() == 4
    a1 = imported.get(text="第1个问题")
    assert (a1.status, a1.triage, a1.unit.name, a1.region_id) == ("assigned", "assign", "县住建局", "511722100201")
    assert a1.due_at.date() == dt.date(2024, 6, 30)
    a2 = imported.get(text="第2个问题")
    assert (a2.status, a2.group, a2.satisfaction) == ("closed_solved", "solved", "basically_satisfied")
    # closed through the workflow's own steps: the named handler reports, the importer verifies, the visit
    assert list(a2.events.order_by("id").values_list("action", flat=True)) == [
        "register", "assign", "submit_result", "verify", "return_visit", "close"]
    assert a2.closed_on_time is True and a2.number.startswith("511722-")
    a3 = imported.get(text="第3个问题")
    assert (a3.status, a3.region_id) == ("solved_on_spot", "511722100202")
    assert imported.get(text="第4个问题").due_at.date() == dt.date(2024, 7, 27)
    assert Report.objects.get(appeal=a1).reporter_name == "居民1"
    # The state snapshot reads back through the services layer.
    from minqing.appeals.services import state_from_json

    assert state_from_json(a1.state).status.value == "assigned"
    again = load_ledger(path, mapping="own", region=TOWN)
    assert (again.created, again.existing) == (0, 4)
    assert imported.count() == 4


def test_import_all_or_nothing_with_report(county, tmp_path):
    from minqing.appeals.models import Appeal
    from minqing.audit.models import Event

    path = tmp_path / "bad.xlsx"
    write_own(path, [own_row(1), own_row(2, 整改时限="2024/13/45"), own_row(3),
                     own_row(4, 反映人=511722198001011232), own_row(5, 是否办结="也许", 责任单位="不存在局")])
    before, audit_before = Appeal.objects.count(), Event.objects.count()
    with pytest.raises(LedgerImportError) as info:
        load_ledger(path, mapping="own", region=TOWN)
    report = info.value.report()
    assert "第4行 “整改时限”：日期无法识别" in report  # title row 1, header row 2, data from row 3
    assert "第6行 “反映人”：长数字" in report
    assert "第7行 “是否办结”" in report
    assert Appeal.objects.count() == before and Event.objects.count() == audit_before
    # A unit that does not exist is reported too (checked against the database), still nothing written.
    write_own(path, [own_row(1), own_row(2, 责任单位="不存在局")])
    with pytest.raises(LedgerImportError) as info:
        load_ledger(path, mapping="own", region=TOWN)
    assert "第4行 “责任单位”：找不到单位“不存在局”" in info.value.report()
    assert Appeal.objects.count() == before


def test_import_dry_run_writes_nothing(county, tmp_path):
    from minqing.appeals.models import Appeal

    path = tmp_path / "own.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(RECTIFICATION_COLUMNS)
        w.writerow(own_row(1))
        w.writerow(own_row(2, 反映人="5.11722E+17"))
    with pytest.raises(LedgerImportError, match="第3行 “反映人”：长数字被存成了科学计数法"):
        load_ledger(path, region=TOWN)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(RECTIFICATION_COLUMNS)
        w.writerow(own_row(1))
    result = load_ledger(path, region=TOWN, dry_run=True)
    assert result.created == 1 and result.dry_run
    assert not Appeal.objects.filter(source_ref__startswith="ledger:").exists()


def test_export_then_import_round_trip(cases, tmp_path):
    """Our own export names each case by number (备注): importing it back matches them, adds nothing."""
    from minqing.appeals.models import Appeal

    out = tmp_path / "ledger.xlsx"
    export_rectification(TOWN, *MAY, out)
    before = Appeal.objects.count()
    result = load_ledger(out, mapping="own", region=TOWN)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 11)
    assert Appeal.objects.count() == before


def test_wrong_mapping_is_reported(county, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(LedgerImportError, match="找不到表头行"):
        load_ledger(path, mapping="taidi", region=TOWN)


def test_cli_export_and_import(cases, tmp_path):
    from django.core.management import CommandError, call_command

    out = tmp_path / "cli.xlsx"
    call_command("ledger", "export", "--region", TOWN, "--from", "2024-05-01", "--to", "2024-05-31",
                 "--out", str(out))
    assert len(read_xlsx(out)) == 13
    call_command("ledger", "import", str(out), "--region", TOWN, "--dry-run")
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(RECTIFICATION_COLUMNS) + "\n1,,,,,,,,,x,,,,\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第2行 “问题描述”：不能为空"):
        call_command("ledger", "import", str(bad), "--region", TOWN)


# --- the real taidi2020c files ----------------------------------------------------------------


@pytest.mark.shared_data
def test_taidi_messages_and_classified(county, shared_data_dir):
    from minqing.appeals.models import Appeal

    base = shared_data_dir / "taidi2020c"
    r3 = load_ledger(base / "附件3.csv", mapping="taidi", region=TOWN, limit=300)
    assert (r3.layout, r3.created) == ("taidi:附件3", 300)
    a = Appeal.objects.get(source_ref="taidi:附件3:188006")
    assert a.channel == "web" and a.status == "registered" and a.region_id == "511722100000"
    assert a.received_at.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None) == \
        dt.datetime(2019, 2, 28, 11, 25, 5)
    assert a.reports.get().reporter_name == "A000102948"
    rt = load_ledger(base / "测试数据.xlsx", mapping="taidi", region=TOWN, limit=300)
    assert (rt.layout, rt.created) == ("taidi:分类留言", 300)
    r2 = load_ledger(base / "附件2_示例数据_dev.csv", mapping="taidi", region=TOWN, limit=50)
    assert r2.created == 50
    categorized = Appeal.objects.filter(source_ref__startswith="taidi:附件2:")
    assert categorized.filter(category__name="城乡建设", category__scheme="taidi").exists()
    assert load_ledger(base / "附件3.csv", mapping="taidi", region=TOWN, limit=300).created == 0


@pytest.mark.shared_data
def test_taidi_replies_full_file(county, shared_data_dir):
    from minqing.appeals import metrics
    from minqing.appeals.models import Appeal

    t0 = time.perf_counter()
    result = load_ledger(shared_data_dir / "taidi2020c" / "附件4.csv", mapping="taidi", region=TOWN)
    elapsed = time.perf_counter() - t0
    assert (result.layout, result.created, result.rows) == ("taidi:附件4", 2816, 2816)
    a = Appeal.objects.get(source_ref="taidi:附件4:2549")
    assert (a.status, a.group, a.triage) == ("explained", "closed_unsolved", "explain")
    assert a.measures.startswith("现将网友在平台《问政西地省》栏目")  # the reply is the answer
    assert a.closed_at is not None and a.responded_at == a.closed_at
    s = metrics.county_summary(TOWN, dt.date(2000, 1, 1), dt.date(2025, 12, 31))
    assert s.explained == 2816 and s.resolution.numerator == 0
    print(f"附件4 full file: {elapsed:.1f} s")


def test_export_links_the_before_and_after_photos_in_its_evidence_column(cases, tmp_path, settings):
    """佐证: each 整改前/整改后 photo's address, one per line, the cell linking to the case; other files not."""
    import io
    import zipfile

    from django.core.files.base import ContentFile
    from PIL import Image

    from minqing.appeals.attachments import add_attachment

    settings.MINQING_SITE_URL = "https://mq.example.gov.cn/"
    settings.MEDIA_ROOT = tmp_path / "media"
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, "JPEG")
    after = add_attachment(cases.A2, actor=None, upload=ContentFile(buf.getvalue(), name="after.jpg"), check=False,
                           phase="after")
    before = add_attachment(cases.A2, actor=None, upload=ContentFile(buf.getvalue(), name="before.jpg"), check=False,
                            phase="before")
    add_attachment(cases.A2, actor=None, upload=ContentFile(b"%PDF-1.4 x", name="plan.pdf"), check=False)
    out = tmp_path / "ledger.xlsx"
    export_rectification(TOWN, *MAY, out)
    rows = read_xlsx(out)
    assert rows[1][-1] == "佐证"
    a2 = next(r for r in rows[2:] if r[5] == "诉求A2的内容")
    base = f"https://mq.example.gov.cn/appeals/{cases.A2.pk}/attachments"
    assert a2[-1].split("\n") == [f"整改前1：{base}/{before.pk}/", f"整改后1：{base}/{after.pk}/"]
    assert all(r[-1] == "" for r in rows[2:] if r[5] != "诉求A2的内容")
    with zipfile.ZipFile(out) as z:  # the cell is a real hyperlink, to the case's page
        rels = z.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
    assert f'Target="https://mq.example.gov.cn/appeals/{cases.A2.pk}/"' in rels
