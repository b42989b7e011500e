"""The ledger comes back: export a township's ledger, edit progress/closure in Excel, import it: the
same cases change (matched by the number in 备注), nothing else; re-import changes nothing; places are
resolved by their full path (two villages named 梅岩村); a case imported from a ledger is found by
search at once; a bad row stops the whole file, named."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import xlsxwriter

from minqing.ledgers import RECTIFICATION_COLUMNS
from minqing.ledgers.exporters.rectification import export_rectification
from minqing.ledgers.importers import LedgerImportError, load_ledger
from tests.ledgers_metrics.test_ledgers import own_row, read_xlsx, write_own

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
TOWN = "511722100"
MAY = (dt.date(2024, 5, 1), dt.date(2024, 5, 31))
COL = {name: i for i, name in enumerate(RECTIFICATION_COLUMNS)}


@pytest.fixture
def meiyan(county):
    """Two villages of the same name in two townships of the county."""
    from minqing.regions.models import Level, Region

    return (Region.objects.create(code="511722100203", name="梅岩村", level=Level.VILLAGE, parent=county.town),
            Region.objects.create(code="511722101203", name="梅岩村", level=Level.VILLAGE, parent=county.town2))


@pytest.fixture
def township_cases(county, meiyan):
    """Six cases of 甲镇 made through the services: four assigned (one in each village), two only registered."""
    from minqing.appeals import services

    leader = county.township_leader
    out = []
    for n, village in enumerate([county.village_a, county.village_b, meiyan[0], county.village_a, meiyan[0],
                                 county.village_b], start=1):
        at = dt.datetime(2024, 5, n + 1, 9, tzinfo=TZ)
        a = services.register_appeal(actor=leader, region=village, kind="problem", channel="visit",
                                     title=f"台账诉求{n}", text=f"台账诉求{n}的内容", reporter_name=f"群众{n}",
                                     received_at=at, now=at)
        if n <= 4:
            a = services.do_assign(a, actor=leader, unit=county.units["housing"], person=county.dept_handler,
                                   measures="修路", due=dt.datetime(2024, 6, 30, 18, tzinfo=TZ),
                                   now=at + dt.timedelta(hours=1))
        out.append(a)
    # A case of the other 梅岩村 (乙镇): never in 甲镇's ledger.
    out.append(services.register_appeal(actor=None, region=meiyan[1], kind="problem", channel="visit",
                                        title="乙镇梅岩村诉求", text="乙镇梅岩村诉求的内容", reporter_name="群众9",
                                        received_at=dt.datetime(2024, 5, 9, tzinfo=TZ)))
    return out


def rewrite(src, dst, edit) -> None:
    """Open the exported file as a cadre would in Excel, change some cells, save it again."""
    rows = read_xlsx(src)
    title, header, data = rows[0], rows[1], rows[2:]
    for row in data:
        edit(row)
    wb = xlsxwriter.Workbook(str(dst))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, [c or "" for c in title])
    ws.write_row(1, 0, header)
    for i, row in enumerate(data, start=2):
        for j, value in enumerate(row):
            if isinstance(value, dt.date | dt.datetime):
                ws.write_datetime(i, j, value if isinstance(value, dt.datetime)
                                  else dt.datetime.combine(value, dt.time.min))
            elif value not in (None, ""):
                ws.write(i, j, value)
    wb.close()


def snapshot():
    from minqing.appeals.models import Appeal, AppealEvent, Progress
    from minqing.audit.models import Event

    return ({a.pk: (a.status, a.version, a.updated_at) for a in Appeal.objects.all()},
            AppealEvent.objects.count(), Progress.objects.count(), Event.objects.filter(action__startswith="appeal.")
            .count())


def number_of(row) -> str:
    return row[COL["备注"]].split("；")[0].removeprefix("编号 ")


def test_export_edit_three_progress_cells_import_then_reimport(county, township_cases, tmp_path):
    from minqing.appeals.models import Appeal, Progress

    leader = county.township_leader
    out = tmp_path / "ledger.xlsx"
    assert export_rectification(TOWN, *MAY, out, user=leader) == 6
    exported = read_xlsx(out)[2:]
    places = {r[COL["乡镇/村"]] for r in exported}
    assert "甲镇/梅岩村" in places
    # Importing the export untouched changes nothing: the numbers name the same cases.
    before = snapshot()
    result = load_ledger(out, mapping="own", region=TOWN, actor=leader)
    assert (result.created, result.updated, result.unchanged, result.existing) == (0, 0, 6, 0)
    assert snapshot()[1:] == before[1:] and snapshot()[0] == before[0]

    changed = {}

    def edit(row):
        if row[COL["责任单位"]] and len(changed) < 3:
            row[COL["进展"]] = f"已完成路基{len(changed) + 1}段"
            changed[number_of(row)] = row[COL["进展"]]

    edited = tmp_path / "edited.xlsx"
    rewrite(out, edited, edit)
    before = snapshot()
    result = load_ledger(edited, mapping="own", region=TOWN, actor=leader)
    assert (result.created, result.updated, result.unchanged) == (0, 3, 3)
    after = snapshot()
    moved = {pk for pk, v in after[0].items() if before[0][pk] != v}
    assert {Appeal.objects.get(pk=pk).number for pk in moved} == set(changed)  # the three, nothing else
    for number, note in changed.items():
        a = Appeal.objects.get(number=number)
        assert a.status == "in_progress" and a.events.order_by("-id").first().action == "add_progress"
        assert Progress.objects.filter(appeal=a).order_by("-id").first().note == note
    assert after[1] == before[1] + 3 and after[2] == before[2] + 3
    assert after[3] == before[3] + 3  # one audit event per change, through the services
    # Re-import: nothing changes.
    again = load_ledger(edited, mapping="own", region=TOWN, actor=leader)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert snapshot() == after


def test_closing_through_the_ledger_reports_the_result_for_verification(county, township_cases, tmp_path):
    leader = county.township_leader
    out, edited = tmp_path / "ledger.xlsx", tmp_path / "edited.xlsx"
    export_rectification(TOWN, *MAY, out, user=leader)
    target = township_cases[0].number

    def edit(row):
        if number_of(row) == target:
            row[COL["是否办结"]], row[COL["进展"]] = "是", "路已修通"

    rewrite(out, edited, edit)
    assert load_ledger(edited, mapping="own", region=TOWN, actor=leader).updated == 1
    township_cases[0].refresh_from_db()
    # The workflow's own rule: the result is reported, someone else verifies in the system.
    assert township_cases[0].status == "awaiting_verification"
    assert load_ledger(edited, mapping="own", region=TOWN, actor=leader).updated == 0


def test_a_bad_row_stops_the_whole_file_named(county, township_cases, tmp_path):
    leader = county.township_leader
    out, edited = tmp_path / "ledger.xlsx", tmp_path / "edited.xlsx"
    export_rectification(TOWN, *MAY, out, user=leader)
    registered = township_cases[4].number  # only registered: cannot take progress
    assigned = township_cases[0].number

    def edit(row):
        if number_of(row) == registered:
            row[COL["进展"]] = "已经开始"
        if number_of(row) == assigned:
            row[COL["进展"]] = "这一行本身没有错"
        if number_of(row) == township_cases[1].number:
            row[COL["备注"]] = "编号 511722-2024-9999999"

    rewrite(out, edited, edit)
    before = snapshot()
    with pytest.raises(LedgerImportError) as info:
        load_ledger(edited, mapping="own", region=TOWN, actor=leader)
    report = info.value.report()
    assert "“进展”：当前状态“已登记”下不能办理进展" in report
    assert "“备注”：编号“511722-2024-9999999”在甲镇内找不到对应的诉求" in report
    assert snapshot() == before  # the good row was not applied either


def test_places_by_full_path_and_a_new_case_is_found_by_search(county, meiyan, tmp_path,
                                                              django_capture_on_commit_callbacks):
    from minqing.appeals.models import Appeal
    from minqing.nlp import search

    path = tmp_path / "new.xlsx"
    write_own(path, [own_row(1, **{"乡镇/村": "甲镇/梅岩村", "问题描述": "梅岩村水渠堵塞需要清淤"}),
                     own_row(2, **{"乡镇/村": "乙镇/梅岩村", "问题描述": "另一个梅岩村的路灯不亮"}),
                     own_row(3, **{"乡镇/村": "511722100202", "问题描述": "按代码登记的诉求"})])
    with django_capture_on_commit_callbacks(execute=True):
        result = load_ledger(path, mapping="own", region="511722000", actor=county.county_leader)
    assert result.created == 3
    assert Appeal.objects.get(text="梅岩村水渠堵塞需要清淤").region_id == "511722100203"
    assert Appeal.objects.get(text="另一个梅岩村的路灯不亮").region_id == "511722101203"
    assert Appeal.objects.get(text="按代码登记的诉求").region_id == "511722100202"
    hits = search.search(county.county_leader, "水渠堵塞")
    assert [h.title for h in hits][:1] == ["梅岩村水渠堵塞需要清淤"]
    # A bare name that two villages share is refused, with the way out.
    write_own(path, [own_row(4, **{"乡镇/村": "梅岩村"})])
    with pytest.raises(LedgerImportError, match="“梅岩村”在宣汉县内不止一处，请写明所属乡镇"):
        load_ledger(path, mapping="own", region="511722000", actor=county.county_leader)
