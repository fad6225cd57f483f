"""What a person at a terminal gets and a log does not: progress bars (tqdm) and colour.

Both appear only when their stream is a terminal and ``CI`` is not set (colour also not with
``NO_COLOR``, https://no-color.org); anywhere else (a log, a pipe, a CI job) the output is
plain text and the command's own summary is the whole record.  A bar is cleared when the work
is done (``leave=False``): the caller prints the summary once.
"""

from __future__ import annotations

import os
from typing import Never, TextIO

from tqdm import tqdm

# SGR codes of the colours the commands use
COLOURS = {"red": "31", "green": "32", "yellow": "33", "dim": "2"}


def interactive(stream: TextIO) -> bool:
    """A person is watching this stream: a terminal, and not under CI."""
    return stream.isatty() and not os.environ.get("CI")


def bar(stream: TextIO, total: float, desc: str, unit: str) -> tqdm[Never]:
    """A bar of ``total`` units (``disable``d where ``interactive`` says no: then every call on
    it is a no-op)."""
    return tqdm(total=total, desc=desc, unit=unit, file=stream, leave=False, dynamic_ncols=True,
                disable=not interactive(stream))


def paint(text: str, colour: str, stream: TextIO) -> str:
    """``text`` in ``colour`` (a key of COLOURS) for this stream: unchanged unless it is
    interactive and NO_COLOR is unset."""
    if not interactive(stream) or os.environ.get("NO_COLOR"):
        return text
    return f"\x1b[{COLOURS[colour]}m{text}\x1b[0m"
