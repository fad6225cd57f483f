"""The README's set-up scripts: scripts/run installs the package only when
what the install depends on changed, not on every call (it took 13.8 s for a 0.45 s job), and
into a virtual environment it makes (or the active one), never into the system's Python."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _fake_venv(tmp: Path) -> tuple[Path, Path]:
    """A virtual environment whose python is this one, except that `python -m pip` only
    records its call (the test must not install anything)."""
    venv = tmp / "venv"
    (venv / "bin").mkdir(parents=True)
    log = tmp / "calls.log"
    py = venv / "bin" / "python"
    py.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{log}"\n'
        'if [ "$1 $2" = "-m pip" ]; then exit 0; fi\n'
        f'exec "{sys.executable}" "$@"\n'
    )
    py.chmod(0o755)
    return venv, log


def _run(venv: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["GOX_VENV"] = str(venv)
    return subprocess.run(["bash", str(ROOT / "scripts" / "run"), "-k", "basics/hello"], capture_output=True,
                          text=True, env=env, timeout=300)


def test_run_installs_once_then_starts_at_once(tmp_path: Path) -> None:
    venv, log = _fake_venv(tmp_path)
    first = _run(venv)
    assert first.returncode == 0, first.stderr
    assert "installing gox-ref" in first.stderr
    assert sum("-m pip install" in ln for ln in log.read_text().splitlines()) == 1
    second = _run(venv)
    assert second.returncode == 0, second.stderr
    assert "is up to date" in second.stderr
    assert sum("-m pip install" in ln for ln in log.read_text().splitlines()) == 1, "installed again"
    assert "basics" in second.stdout  # the main job ran: the corpus table
    # a changed install input (here: the record of the last install) installs again
    (venv / ".gox-ref-install").write_text("stale\n")
    third = _run(venv)
    assert third.returncode == 0 and "installing gox-ref" in third.stderr
