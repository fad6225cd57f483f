"""The run as one self-contained HTML page (``gox-ref show FILE -o run.html``): the model's
steps and deltas as JSON, and the page's script and style (page.js, page.css, plain: no build
step, no library, no network), all inline.  The script rebuilds each step's state from the
deltas as ``model.apply`` does, so the page shows what ``--text`` words (docs/SHOW.md)."""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any

from gox_abi.heapview import LEGEND, SUMMARY_OVER

from .model import RunModel, diff, empty_state

_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>gox-ref show: {title}</title>
<style>{css}</style></head>
<body>
<header><h1><span id="title"></span><span class="window" id="window"></span></h1>
<span id="stepno"></span></header>
<div id="controls">
<button id="first" title="the first step">first</button>
<button id="back" title="one step back (left arrow)">&#x25C0;</button>
<input id="slider" type="range" min="0" value="0" aria-label="step">
<button id="forward" title="one step forward (right arrow)">&#x25B6;</button>
<button id="last" title="the last step">last</button>
<label>event <select id="kind"></select></label>
<button id="prevkind" title="the previous step of this event">previous</button>
<button id="nextkind" title="the next step of this event">next</button>
<label>focus #<input id="focus" size="5" title="an object's number: draw it and its neighbours"></label>
</div>
<div id="event"></div>
<main>
<section><h2>source (yellow: the running goroutine's line; blue: the others')</h2><div id="source"></div>
<h2>call stack</h2><div id="stack"></div></section>
<section><h2>goroutines</h2><table><thead><tr><th>id</th><th>function</th><th>state</th><th>stack</th>
<th>deferred</th><th>panics</th><th>woken by</th></tr></thead><tbody id="goroutines"></tbody></table>
<h2>channels</h2><table><thead><tr><th>chan</th><th>elem</th><th>cap</th><th>buffer</th><th>recvq</th><th>sendq</th>
<th></th></tr></thead><tbody id="channels"></tbody></table>
<h2>output</h2><pre id="output"></pre></section>
<section id="heapbox"><h2>heap</h2><div id="gcline"></div>
<div class="legend"><span style="background:#fff">white</span><span style="background:#bbb">gray</span>
<span style="background:#333;color:#fff">black</span><span style="background:#f8c8d0">white(dead)</span>
<span style="border:3px solid #2a6">root</span><span style="border:3px solid #f39c12">shaded by the barrier</span>
<small>{legend}</small></div>
<div id="heap"></div></section>
</main>
<script type="application/json" id="run">{data}</script>
<script>{js}</script>
</body></html>
"""


def window(model: RunModel, start: int | None, stop: int | None) -> tuple[int, int]:
    """Steps ``start..stop`` (inclusive; default: all) of the run, checked."""
    last = len(model.steps) - 1
    lo = 0 if start is None else start
    hi = last if stop is None else stop
    if not 0 <= lo <= hi <= last:
        raise ValueError(f"the run has steps 0..{last}; --from {lo} --to {hi} is not a window of them")
    return lo, hi


def page_data(model: RunModel, lo: int, hi: int) -> dict[str, Any]:
    """What the page reads: the window's steps and deltas, its first delta the whole state at
    ``lo`` (a delta from the empty state)."""
    first = diff(empty_state(), model.state_at(lo)) if lo else model.deltas[0]
    return {"file": model.file, "source": model.source, "seed": model.seed, "status": model.status,
            "total": len(model.steps), "from": lo, "to": hi, "summary_over": SUMMARY_OVER,
            "steps": [s.to_json() for s in model.steps[lo : hi + 1]],
            "deltas": [first, *model.deltas[lo + 1 : hi + 1]]}


def render(model: RunModel, lo: int = 0, hi: int | None = None) -> str:
    """The page of steps ``lo..hi`` of the run."""
    lo, hi = window(model, lo, hi)
    data = json.dumps(page_data(model, lo, hi), separators=(",", ":"))
    # inside <script>: no "</script" or "<!--" may end it early ("<" is only ever inside a
    # JSON string, where "\\u003c" is the same character)
    data = data.replace("<", "\\u003c")
    here = resources.files(__package__)
    return _TEMPLATE.format(title=html.escape(model.file), legend=html.escape(LEGEND), data=data,
                            css=(here / "page.css").read_text(), js=(here / "page.js").read_text())


__all__ = ["page_data", "render", "window"]
