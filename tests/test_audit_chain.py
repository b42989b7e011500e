"""The keyed audit chain against someone who can write the database but does not hold the key:
a rewrite with recomputed hashes, a cut tail with the head moved back, three breaks in one stream
(all named), signed checkpoints outside the database, the one-time re-chain of unkeyed data, and
no deletion of events."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from minqing.audit import checkpoint
from minqing.audit.log import _hashed_fields, unkeyed_digest, verify
from minqing.audit.models import AuditStream, Event
from minqing.audit.rechain import RechainRefused, rechain
from minqing.audit.softdelete import HardDeleteForbidden

pytestmark = pytest.mark.django_db


@pytest.fixture
def audit_dir(settings, tmp_path):
    settings.AUDIT_DIR = tmp_path / "audit"
    return settings.AUDIT_DIR


def _stream() -> list[Event]:
    return list(Event.objects.filter(stream="511722").order_by("seq"))


def _rewrite_from(events: list[Event], start: int, digest) -> None:
    """What a database administrator without the key can do: change a row, then recompute every
    following hash (with the plain digest, the only one they can compute) and move the head."""
    prev = events[start - 1].hash if start else ""
    with connection.cursor() as cur:
        for e in events[start:]:
            e.prev_hash = prev
            e.hash = digest(prev, _hashed_fields(e))
            cur.execute("UPDATE audit_event SET actor_name = %s, prev_hash = %s, hash = %s WHERE id = %s",
                        [e.actor_name, e.prev_hash, e.hash, e.pk])
            prev = e.hash
        cur.execute("UPDATE audit_auditstream SET last_hash = %s WHERE key = %s", [prev, "511722"])


def _verify_text() -> tuple[bool, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except CommandError as exc:
        return False, err.getvalue() + str(exc)
    return True, out.getvalue()


def test_a_rewrite_with_recomputed_hashes_is_detected(county, audit_dir):
    events = _stream()
    events[2].actor_name = "someone-else"
    _rewrite_from(events, 2, unkeyed_digest)
    ok, text = _verify_text()
    assert not ok and f"511722#{events[2].seq}" in text and "篡改" in text


def test_three_separate_breaks_in_one_stream_are_all_named(county, audit_dir):
    events = _stream()
    assert len(events) >= 9
    altered, deleted, relinked = events[1], events[4], events[7]
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_event SET reason = 'x' WHERE id = %s", [altered.pk])
        cur.execute("DELETE FROM audit_event WHERE id = %s", [deleted.pk])
        cur.execute("UPDATE audit_event SET prev_hash = %s WHERE id = %s", ["0" * 64, relinked.pk])
    breaks = verify()
    assert sorted({b.seq for b in breaks}) == [altered.seq, deleted.seq, relinked.seq]
    ok, text = _verify_text()
    assert not ok
    for e in (altered, deleted, relinked):
        assert f"511722#{e.seq}" in text
    assert "篡改" in text and "缺失" in text and "前序哈希" in text


def test_a_cut_tail_with_the_head_moved_back_is_caught_by_the_checkpoint(county, audit_dir):
    call_command("audit", "checkpoint", stdout=io.StringIO())
    events = _stream()
    keep = events[-4]
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_event WHERE stream = '511722' AND seq > %s", [keep.seq])
        cur.execute("UPDATE audit_auditstream SET last_seq = %s, last_hash = %s WHERE key = '511722'",
                    [keep.seq, keep.hash])
    assert verify(checkpoints=False) == []  # the chain alone looks whole
    ok, text = _verify_text()
    assert not ok and "链尾被截断" in text and f"#{events[-1].seq}" in text


def test_a_rewrite_with_the_key_is_still_caught_by_an_earlier_checkpoint(county, audit_dir):
    """Even a rewrite that recomputed the keyed hashes (a stolen key) contradicts the checkpoint."""
    from minqing.audit.log import _digest

    call_command("audit", "checkpoint", stdout=io.StringIO())
    events = _stream()
    events[3].actor_name = "someone-else"
    _rewrite_from(events, 3, _digest)
    assert verify(checkpoints=False) == []
    breaks = verify()
    assert [b.seq for b in breaks] == [events[-1].seq] and "检查点" in breaks[0].problem


def test_the_checkpoint_is_signed_and_logged(county, audit_dir):
    path = checkpoint.write()
    data = json.loads(path.read_text())
    head = AuditStream.objects.get(key="511722")
    assert {"stream": "511722", "seq": head.last_seq, "hash": head.last_hash} in data["heads"]
    assert path.name.startswith("checkpoint-") and len(data["signature"]) == 64
    log = (audit_dir / "operator.log").read_text()
    assert "审计链检查点" in log and f"511722#{head.last_seq}" in log
    data["heads"][0]["seq"] = 1  # a forged file
    path.write_text(json.dumps(data))
    assert any("签名不符" in b.problem for b in verify())


def test_rechain_keys_an_unkeyed_chain_once_and_refuses_a_broken_one(county, audit_dir):
    events = _stream()
    _rewrite_from(events, 0, unkeyed_digest)  # as written before the key
    assert verify()  # unkeyed hashes do not pass
    done = rechain(["511722"])
    assert done[0].events == len(events)
    assert verify() == []
    assert Event.objects.filter(stream="511722", action="audit.rechained").count() == 1
    assert rechain(["511722"])[0].events == 0  # idempotent
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_event SET reason = 'x' WHERE id = %s", [events[2].pk])
    with pytest.raises(RechainRefused):
        rechain(["511722"])
    with pytest.raises(CommandError):
        call_command("audit", "rechain", stdout=io.StringIO(), stderr=io.StringIO())


def test_events_cannot_be_deleted_through_the_application(county):
    with pytest.raises(HardDeleteForbidden):
        Event.objects.filter(stream="511722").delete()
    with pytest.raises(HardDeleteForbidden):
        Event.objects.first().delete()
    assert Event.objects.filter(stream="511722").exists()


def test_the_sweep_writes_the_days_checkpoint_once(county, audit_dir):
    out = io.StringIO()
    call_command("sweep", stdout=out)
    files = list(audit_dir.glob("checkpoint-*.json"))
    assert len(files) == 1 and "检查点" in out.getvalue()
    out = io.StringIO()
    call_command("sweep", stdout=out)
    assert "检查点" not in out.getvalue()
    assert len((audit_dir / "operator.log").read_text().splitlines()) == 1
