"""Keys against data (start-up guard, upgrade), the passphrase seal, retention of scheduled backups."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from minqing.ops import archive, keyguard, sealing


@pytest.mark.django_db(transaction=True)
def test_start_up_refuses_encrypted_data_without_its_keys(county, settings, tmp_path):
    settings.KEYS_FILE = tmp_path / "keys.json"
    settings.KEYS_MISSING = ["data", "hash"]
    with pytest.raises(keyguard.KeysMissing) as refused:
        keyguard.check_at_startup()
    assert "拒绝启动" in str(refused.value) and "MINQING_DATA_KEY" in str(refused.value)
    assert "MINQING_HASH_KEY" in str(refused.value) and "MINQING_SECRET_KEY" not in str(refused.value)
    assert not settings.KEYS_FILE.exists()


@pytest.mark.django_db(transaction=True)
def test_new_keys_are_kept_for_a_database_without_encrypted_data(settings, tmp_path):
    settings.KEYS_FILE = tmp_path / "var" / "keys.json"
    settings.KEYS_MISSING = ["secret", "data", "hash", "audit"]
    keyguard.check_at_startup()
    assert json.loads(settings.KEYS_FILE.read_text()) == settings.KEYS
    assert settings.KEYS_FILE.stat().st_mode & 0o777 == 0o600 and settings.KEYS_MISSING == []


@pytest.mark.django_db
def test_keys_are_checked_against_samples_of_every_encrypted_column(county, settings):
    samples = keyguard.live_samples()
    assert {"households_resident", "appeals_report"} & {s.table for s in samples}
    assert keyguard.problems(settings.KEYS, samples) == []
    assert keyguard.problems({**settings.KEYS, "data": "another"}, samples)
    assert any("散列" in p for p in keyguard.problems({**settings.KEYS, "hash": "another"}, samples))


@pytest.mark.django_db
def test_upgrade_migrates_rebuilds_the_search_index_and_checks_the_keys(county, settings, capsys):
    from minqing.appeals.services import register_appeal
    from minqing.nlp.models import SearchDoc

    register_appeal(actor=county.cadre_a, region=county.village_a, kind="problem", channel="visit",
                    title="路灯坏了", text="村口路灯坏了")
    SearchDoc.objects.all().delete()  # what an upgrade that forgot the index leaves
    call_command("upgrade", verbosity=0)
    out = capsys.readouterr().out
    assert "已重建索引" in out and "升级完成" in out and SearchDoc.objects.exists()
    settings.KEYS = {**settings.KEYS, "data": "typed-wrong-in-the-env-file"}
    with pytest.raises(CommandError, match="密钥与数据库中的数据不符"):
        call_command("upgrade", verbosity=0)


def test_the_seal_opens_only_with_its_passphrase():
    keys = {"secret": "s", "data": "d", "hash": "h"}
    box = sealing.seal(keys, "a-long-passphrase")
    assert b'"d"' not in box and sealing.unseal(box, "a-long-passphrase") == keys
    with pytest.raises(ValidationError, match="备份口令不正确"):
        sealing.unseal(box, "another-passphrase")
    with pytest.raises(ValidationError, match="至少 12 个字符"):
        sealing.seal(keys, "short")


def test_retention_keeps_the_newest_and_only_our_files(tmp_path):
    names = [f"minqing-2026030{d}-023000.tar.gz" for d in range(1, 6)]
    for name in [*names, "notes.txt", "minqing-manual.tar.gz"]:
        (tmp_path / name).write_text("x")
    gone = archive.prune(tmp_path, 2)
    assert sorted(p.name for p in gone) == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names[3:], "notes.txt", "minqing-manual.tar.gz"])


@pytest.mark.django_db(transaction=True)
def test_a_process_starting_second_adopts_the_keys_the_first_kept(settings, tmp_path):
    settings.KEYS_FILE = tmp_path / "keys.json"
    first = {"secret": "first-secret", "data": "first-data", "hash": "first-hash"}
    settings.KEYS_FILE.write_text(json.dumps(first))  # written by a process that started a moment earlier
    settings.KEYS = {"secret": "mine-secret", "data": "mine-data", "hash": "mine-hash"}
    settings.KEYS_MISSING = ["secret", "data", "hash"]
    keyguard.check_at_startup()
    assert settings.KEYS == first and settings.DATA_KEY == "first-data" and settings.HASH_KEY == "first-hash"
    assert json.loads(settings.KEYS_FILE.read_text()) == first
