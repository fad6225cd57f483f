"""The function table as the ABI defines it: what an entry may be, and its size limit.

In C an entry is a native code pointer.  From Python an entry is a callable
``f(rt, *args) -> int | tuple[int, ...] | None`` (the calling convention of docs/ABI.md,
"Calling convention"), or an int standing for a native address.  Unset entries are None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

FuncEntry = Callable[..., Any] | int
# func_id is a uint32_t; the table is also kept to a size a host can allocate (an
# implementation limit both backends share: 16M functions).
MAX_FUNCS = 1 << 24
