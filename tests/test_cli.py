"""The `minqing` console command."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "minqing"


def _run(*args):
    if not BIN.exists():
        pytest.fail(f"{BIN} is missing: install the package (pip install -e .)")
    env = {**os.environ, "MINQING_TESTING": "1"}
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=120, env=env)


def test_help_lists_the_commands():
    result = _run("--help")
    assert result.returncode == 0
    for command in ("demo", "serve", "audit", "import-divisions", "migrate"):
        assert f"  {command} " in result.stdout
    assert "DATABASE_URL" in result.stdout


def test_a_command_has_its_own_help():
    result = _run("import-divisions", "--help")
    assert result.returncode == 0 and "path" in result.stdout
    result = _run("audit", "--help")
    assert result.returncode == 0 and "verify" in result.stdout
