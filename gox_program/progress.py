"""Progress bars on stderr (tqdm), for a person watching a terminal only.

A bar is drawn when its stream is a terminal and ``CI`` is not set; anywhere else (a log, a
pipe, a CI job) there is none, and the command's own summary is the whole record.  The bar is
cleared when the work is done (``leave=False``): the caller prints the summary once.
"""

from __future__ import annotations

import os
from typing import Never, TextIO

from tqdm import tqdm


def wanted(stream: TextIO) -> bool:
    """Draw a bar on this stream: a terminal, and not under CI."""
    return stream.isatty() and not os.environ.get("CI")


def bar(stream: TextIO, total: float, desc: str, unit: str) -> tqdm[Never]:
    """A bar of ``total`` units (``disable``d where ``wanted`` says no: then every call on it is
    a no-op)."""
    return tqdm(total=total, desc=desc, unit=unit, file=stream, leave=False, dynamic_ncols=True,
                disable=not wanted(stream))
