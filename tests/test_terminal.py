"""A terminal's extras (gox_program/terminal.py): progress bars (tqdm) and colour, on a terminal
only, never under CI; a bar is cleared at the end so that the summary is the last thing printed."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

import gox_ref
from gox_program import terminal

ROOT = Path(gox_ref.__file__).resolve().parents[1]
CLI = "import sys; from gox_program.cli import main; sys.exit(main(sys.argv[1:]))"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_only_on_a_terminal_and_never_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert terminal.interactive(_Tty()) and not terminal.interactive(io.StringIO())
    monkeypatch.setenv("CI", "1")
    assert not terminal.interactive(_Tty())
    b = terminal.bar(_Tty(), 3, "x", "case")
    assert b.disable  # a disabled bar: every call on it does nothing
    b.update(1)
    b.close()


def _on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, bytes, bytes]:
    """Run gox-ref with stderr on a pseudo-terminal of 100 columns; (status, stdout, stderr)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 100, 0, 0))
    proc = subprocess.Popen([sys.executable, "-c", CLI, *args], stdout=subprocess.PIPE, stderr=slave, env=env,
                            cwd=ROOT)
    os.close(slave)
    err = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        err += chunk
    out, _ = proc.communicate()
    os.close(master)
    return proc.returncode, out, err


@pytest.mark.parametrize("ci", [False, True])
def test_conformance_draws_its_bar_on_a_terminal_and_clears_it(ci: bool) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PYTHONPATH"] = str(ROOT)
    if ci:
        env["CI"] = "1"
    status, out, err = _on_a_terminal(["conformance", "conformance/basics"], env)
    assert status == 0 and b"total" in out
    if ci:
        assert err == b""
    else:
        n = len(list((ROOT / "conformance" / "basics").glob("*.gox")))
        assert b"conformance: " in err and f"/{n} [".encode() in err and b"0 failed" in err
        assert err.endswith(b"\r") and err.split(b"\r")[-2].strip() == b""  # cleared: the table is the last word


def test_colour_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert terminal.paint("FAIL", "red", _Tty()) == "\x1b[31mFAIL\x1b[0m"
    assert terminal.paint("FAIL", "red", io.StringIO()) == "FAIL"
    monkeypatch.setenv("NO_COLOR", "1")
    assert terminal.paint("FAIL", "red", _Tty()) == "FAIL"
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("CI", "true")
    assert terminal.paint("FAIL", "red", _Tty()) == "FAIL"
