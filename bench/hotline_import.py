"""12345 work-order import: a generated export of N orders (the hotline's columns, a title row first)
read and registered through the intake service in one transaction, then imported again (every 工单号
known: nothing written), then the replies of the concluded ones exported. Prints orders per second.

    .venv/bin/python bench/hotline_import.py [--orders 1000]
    DATABASE_URL=postgresql://root@127.0.0.1:5432/<db> .venv/bin/python bench/hotline_import.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from _setup import django_for


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1000)
    n = parser.parse_args().orders
    django_for("hotline")
    import xlsxwriter

    from minqing.accounts.models import Post, Unit, User
    from minqing.hotline import importer, replies
    from minqing.regions.models import Level, Region

    county = Region.objects.create(code="511722000000", name="宣汉县", level=Level.COUNTY)
    town = Region.objects.create(code="511722100000", name="甲镇", level=Level.TOWNSHIP, parent=county)
    unit = Unit.objects.create(name="甲镇党委政府", kind="township_office", region=town)
    user = User.objects.create(username="dispatcher", display_name="调度员")
    Post.objects.create(user=user, unit=unit, role="township_secretary", region=town, started_on=dt.date(2020, 1, 1))
    path = Path(tempfile.mkdtemp()) / "工单.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["12345热线工单导出"])
    ws.write_row(1, 0, ["工单编号", "来电时间", "来电人", "联系电话", "诉求类型", "诉求内容", "问题发生地", "承办单位",
                        "办理时限"])
    for i in range(n):
        ws.write_row(i + 2, 0, [f"B{i:07d}", "2025-03-01 08:00:00", f"市民{i}", f"139{i:08d}", "投诉",
                                f"第{i}号路灯不亮，夜间出行困难。", "甲镇", "甲镇人民政府", "2025-03-10"])
    wb.close()
    t0 = time.perf_counter()
    first = importer.load(importer.read_file(path), region=town, actor=user)
    t1 = time.perf_counter()
    again = importer.load(importer.read_file(path), region=town, actor=user)
    t2 = time.perf_counter()
    rows = replies.replies(replies.concluded(user))
    replies.xlsx(rows)
    t3 = time.perf_counter()
    print(f"import {n} orders: {t1 - t0:.1f} s ({n / (t1 - t0):.0f}/s), created {first.created}")
    print(f"re-import: {t2 - t1:.1f} s, created {again.created}, skipped {again.existing}")
    print(f"replies export ({len(rows)} concluded): {t3 - t2:.2f} s")


if __name__ == "__main__":
    main()
