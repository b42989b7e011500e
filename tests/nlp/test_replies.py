import datetime as dt

from minqing.nlp.replies import score_reply

MESSAGE = "小区门口路灯坏了一个月，晚上出行不安全，请尽快维修。"
GOOD = ("您好！关于您反映的小区门口路灯坏了的问题，经现场查看，系线路老化导致。县住建局已于3月5日更换线路并修复路灯。"
        "如仍有问题，可致电0818-5220000。")
POOR = "您的留言已收悉，感谢您对我们工作的支持。"


def test_a_complete_timely_reply_scores_high():
    s = score_reply(MESSAGE, GOOD, asked_at=dt.datetime(2020, 3, 1), replied_at=dt.datetime(2020, 3, 4))
    assert s.timeliness == 1.0 and s.completeness == 1.0 and s.missing == []
    assert s.relevance > 0.5 and s.overall > 0.8


def test_a_late_empty_reply_names_what_is_missing():
    s = score_reply(MESSAGE, POOR, asked_at=dt.datetime(2020, 3, 1), replied_at=dt.datetime(2020, 4, 30))
    assert s.timeliness < 0.2 and s.relevance < 0.2 and s.completeness == 0.0
    assert len(s.missing) == 4 and all(isinstance(m, str) and m.startswith("未") for m in s.missing)
    assert any("下一步" in m for m in s.missing) and any("部门" in m for m in s.missing)


def test_unknown_times_leave_timeliness_out():
    s = score_reply(MESSAGE, GOOD)
    assert s.timeliness is None and s.overall == round((s.relevance + s.completeness) / 2, 3)


def test_a_reply_dated_before_the_message_gets_zero():
    assert score_reply(MESSAGE, GOOD, asked_at=dt.datetime(2020, 3, 9),
                       replied_at=dt.datetime(2020, 3, 1)).timeliness == 0.0
