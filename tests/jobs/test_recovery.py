"""A job outlives the process that ran it: `runner.recover` finds the jobs whose runner died on this host
(a gunicorn worker restarted, a deploy, a crash) and runs them again, up to MAX_ATTEMPTS; it leaves alone
what a live process runs and what another host runs; every recovery is an audit event."""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from minqing.audit.models import Event
from minqing.jobs import runner
from minqing.jobs.models import Job
from tests.jobs.conftest import join_job_threads

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls():
    """Two test kinds: one safe to run again, one not; `calls` lists the pks each run was given."""
    seen: list[int] = []

    def work(job, progress):
        seen.append(job.pk)
        progress(50, "一半")
        return "out.txt", f"job {job.pk}".encode()

    check = lambda user, params: (None, {})  # noqa: E731
    runner.register(runner.JobKind("test_safe", "可重做的任务", check, work, rerunnable=True))
    runner.register(runner.JobKind("test_unsafe", "不可重做的任务", check, work))
    yield seen
    runner.KINDS.pop("test_safe", None)
    runner.KINDS.pop("test_unsafe", None)


def dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    for _ in range(20):
        proc = subprocess.Popen(["true"])
        proc.wait()
        try:
            runner.os.kill(proc.pid, 0)
        except ProcessLookupError:
            return proc.pid
    raise AssertionError("no dead pid found")


@pytest.fixture
def live_process():
    """Another live process of this host (as a second gunicorn worker would be)."""
    proc = subprocess.Popen(["sleep", "300"])
    yield proc
    proc.kill()
    proc.wait()


def here(pid: int, started: str = "", token: str = "abc123") -> str:
    return str(runner.Runner(runner.me().host, pid, started, token))


def job_row(owner, runner_text: str, *, status: str = "running", kind: str = "test_safe", attempts: int = 1,
            age: dt.timedelta = dt.timedelta(0)) -> Job:
    job = Job.objects.create(owner=owner, kind=kind, status=status, runner=runner_text, attempts=attempts,
                             progress=40 if status == "running" else 0, message="正在处理",
                             started_at=timezone.now() if status == "running" else None)
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - age, created_at=timezone.now() - age)
    job.refresh_from_db()
    return job


def events(job: Job) -> list[tuple[str, dict]]:
    return list(Event.objects.filter(object_type="jobs.job", object_id=str(job.pk)).order_by("seq")
                .values_list("action", "changes"))


def test_a_claim_records_who_runs_the_job_and_counts_attempts(county, calls):
    job = runner.submit("test_safe", owner=county.cadre_a)
    assert (job.status, job.runner, job.attempts) == ("done", str(runner.me()), 1)
    me = runner.Runner.parse(job.runner)
    assert me == runner.me() and me.pid == runner.os.getpid() and me.started  # /proc on Linux
    assert runner.Runner.parse("") is None and runner.Runner.parse("a/b/c") is None


