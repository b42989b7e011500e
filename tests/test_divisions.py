"""Importing the division tree: the shipped folder, idempotence, and all-or-nothing village CSVs."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from minqing.audit.models import Event
from minqing.lib import regioncode
from minqing.regions.importer import DivisionImportError, import_divisions, shipped_divisions
from minqing.regions.models import Level, Region

pytestmark = pytest.mark.django_db


def _expected_counts() -> dict[int, int]:
    """What the shipped files should give per level: each file's rows, less the placeholders whose
    code is their parent's own code (东莞市 441900 under 4419, 金门县's township 350527000)."""
    folder = shipped_divisions()
    expected = {}
    for level, (name, parent_col) in enumerate([("provinces.csv", None), ("cities.csv", "provinceCode"),
                                                ("areas.csv", "cityCode"), ("streets.csv", "areaCode")], start=1):
        with (folder / name).open(encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
        placeholders = sum(1 for r in rows if parent_col
                           and regioncode.normalize(r["code"]) == regioncode.normalize(r[parent_col]))
        expected[level] = len(rows) - placeholders
    return expected


def test_it_imports_the_shipped_tree_once():
    expected = _expected_counts()
    assert 2970 <= expected[3] <= 2978 and expected[4] > 41000  # the files are the ones the issue names
    report = import_divisions(shipped_divisions())
    counts = {level: Region.objects.filter(level=level).count() for level in (1, 2, 3, 4)}
    assert counts == expected
    assert report.created == sum(expected.values()) and report.updated == 0
    assert Region.objects.filter(parent_id="511722000000", level=Level.TOWNSHIP).count() == 37
    assert Region.objects.get(code="511722000000").name == "宣汉县"
    assert Region.objects.get(code="511722000000").parent_id == "511700000000"
    assert not Region.objects.filter(level__gt=1, parent__isnull=True).exists()
    assert Event.objects.filter(action="regions.imported").count() == 1

    again = import_divisions(shipped_divisions())
    assert (again.created, again.updated) == (0, 0) and again.unchanged == sum(expected.values())
    assert "新增 0，更新 0" in again.summary()
    assert Event.objects.filter(action="regions.imported").count() == 1


def _village_csv(tmp_path, rows, name="villages.csv"):
    path = tmp_path / name
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["code", "name", "parent_code"])
    writer.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def test_a_bad_village_csv_writes_nothing_and_names_each_line(county, tmp_path):
    path = _village_csv(tmp_path, [
        ("511722100203", "好村", "511722100"),          # line 2: fine
        ("51172210020", "坏代码村", "511722100"),        # line 3: 11 digits
        ("511722199201", "无上级村", "511722199"),       # line 4: township 511722199 does not exist
        ("511722100204", "", "511722100"),              # line 5: empty name
        ("511722100205", "错上级村", "511722101"),       # line 6: parent does not match the code
    ])
    before = (Region.objects.count(), Event.objects.count())
    with pytest.raises(DivisionImportError) as err:
        import_divisions(path)
    text = str(err.value)
    for line in (3, 4, 5, 6):
        assert f"villages.csv:{line}" in text
    assert "villages.csv:2" not in text
    assert "未写入任何数据" in text
    assert (Region.objects.count(), Event.objects.count()) == before
    assert not Region.objects.filter(code="511722100203").exists()
    with pytest.raises(CommandError) as cmd_err:
        call_command("import_divisions", str(path))
    assert "villages.csv:3" in str(cmd_err.value)


def test_a_good_village_csv_imports_and_is_idempotent(county, tmp_path):
    path = _village_csv(tmp_path, [("511722100203", "新村", "511722100"), ("511722100004", "新社区", "511722100000"),
                                   ("511722101202", "丁村", "511722101")])
    report = import_divisions(path)
    assert (report.created, report.updated) == (3, 0)
    assert Region.objects.get(code="511722100203").parent_id == "511722100000"
    assert Region.objects.get(code="511722100004").level == Level.VILLAGE
    assert (import_divisions(path).created, import_divisions(path).updated) == (0, 0)
    renamed = _village_csv(tmp_path, [("511722100203", "新村改名", "511722100")])
    assert import_divisions(renamed).updated == 1
    assert Region.objects.get(code="511722100203").name == "新村改名"
    out = io.StringIO()
    call_command("import_divisions", str(renamed), stdout=out)
    assert "新增 0，更新 0" in out.getvalue()


def test_an_unknown_header_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("code,name,whatever\n511722100203,村,1\n", encoding="utf-8")
    with pytest.raises(DivisionImportError) as err:
        import_divisions(path)
    assert "x.csv:1" in str(err.value)
    with pytest.raises(DivisionImportError):
        import_divisions(tmp_path / "missing.csv")


@pytest.mark.parametrize(("content", "words"), [
    ("code,name,parent_code\n511722100203,新村,511722100000\n".encode("gbk"), "不是 UTF-8 编码"),
    (b"PK\x03\x04" + b"\0" * 200, "不是文本文件"),
    (b"", "文件是空的"),
    ('[{"code": "510000", "name": "四川省", "children": [{"code": '.encode(), "不是有效的 JSON"),
    (b'{"code": "510000"}', "JSON 结构不符"),
], ids=["gbk", "xlsx-renamed", "empty", "truncated-json", "json-structure"])
def test_a_broken_division_file_answers_in_chinese_without_a_traceback(tmp_path, content, words):
    suffix = ".json" if b"{" in content[:2] or content.startswith(b"[") else ".csv"
    path = tmp_path / f"villages{suffix}"
    path.write_bytes(content)
    with pytest.raises(CommandError) as err:
        call_command("import_divisions", str(path))
    assert words in str(err.value) and path.name in str(err.value)
