"""Running the installed `muster` executable as a subprocess, the way scripts do."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PASS = {"MUSTER_REGISTRY_PASSPHRASE": "e2e registry pass", "MUSTER_KEY_PASSPHRASE": "e2e key pass"}


def muster_executable() -> str:
    """The `muster` console script installed beside this Python."""
    candidate = Path(sys.executable).parent / "muster"
    found = str(candidate) if candidate.exists() else shutil.which("muster")
    assert found, "the muster console script is not installed (pip install -e .)"
    return found


def run_bench(module: str, *args: str) -> subprocess.CompletedProcess[str]:
    """A benchmark (`python -m bench.<module> ARGS`) run from the checkout as a person runs
    it, with none of the environment's MUSTER_ settings; asserts that it succeeded."""
    proc = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *args],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("MUSTER_")},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


class Cli:
    """A registry in a directory, driven through the `muster` executable."""

    def __init__(self, workdir: Path, url: str | None = None) -> None:
        self.workdir = workdir
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("MUSTER_")}
        self.env.update(PASS)
        self.env["MUSTER_DATABASE_URL"] = url or f"sqlite:///{workdir / 'muster.db'}"

    def run(
        self, *args: str, env: dict[str, str] | None = None, ok: bool = True
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [muster_executable(), *args],
            cwd=self.workdir,
            env={**self.env, **(env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if ok:
            assert proc.returncode == 0, (args, proc.returncode, proc.stdout, proc.stderr)
        return proc

    def json(self, *args: str) -> Any:
        proc = self.run(*args, "--json")
        return json.loads(proc.stdout)  # exactly one JSON object, nothing else

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [muster_executable(), *args],
            cwd=self.workdir,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