def test_the_identity_is_one_per_process_even_across_threads():
    runner._me = None
    seen: list[runner.Runner] = []
    threads = [threading.Thread(target=lambda: seen.append(runner.me())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 1 and seen[0] == runner.me()


def test_a_job_whose_process_died_is_run_again_and_completes(county, calls):
    old = here(dead_pid(), "12345")
    job = job_row(county.cadre_a, old)
    assert runner.recover() == 1
    job.refresh_from_db()
    assert (job.status, job.progress, job.message, job.attempts) == ("done", 100, "已完成", 2)
    assert job.runner == str(runner.me()) and job.result.read() == f"job {job.pk}".encode()
    assert calls == [job.pk]
    (a1, c1), (a2, c2) = events(job)
    assert (a1, a2) == ("job.recovered", "job.done")
    assert c1 == {"kind": "test_safe", "runner": old, "reason": "process_gone", "attempts": 1, "mode": "sync"}
    assert Event.objects.get(object_id=str(job.pk), action="job.recovered").actor_name == "system"
    assert runner.recover() == 0  # nothing left to do


def test_a_job_running_in_this_live_process_is_not_touched(county):
    """The run itself asks for recovery mid-way (as a page poll in another thread would)."""
    seen = []

    def work(job, progress):
        progress(30, "进行中")
        seen.append((runner.recover(), Job.objects.get(pk=job.pk).status))
        return "x.txt", b"x"

    runner.register(runner.JobKind("test_self", "自查任务", lambda u, p: (None, {}), work, rerunnable=True))
    try:
        job = runner.submit("test_self", owner=county.cadre_a)
    finally:
        runner.KINDS.pop("test_self")
    assert seen == [(0, "running")]
    assert (job.status, job.attempts) == ("done", 1)
    assert [a for a, _c in events(job)] == ["job.submitted", "job.done"]


def test_a_job_of_another_live_process_of_this_host_is_not_touched(county, calls, live_process):
    started = runner._proc_stat(live_process.pid)[1]
    job = job_row(county.cadre_a, here(live_process.pid, started))
    assert runner.recover() == 0
    job.refresh_from_db()
    assert (job.status, job.attempts, calls) == ("running", 1, [])
    assert events(job) == []


def test_a_reused_pid_is_told_apart_by_its_start_time(county, calls, live_process):
    """After a restart the pid may belong to an unrelated live process: its start time differs."""
    job = job_row(county.cadre_a, here(live_process.pid, "1"))
    assert runner.recover() == 1
    job.refresh_from_db()
    assert job.status == "done" and events(job)[0][1]["reason"] == "pid_reused"


def test_our_own_pid_with_another_token_was_a_previous_process(county, calls):
    """A container restart numbers processes from 1 again: the pid is ours, the token is not."""
    me = runner.me()
    job = job_row(county.cadre_a, str(runner.Runner(me.host, me.pid, me.started, "0ld0ld")))
    assert runner.recover() == 1
    job.refresh_from_db()
    assert job.status == "done" and events(job)[0][1]["reason"] == "pid_reused"


def test_a_job_this_process_claims_but_no_longer_runs_lost_its_thread(county, calls):
    job = job_row(county.cadre_a, str(runner.me()))
    assert runner.recover() == 1
    job.refresh_from_db()
    assert job.status == "done" and events(job)[0][1]["reason"] == "thread_lost"


def test_a_job_of_another_host_is_left_to_the_heartbeat(county, calls):
    job = job_row(county.cadre_a, str(runner.Runner("other-host", dead_pid(), "1", "abc")))
    assert runner.recover() == 0
    job.refresh_from_db()
    assert (job.status, calls, events(job)) == ("running", [], [])
    assert runner.reap_stale(timezone.now() + dt.timedelta(minutes=runner.STALE_MINUTES + 1)) == 1
    job.refresh_from_db()
    assert job.status == "failed"


def test_a_job_without_a_recorded_runner_is_left_to_the_heartbeat(county, calls):
    job = job_row(county.cadre_a, "")  # running before runners were recorded
    assert runner.recover() == 0
    job.refresh_from_db()
    assert job.status == "running"


def test_after_max_attempts_the_job_fails_with_a_message(county, calls):
    old = here(dead_pid())
    job = job_row(county.cadre_a, old, attempts=runner.MAX_ATTEMPTS)
    assert runner.recover() == 1
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", "服务进程已中断3次，不再自动重试，请稍后重新提交或联系管理员")
    assert job.finished_at is not None and calls == []
    [(action, changes)] = events(job)
    assert action == "job.failed" and changes["reason"] == "process_gone" and changes["message"] == job.message


def test_each_death_counts_until_the_cap(county, settings, calls):
    """Three runs die one after another: the first two are recovered, the third gives up."""
    settings.MINQING_JOBS_RUNNER = "worker"
    job = job_row(county.cadre_a, here(dead_pid()))
    for attempt in (2, 3):
        assert runner.recover() == 1
        taken = runner.claim(job.pk)  # a worker takes it…
        assert taken.attempts == attempt
        runner._release(job.pk)
        Job.objects.filter(pk=job.pk).update(runner=here(dead_pid()))  # …and dies
    assert runner.recover() == 1
    job.refresh_from_db()
    assert job.status == "failed" and "不再自动重试" in job.message
    assert [a for a, _c in events(job)] == ["job.recovered", "job.recovered", "job.failed"]


def test_a_kind_not_safe_to_run_twice_is_failed_not_rerun(county, calls):
    job = job_row(county.cadre_a, here(dead_pid()), kind="test_unsafe")
    assert runner.recover() == 1
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", "服务进程中断，此类任务不能自动重做，请核对结果后重新提交")
    assert calls == [] and events(job)[0][0] == "job.failed"


def test_the_built_in_kinds_are_declared_safe_to_run_again_except_the_import():
    assert {k: runner.KINDS[k].rerunnable for k in ("briefing_docx", "ledger_export", "ledger_import")} == {
        "briefing_docx": True, "ledger_export": True, "ledger_import": False}


def test_an_import_that_killed_its_worker_fails_as_a_bad_file_and_is_not_rerun(county):
    """A hostile spreadsheet that killed a worker must not kill two more: the crash fails that file."""
    from minqing.jobs.kinds import IMPORT_CRASHED

    job = job_row(county.cadre_a, here(dead_pid()), kind="ledger_import")
    assert runner.recover() == 1
    job.refresh_from_db()
    assert (job.status, job.message, job.attempts) == ("failed", IMPORT_CRASHED, 1)
    assert "文件可能过大或已损坏" in job.message
    assert [a for a, _c in events(job)] == ["job.failed"]
    assert runner.recover() == 0  # and it stays failed


def test_in_worker_mode_the_job_goes_back_to_the_queue_for_the_worker(county, settings, calls):
    settings.MINQING_JOBS_RUNNER = "worker"
    job = job_row(county.cadre_a, here(dead_pid()))
    assert runner.recover() == 1
    job.refresh_from_db()
    assert (job.status, job.runner, job.progress, job.message) == ("queued", "", 0, runner.RECOVERED_MESSAGE)
    assert calls == []
    call_command("worker", "--once")
    job.refresh_from_db()
    assert (job.status, job.attempts, calls) == ("done", 2, [job.pk])


@pytest.fixture
def started(monkeypatch):
    """Thread mode without threads: the pks handed to a thread, run at once in this one."""
    pks: list[int] = []

    def start(pk: int) -> None:
        pks.append(pk)
        runner.run(pk)

    monkeypatch.setattr(runner, "_start_thread", start)
    return pks


def test_a_queued_job_never_started_in_thread_mode_is_dispatched_again(
        county, settings, calls, started, live_process, django_capture_on_commit_callbacks):
    settings.MINQING_JOBS_RUNNER = "thread"
    old = dt.timedelta(minutes=1)
    starter = here(dead_pid())
    orphan = job_row(county.cadre_a, starter, status="queued", attempts=0, age=old)
    fresh = job_row(county.cadre_a, here(dead_pid()), status="queued", attempts=0)  # its thread may start yet
    alive = job_row(county.cadre_a, here(live_process.pid, runner._proc_stat(live_process.pid)[1]),
                    status="queued", attempts=0, age=old)  # its starter lives: its business
    away = job_row(county.cadre_a, str(runner.Runner("other-host", 1, "", "x")), status="queued", attempts=0,
                   age=old)  # queued on another host (its upload may be there)
    with django_capture_on_commit_callbacks(execute=True):
        assert runner.recover() == 1
    assert started == [orphan.pk] and calls == [orphan.pk]
    orphan.refresh_from_db()
    assert (orphan.status, orphan.attempts) == ("done", 1)
    assert events(orphan)[0] == ("job.recovered", {"kind": "test_safe", "runner": starter, "reason": "process_gone",
                                                   "attempts": 0, "mode": "thread"})
    for job in (fresh, alive, away):
        job.refresh_from_db()
        assert job.status == "queued" and events(job) == []


def test_our_own_queued_job_is_started_again_a_bounded_number_of_times(
        county, settings, calls, monkeypatch, django_capture_on_commit_callbacks):
    """We queued it and our thread never took it (it died, or the database was locked)."""
    settings.MINQING_JOBS_RUNNER = "thread"
    pks: list[int] = []
    monkeypatch.setattr(runner, "_start_thread", pks.append)  # the thread never claims
    clock = [1000.0]
    monkeypatch.setattr(runner.time, "monotonic", lambda: clock[0])
    job = job_row(county.cadre_a, str(runner.me()), status="queued", attempts=0, age=dt.timedelta(minutes=1))
    for _ in range(6):
        with django_capture_on_commit_callbacks(execute=True):
            runner.recover()
        with django_capture_on_commit_callbacks(execute=True):
            assert runner.recover() == 0  # not again at once
        clock[0] += runner.QUEUED_GRACE.total_seconds()
    assert pks == [job.pk] * runner.MAX_ATTEMPTS
    assert [a for a, _c in events(job)] == ["job.recovered"] * runner.MAX_ATTEMPTS
    job.refresh_from_db()
    assert job.status == "queued"  # then reap_stale decides, STALE_MINUTES after it was queued
    assert runner.reap_stale(timezone.now() + dt.timedelta(minutes=runner.STALE_MINUTES)) == 1


def test_a_run_whose_claim_was_taken_writes_nothing(county, settings, calls):
    """If the row went to another run (or was reaped) meanwhile, the old run neither reports progress
    nor leaves its file."""
    def work(job, progress):
        Job.objects.filter(pk=job.pk).update(runner="someone-else/1//x")
        return "late.txt", b"late"

    def chatty(job, progress):
        Job.objects.filter(pk=job.pk).update(status="failed", message="任务中断（服务曾重启），请重新提交")
        progress(50, "还在做")
        raise AssertionError("not reached")

    runner.register(runner.JobKind("test_late", "迟到的任务", lambda u, p: (None, {}), work))
    runner.register(runner.JobKind("test_chatty", "迟到的任务", lambda u, p: (None, {}), chatty))
    try:
        late = runner.submit("test_late", owner=county.cadre_a)
        chatty_job = runner.submit("test_chatty", owner=county.cadre_a)
    finally:
        runner.KINDS.pop("test_late")
        runner.KINDS.pop("test_chatty")
    assert (late.status, late.result_name, late.runner) == ("running", "", "someone-else/1//x")
    assert not list(Path(settings.MEDIA_ROOT).rglob("late*"))
    assert (chatty_job.status, chatty_job.message) == ("failed", "任务中断（服务曾重启），请重新提交")
    assert [a for a, _c in events(late)] == ["job.submitted"]
    assert [a for a, _c in events(chatty_job)] == ["job.submitted"]


def test_polling_pages_and_submitting_recover(county, calls, login, client, bearer):
    web = login(county.cadre_a)
    polled = job_row(county.cadre_a, here(dead_pid()))
    assert "100%" in web.get(f"/jobs/{polled.pk}/", headers={"HX-Request": "true"}).content.decode()
    listed = job_row(county.cadre_a, here(dead_pid()))
    web.get("/jobs/", headers={"HX-Request": "true"})
    api = job_row(county.cadre_a, here(dead_pid()))
    assert client.get(f"/api/v1/jobs/{api.pk}", headers=bearer(county.cadre_a)).json()["status"] == "done"
    on_submit = job_row(county.cadre_a, here(dead_pid()))
    runner.submit("test_safe", owner=county.cadre_a)
    for job in (polled, listed, api, on_submit):
        job.refresh_from_db()
        assert job.status == "done" and job.attempts == 2


def test_recovery_is_one_query_when_nothing_runs(county, calls, django_assert_num_queries):
    runner.submit("test_safe", owner=county.cadre_a)
    with django_assert_num_queries(1):
        assert runner.recover() == 0


def test_a_failing_recovery_never_reaches_the_page(county, calls, login, monkeypatch):
    def broken(now=None):
        Job.objects.raw("SELECT * FROM no_such_table")[0]  # a database error inside the request

    monkeypatch.setattr(runner, "recover", broken)
    job = runner.submit("test_safe", owner=county.cadre_a)
    web = login(county.cadre_a)
    assert web.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"}).status_code == 200
    assert web.get("/jobs/").status_code == 200  # and the transaction is still usable
    assert runner.recover_quietly() == 0


@pytest.mark.django_db(transaction=True)
def test_the_thread_runner_finishes_a_recovered_job(county, settings, calls):
    """For real: thread mode, a job left running by a dead process is restarted in a thread of this one."""
    settings.MINQING_JOBS_RUNNER = "thread"
    job = job_row(county.cadre_a, here(dead_pid()))
    assert runner.recover() == 1
    join_job_threads()
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("done", 2)
