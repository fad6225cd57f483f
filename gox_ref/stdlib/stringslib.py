"""The ``strings`` externs on raw bytes, exactly as Go's strings package.

Strings are byte strings that may hold invalid UTF-8.  Where Go decodes runes it uses
``decode_rune`` (Go's utf8.DecodeRune: an invalid or truncated sequence, a surrogate or a value
above U+10FFFF decodes as U+FFFD of width 1), which is not Python's "replace" error handler.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from gox_abi.errors import GoxPanic
from gox_abi.layout import GO_MAX_ALLOC
from gox_abi.unicode_tables import CASE_RANGES, UPPER_LOWER

from ..objects.string import RUNE_ERROR, decode_rune, encode_rune, runes

MAX_INT = (1 << 63) - 1


def decode_last_rune(s: bytes, end: int) -> tuple[int, int]:
    """Go's utf8.DecodeLastRune of s[:end]."""
    if end <= 0:
        return RUNE_ERROR, 0
    start = end - 1
    if s[start] < 0x80:
        return s[start], 1
    lim = max(end - 4, 0)
    start -= 1
    while start >= lim:
        if s[start] & 0xC0 != 0x80:  # utf8.RuneStart
            break
        start -= 1
    if start < 0:
        start = 0
    r, size = decode_rune(s[:end], start)
    if start + size != end:
        return RUNE_ERROR, 1
    return r, size


def rune_count(s: bytes) -> int:
    return len(runes(s))


# ------------------------------------------------------------------ Unicode case mapping

_CASE_LO = [cr[0] for cr in CASE_RANGES]
UPPER, LOWER, TITLE = 0, 1, 2


def to_case(case: int, r: int) -> int:
    """Go's unicode.To (simple case mapping through unicode.CaseRanges)."""
    k = bisect_right(_CASE_LO, r) - 1
    if k >= 0:
        lo, hi = CASE_RANGES[k][0], CASE_RANGES[k][1]
        if lo <= r <= hi:
            delta = CASE_RANGES[k][2 + case]
            if delta == UPPER_LOWER:
                # Alternating Upper/Lower pairs starting at lo: even offsets are upper case.
                return lo + (((r - lo) & ~1) | (case & 1))
            return r + delta
    return r


def to_upper_rune(r: int) -> int:
    if r < 0x80:
        return r - 32 if 0x61 <= r <= 0x7A else r
    return to_case(UPPER, r)


def to_lower_rune(r: int) -> int:
    if r < 0x80:
        return r + 32 if 0x41 <= r <= 0x5A else r
    return to_case(LOWER, r)


def is_space(r: int) -> bool:
    """Go's unicode.IsSpace (Unicode White_Space)."""
    if r <= 0xFF:
        return r in (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0)
    return r == 0x1680 or 0x2000 <= r <= 0x200A or r in (0x2028, 0x2029, 0x202F, 0x205F, 0x3000)


# ------------------------------------------------------------------ the externs


def index(s: bytes, sub: bytes) -> int:
    return s.find(sub)


def last_index(s: bytes, sub: bytes) -> int:
    return s.rfind(sub)


def contains(s: bytes, sub: bytes) -> bool:
    return sub in s


def has_prefix(s: bytes, p: bytes) -> bool:
    return s.startswith(p)


def has_suffix(s: bytes, p: bytes) -> bool:
    return s.endswith(p)


def _map_runes(s: bytes, fn: Callable[[int], int]) -> bytes:
    # strings.Map: every rune is mapped and re-encoded; an invalid byte decodes as U+FFFD
    # and is written as the 3-byte U+FFFD.  A valid input where nothing changes comes back
    # byte-identical, which is what Go returns too.
    return b"".join(encode_rune(fn(r)) for r, _ in runes(s))


def to_upper(s: bytes) -> bytes:
    if s.isascii():
        return s.upper()  # bytes.upper maps only a-z, as Go's ASCII fast path
    return _map_runes(s, to_upper_rune)


def to_lower(s: bytes) -> bytes:
    if s.isascii():
        return s.lower()
    return _map_runes(s, to_lower_rune)


def trim_space(s: bytes) -> bytes:
    """TrimFunc(s, unicode.IsSpace) (Go's ASCII fast path gives the same result)."""
    start = 0
    while start < len(s):
        r, w = decode_rune(s, start)
        if not is_space(r):
            break
        start += w
    end = len(s)
    while end > start:
        r, w = decode_last_rune(s, end)
        if not is_space(r):
            break
        end -= w
    return s[start:end]


def count(s: bytes, sub: bytes) -> int:
    if not sub:
        return rune_count(s) + 1
    return s.count(sub)  # non-overlapping, left to right, as Go


def repeat(s: bytes, n: int) -> bytes:
    if n == 0:
        return b""
    if n < 0:
        raise GoxPanic("strings: negative Repeat count")
    total = len(s) * n
    if total > MAX_INT:
        raise GoxPanic("strings: Repeat output length overflow")
    if total > GO_MAX_ALLOC:
        raise GoxPanic("runtime error: makeslice: len out of range")
    return s * n


def replace(s: bytes, old: bytes, new: bytes, n: int) -> bytes:
    if old == new or n == 0:
        return s
    m = count(s, old)
    if m == 0:
        return s
    if n < 0 or m < n:
        n = m
    out = []
    start = 0
    for i in range(n):
        j = start
        if not old:
            if i > 0:
                _, w = decode_rune(s, start)
                j += w
        else:
            j += s.find(old, start) - start
        out.append(s[start:j])
        out.append(new)
        start = j + len(old)
    out.append(s[start:])
    return b"".join(out)
