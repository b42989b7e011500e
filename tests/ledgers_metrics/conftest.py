"""A small, hand-computed set of appeals in the test county (tests/conftest.py `county`), written
directly with the models (no services): every figure in test_metrics.py is counted by hand from
the table below. Period under test: May 2024 (Asia/Shanghai).

key  place      received     status (group)            triage   due      closed   notes
A1   甲村       05-02        solved_on_spot (solved)   on_spot  05-20    05-02    on-spot 满意, no visit row; hh a1
A2   甲村       05-03        closed_solved (solved)    assign   05-20    05-15    visit 05-16 满意; hh a2
A3   甲村       05-05        closed_solved (solved)    assign   05-10    05-12    late; visits 不满意+基本满意
A4   甲村       05-06        explained (unsolved)      explain  -        05-06
A5   甲村       05-07        in_progress (open)        assign   05-25    -        failed visit row (no answer)
A6   乙村       05-08        escalated (open)          escalate -        -        → township; hh b1
A7   甲村       05-09        assigned (open)           assign   06-30    -        → township → county; hh a2
A8   甲村       05-10        merged                    on_spot  05-20    -        never counts (visit 满意 ignored)
A9   甲村       04-28        closed_solved (solved)    assign   05-30    05-03    closed early, in 应结案
A10  甲村       05-31 23:30  registered (open)         -        -        -        last minute of the period
A11  甲村       06-01 00:10  registered (open)         -        -        -        outside
A12  丙村(乙镇)  05-05        solved_on_spot (solved)   on_spot  -        05-05    other township
A13  甲村       05-11        closed_unsolved           assign   05-28    05-28
A14  甲村       05-01 00:00  closed_solved (solved)    assign   05-15    06-03    due in May, closed in June
P1   甲村 petition 2024-01-10 in_progress, due 03-10                 backlog at 2024-05-31
P2   甲村 petition 2023-01-05 registered until closed 2024-04-01      backlog at 2023-05-31
P3   甲村 petition 2023-04-20 due 2023-07-01 closed 2023-08-01        not backlog (not yet due)
P4   甲村 petition 2024-05-20 assigned, due 07-20                     in May's received, not backlog
P5   甲村 petition 2023-01-01 merged                                  never
P6   甲村 petition 2024-02-01 registered, no deadline                 backlog at 2024-05-31 (> 75 days)
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("Asia/Shanghai")
GROUP = {
    "registered": "open", "escalated": "open", "assigned": "open", "in_progress": "open",
    "solved_on_spot": "solved", "closed_solved": "solved", "explained": "closed_unsolved",
    "closed_unsolved": "closed_unsolved", "merged": "merged",
}


def at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


class Cases(dict):
    def __getattr__(self, name):
        return self[name]


@pytest.fixture
def cases(county):
    from minqing.appeals.models import Appeal, AppealEvent, Category, Report, ReturnVisit

    env = Category.objects.create(code="seeds-env", name="人居环境整治", scheme="seeds")
    infra = Category.objects.create(code="seeds-infra", name="基础设施建设", scheme="seeds")
    out = Cases()

    def mk(key, region, received, status, *, triage="", due=None, closed=None, responded=None, response_due=None,
           kind="problem", level="village", max_level=None, household=None, category=None, satisfaction="",
           reporter="", unit=None, handler_name="", measures=""):
        a = Appeal.objects.create(
            number=f"T-{key}", kind=kind, status=status, group=GROUP[status], level=level,
            max_level=max_level or level, region=county.regions[region], channel="visit", title=f"诉求{key}",
            text=f"诉求{key}的内容", received_at=received, triage=triage, due_at=due, closed_at=closed,
            responded_at=responded, response_due_at=response_due, household=household, category=category,
            satisfaction=satisfaction, unit=unit, handler_name=handler_name, measures=measures, updated_at=received)
        Report.objects.create(appeal=a, region=a.region, channel="visit", reporter_name=reporter or f"反映人{key}",
                              phone_masked="138****5678", received_at=received)
        AppealEvent.objects.create(appeal=a, region=a.region, action="register", to_status="registered",
                                   level=level, at=received)
        out[key] = a
        return a

    h = county.households
    mk("A1", "village_a", at(2024, 5, 2), "solved_on_spot", triage="solve_on_spot", due=at(2024, 5, 20),
       closed=at(2024, 5, 2, 11), responded=at(2024, 5, 2, 11), response_due=at(2024, 5, 3), household=h["a1"],
       category=env, satisfaction="satisfied", reporter="张三")
    mk("A2", "village_a", at(2024, 5, 3), "closed_solved", triage="assign", due=at(2024, 5, 20),
       closed=at(2024, 5, 15), responded=at(2024, 5, 4), response_due=at(2024, 5, 4, 12), household=h["a2"],
       category=env, satisfaction="satisfied", unit=county.units["housing"], handler_name="李四",
       measures="修复道路")
    ReturnVisit.objects.create(appeal=out.A2, at=at(2024, 5, 16), satisfaction="satisfied")
    mk("A3", "village_a", at(2024, 5, 5), "closed_solved", triage="assign", due=at(2024, 5, 10),
       closed=at(2024, 5, 12), responded=at(2024, 5, 8), response_due=at(2024, 5, 6), household=h["a1"],
       category=infra, satisfaction="basically_satisfied")
    ReturnVisit.objects.create(appeal=out.A3, at=at(2024, 5, 11), satisfaction="unsatisfied")
    ReturnVisit.objects.create(appeal=out.A3, at=at(2024, 5, 12, 9), satisfaction="basically_satisfied")
    mk("A4", "village_a", at(2024, 5, 6), "explained", triage="explain", closed=at(2024, 5, 6, 15),
       responded=at(2024, 5, 6, 15))
    mk("A5", "village_a", at(2024, 5, 7), "in_progress", triage="assign", due=at(2024, 5, 25))
    ReturnVisit.objects.create(appeal=out.A5, at=at(2024, 5, 20), reached=False, satisfaction="")
    mk("A6", "village_b", at(2024, 5, 8), "escalated", triage="escalate", level="township", max_level="township",
       household=h["b1"])
    AppealEvent.objects.create(appeal=out.A6, region=out.A6.region, action="escalate", from_status="registered",
                               to_status="escalated", level="township", at=at(2024, 5, 9))
    mk("A7", "village_a", at(2024, 5, 9), "assigned", triage="assign", due=at(2024, 6, 30),
       responded=at(2024, 5, 9, 12), response_due=at(2024, 5, 10), level="county", max_level="county",
       household=h["a2"])
    for day, lv in ((10, "township"), (12, "county")):
        AppealEvent.objects.create(appeal=out.A7, region=out.A7.region, action="escalate", to_status="escalated",
                                   level=lv, at=at(2024, 5, day))
    mk("A8", "village_a", at(2024, 5, 10), "merged", triage="solve_on_spot", due=at(2024, 5, 20),
       household=h["a1"], responded=at(2024, 5, 10))
    ReturnVisit.objects.create(appeal=out.A8, at=at(2024, 5, 11), satisfaction="satisfied")
    AppealEvent.objects.create(appeal=out.A8, region=out.A8.region, action="escalate", to_status="escalated",
                               level="township", at=at(2024, 5, 10, 12))
    mk("A9", "village_a", at(2024, 4, 28), "closed_solved", triage="assign", due=at(2024, 5, 30),
       closed=at(2024, 5, 3), responded=at(2024, 4, 28))
    ReturnVisit.objects.create(appeal=out.A9, at=at(2024, 4, 30), satisfaction="satisfied")
    mk("A10", "village_a", at(2024, 5, 31, 23, 30), "registered")
    mk("A11", "village_a", at(2024, 6, 1, 0, 10), "registered")
    mk("A12", "village_c", at(2024, 5, 5), "solved_on_spot", triage="solve_on_spot", closed=at(2024, 5, 5),
       responded=at(2024, 5, 5), satisfaction="unsatisfied")
    mk("A13", "village_a", at(2024, 5, 11), "closed_unsolved", triage="assign", due=at(2024, 5, 28, 23, 59),
       closed=at(2024, 5, 28), responded=at(2024, 5, 11))
    mk("A14", "village_a", at(2024, 5, 1, 0, 0), "closed_solved", triage="assign", due=at(2024, 5, 15),
       closed=at(2024, 6, 3))
    mk("P1", "village_a", at(2024, 1, 10), "in_progress", kind="petition", triage="assign", due=at(2024, 3, 10))
    mk("P2", "village_a", at(2023, 1, 5), "closed_solved", kind="petition", closed=at(2024, 4, 1))
    mk("P3", "village_a", at(2023, 4, 20), "closed_solved", kind="petition", due=at(2023, 7, 1),
       closed=at(2023, 8, 1))
    mk("P4", "village_a", at(2024, 5, 20), "assigned", kind="petition", triage="assign", due=at(2024, 7, 20))
    mk("P5", "village_a", at(2023, 1, 1), "merged", kind="petition")
    mk("P6", "village_a", at(2024, 2, 1), "registered", kind="petition")
    return out
