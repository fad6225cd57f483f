// gox-ref show: the page's script (inlined into each page; docs/SHOW.md).  Plain JavaScript,
// no library, no network.  It rebuilds each step's state from the model's deltas exactly as
// gox_program/show/model.py's apply() does, and draws it.
"use strict";

const RUN = JSON.parse(document.getElementById("run").textContent);
const KEYED = ["goroutines", "channels", "objects", "roots"];
const WHOLE = ["gc"];
const TEXTS = ["stdout", "stderr"];
const CHECKPOINT_EVERY = 64; // a rebuilt state is kept every so many steps: a jump replays at most that many deltas
const FILL = { "white": "#ffffff", "gray": "#bbbbbb", "black": "#333333", "white(dead)": "#f8c8d0" };
const COLOURS = ["white", "gray", "black", "white(dead)"];
const W = 200, H = 78, GAP_X = 44, GAP_Y = 44, FIELD_LINES = 3, FIELD_CHARS = 30;

function emptyState() {
  return { goroutines: {}, channels: {}, objects: {}, roots: {}, gc: {}, stdout: "", stderr: "" };
}

// model.py's apply(): the next step's state (entries are replaced whole, never changed)
function apply(state, delta) {
  const s = Object.assign({}, state);
  for (const sec of KEYED) {
    const d = delta[sec];
    if (!d) continue;
    const part = Object.assign({}, s[sec]);
    if (d.set) Object.assign(part, d.set);
    if (d.del) for (const k of d.del) delete part[k];
    s[sec] = part;
  }
  for (const sec of WHOLE) if (sec in delta) s[sec] = delta[sec];
  for (const sec of TEXTS) if (sec in delta) s[sec] = s[sec] + delta[sec];
  return s;
}

const checkpoints = [];
(function rebuild() {
  let s = emptyState();
  RUN.deltas.forEach((d, i) => {
    s = apply(s, d);
    if (i % CHECKPOINT_EVERY === 0) checkpoints.push(s);
  });
})();

let cached = { index: -1, state: null };
function stateAt(i) {
  if (cached.index === i) return cached.state;
  let s, from;
  if (cached.index >= 0 && cached.index < i && i - cached.index <= CHECKPOINT_EVERY) {
    s = cached.state; from = cached.index + 1;
  } else {
    const c = Math.floor(i / CHECKPOINT_EVERY);
    s = checkpoints[c]; from = c * CHECKPOINT_EVERY + 1;
  }
  for (let j = from; j <= i; j++) s = apply(s, RUN.deltas[j]);
  cached = { index: i, state: s };
  return s;
}

function esc(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
function byId(section) {
  return Object.keys(section).sort((a, b) => a - b).map(k => section[k]);
}
function describe(step) {
  const [seq, gid, event, args] = step;
  const details = Object.keys(args).sort().map(k => ` ${k}=${JSON.stringify(args[k])}`).join("");
  return `clock ${seq} g${gid} ${event}${details}`;
}

// -- the static parts ------------------------------------------------------------------------
const $ = id => document.getElementById(id);
const slider = $("slider");
slider.max = RUN.steps.length - 1;
$("title").textContent = `${RUN.file} (seed ${RUN.seed}, exit status ${RUN.status})`;
if (RUN.from > 0 || RUN.to < RUN.total - 1) {
  $("window").textContent = ` a window: steps ${RUN.from}..${RUN.to} of 0..${RUN.total - 1}`;
}
$("source").innerHTML = RUN.source.split("\n").map((ln, i) =>
  `<div class="line" data-line="${i + 1}"><span class="no">${i + 1}</span>${esc(ln)}</div>`).join("");
const kinds = [...new Set(RUN.steps.map(s => s[2]))].sort();
const preferred = ["gc_step", "park", "panic", "select"].find(k => kinds.includes(k)) || kinds[0];
$("kind").innerHTML = kinds.map(k => `<option${k === preferred ? " selected" : ""}>${esc(k)}</option>`).join("");

// -- drawing a step -------------------------------------------------------------------------
function goroutineRows(state, delta) {
  const changed = (delta.goroutines && delta.goroutines.set) || {};
  return byId(state.goroutines).map(g => {
    let st = g.state;
    if (g.wait) st += ` (${g.wait}${g.chans.length ? " on " + g.chans.map(c => "#" + c).join(", ") : ""})`;
    const stack = g.stack.map(([fn, line]) => `${fn}:${line}`).join(" &gt; ");
    const defers = g.defers.map(fr => fr.join(", ")).join(" | ");
    return `<tr class="${g.state}${g.gid in changed ? " changed" : ""}" data-gid="${g.gid}" data-state="${g.state}">` +
      `<td>g${g.gid}</td><td class="mono">${esc(g.func)}</td><td class="state">${esc(st)}</td>` +
      `<td class="mono">${stack}</td><td class="mono">${esc(defers)}</td><td>${esc(g.panics.join(", "))}</td>` +
      `<td>${g.woken_by === null ? "" : "g" + g.woken_by}</td></tr>`;
  }).join("");
}

function channelRows(state, delta) {
  const changed = (delta.channels && delta.channels.set) || {};
  const q = ws => ws.map(w => `g${w.gid}${"value" in w ? "(" + w.value + ")" : ""}${w.case >= 0 ? " case " + w.case : ""}`).join(" ");
  return byId(state.channels).map(c =>
    `<tr class="${c.num in changed ? "changed" : ""}" data-num="${c.num}"><td>#${c.num}</td><td>${esc(c.elem)}</td><td>${c.cap}</td>` +
    `<td class="mono buf">[${esc(c.buf.join(" "))}]</td><td class="mono recvq">${esc(q(c.recvq))}</td>` +
    `<td class="mono sendq">${esc(q(c.sendq))}</td><td>${c.closed ? "closed" : ""}</td></tr>`).join("");
}

function gcLine(state, step) {
  const gc = state.gc;
  if (!gc.phase) return "gc: -";
  const count = {};
  for (const o of Object.values(state.objects)) count[o.color] = (count[o.color] || 0) + 1;
  const counts = COLOURS.filter(c => count[c]).map(c => `${count[c]} ${c}`).join(", ");
  let text = `gc: ${gc.phase}, ${gc.cycles} cycles done, ${Object.keys(state.objects).length} objects` +
    ` (${counts || "none"}), ${gc.live_bytes} live bytes, next cycle at ${gc.threshold}`;
  if (gc.gray.length) text += `; gray stack [${gc.gray.map(n => "#" + n).join(" ")}]`;
  if (step[2] === "gc_step" && step[3].freed.length) text += `; this step's sweep freed ${step[3].freed.map(n => "#" + n).join(" ")}`;
  if (step[2] === "shade") text += `; the write barrier shaded #${step[3].child} (stored into black #${step[3].parent})`;
  return text;
}

let focus = null;
function heapSvg(state, step) {
  let objs = byId(state.objects);
  const roots = {};
  for (const [where, num] of Object.values(state.roots)) (roots[num] = roots[num] || []).push(where);
  if (focus !== null && !(focus in state.objects)) focus = null;
  if (focus !== null) {
    const near = new Set([focus]);
    for (const o of objs) {
      const targets = o.edges.map(e => e[1]);
      if (o.num === focus) targets.forEach(t => near.add(t));
      else if (targets.includes(focus)) near.add(o.num);
    }
    objs = objs.filter(o => near.has(o.num));
  } else if (objs.length > RUN.summary_over) {
    return summaryTable(objs);
  }
  // in allocation order, in rows as wide as the panel (gox-ref heap's rows of 8, fitted)
  const row = Math.max(1, Math.floor(($("heap").clientWidth - 20) / (W + GAP_X)));
  const pos = {};
  objs.forEach((o, i) => { pos[o.num] = [10 + (i % row) * (W + GAP_X), GAP_Y + Math.floor(i / row) * (H + GAP_Y)]; });
  const shaded = step[2] === "shade" ? step[3].child : null;
  const parts = [];
  for (const o of objs) {
    const [x, y] = pos[o.num];
    for (const [slot, t] of o.edges) {
      if (!(t in pos)) continue;
      const [tx, ty] = pos[t];
      let x1 = x + W / 2, y1 = y + H, x2 = tx + W / 2, y2 = ty;
      if (ty === y && Math.abs(tx - x) > W + GAP_X) {
        // same row, not neighbours: an arc over the boxes between (a line would pass behind them)
        const lift = Math.min(GAP_Y - 6, 14 + Math.abs(tx - x) / 40);
        y1 = y2 = y;
        parts.push(`<path class="edge" d="M${x1},${y1} Q${(x1 + x2) / 2},${y - 2 * lift} ${x2},${y2}"/>` +
          `<text class="edge-label" text-anchor="middle" x="${(x1 + x2) / 2}" y="${y - lift - 2}">${esc(slot)}</text>`);
        continue;
      }
      if (ty === y) { y1 = y + H / 2; y2 = ty + H / 2; x1 = tx > x ? x + W : x; x2 = tx > x ? tx : tx + W; }
      else if (ty < y) { y1 = y; y2 = ty + H; }
      parts.push(`<line class="edge" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}"/>` +
        `<text class="edge-label" text-anchor="middle" x="${(x1 + x2) / 2}" y="${(y1 + y2) / 2 - 3}">${esc(slot)}</text>`);
    }
  }
  for (const o of objs) {
    const [x, y] = pos[o.num];
    const ink = o.color === "black" ? "#fff" : "#000";
    const cls = `obj${o.num in roots ? " root" : ""}${o.num === shaded ? " shaded" : ""}`;
    const fields = o.fields.slice(0, FIELD_LINES).map(f => f.length > FIELD_CHARS ? f.slice(0, FIELD_CHARS - 1) + "\u2026" : f);
    if (o.fields.length > FIELD_LINES) fields[FIELD_LINES - 1] = `\u2026 ${o.fields.length - FIELD_LINES + 1} more fields`;
    const tip = [o.title, o.color, ...o.fields, ...(roots[o.num] || []).map(r => "root: " + r)].join("\n");
    parts.push(`<g class="${cls}" data-num="${o.num}" data-color="${o.color}"><title>${esc(tip)}</title>` +
      `<rect class="box" x="${x}" y="${y}" width="${W}" height="${H}" fill="${FILL[o.color]}"/>` +
      `<text x="${x + 4}" y="${y + 13}" fill="${ink}" font-weight="bold">${esc(o.title)}</text>` +
      `<text x="${x + W - 4}" y="${y + 13}" fill="${ink}" text-anchor="end">${esc(o.color)}</text>` +
      fields.map((f, k) => `<text x="${x + 4}" y="${y + 30 + 14 * k}" fill="${ink}">${esc(f)}</text>`).join("") + "</g>");
  }
  const cols = Math.min(objs.length, row), rows = Math.ceil(objs.length / row);
  const width = 20 + cols * (W + GAP_X), height = GAP_Y + 10 + rows * (H + GAP_Y);
  return `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">` +
    `<path d="M0,0 L10,5 L0,10 z" fill="#678"/></marker></defs>${parts.join("")}</svg>`;
}

function summaryTable(objs) {
  const rows = {};
  for (const o of objs) {
    const key = `${o.kind} ${o.type}`.trim();
    rows[key] = rows[key] || { n: 0 };
    rows[key].n++;
    rows[key][o.color] = (rows[key][o.color] || 0) + 1;
  }
  const keys = Object.keys(rows).sort((a, b) => rows[b].n - rows[a].n || (a < b ? -1 : 1));
  return `<p>${objs.length} objects: too many to draw; type an object's number in "focus" to draw it and its neighbours.</p>` +
    `<table class="summary"><tr><th>kind type</th><th>objects</th>${COLOURS.map(c => `<th>${c}</th>`).join("")}</tr>` +
    keys.map(k => `<tr><td>${esc(k)}</td><td>${rows[k].n}</td>${COLOURS.map(c => `<td>${rows[k][c] || 0}</td>`).join("")}</tr>`).join("") +
    "</table>";
}

let marked = [];
function markSource(state, step) {
  for (const el of marked) el.classList.remove("current", "other");
  marked = [];
  const mark = (line, cls) => {
    const el = $("source").querySelector(`[data-line="${line}"]`);
    if (el) { el.classList.add(cls); marked.push(el); }
  };
  let current = null;
  for (const g of byId(state.goroutines)) {
    if (!g.stack.length) continue;
    const line = g.stack[g.stack.length - 1][1];
    if (g.gid === step[1]) current = g; else mark(line, "other");
  }
  if (current) {
    const line = current.stack[current.stack.length - 1][1];
    mark(line, "current");
    const el = $("source").querySelector(`[data-line="${line}"]`);
    if (el) el.scrollIntoView({ block: "nearest" });
  }
  $("stack").innerHTML = current
    ? `g${current.gid}: ` + current.stack.map(([fn, line]) => `<span class="mono">${esc(fn)}:${line}</span>`).join(" &gt; ") +
      (current.defers.length ? `; deferred: <span class="mono">${esc(current.defers.map(fr => fr.join(", ")).join(" | "))}</span>` : "") +
      (current.panics.length ? `; panicking: ${esc(current.panics.join(", "))}` : "")
    : "(no goroutine of the program is running)";
}

function draw(i) {
  const t0 = performance.now();
  const state = stateAt(i), step = RUN.steps[i], delta = RUN.deltas[i];
  slider.value = i;
  $("stepno").textContent = `step ${RUN.from + i} of 0..${RUN.total - 1}`;
  $("event").textContent = describe(step);
  document.body.dataset.step = RUN.from + i;
  document.body.dataset.event = step[2];
  $("goroutines").innerHTML = goroutineRows(state, delta);
  $("channels").innerHTML = channelRows(state, delta);
  $("gcline").textContent = gcLine(state, step);
  $("heap").innerHTML = heapSvg(state, step);
  markSource(state, step);
  $("output").innerHTML = esc(state.stdout) + (state.stderr ? `<span class="err">${esc(state.stderr)}</span>` : "");
  if (location.hash !== `#step=${RUN.from + i}`) history.replaceState(null, "", `#step=${RUN.from + i}`);
  document.body.dataset.redrawMs = (performance.now() - t0).toFixed(1);
}

// -- moving ---------------------------------------------------------------------------------
let at = 0;
function go(i) { at = Math.max(0, Math.min(RUN.steps.length - 1, i)); draw(at); }
function seek(dir) {
  const kind = $("kind").value;
  for (let j = at + dir; j >= 0 && j < RUN.steps.length; j += dir) if (RUN.steps[j][2] === kind) return go(j);
}
slider.addEventListener("input", () => go(Number(slider.value)));
$("first").onclick = () => go(0);
$("back").onclick = () => go(at - 1);
$("forward").onclick = () => go(at + 1);
$("last").onclick = () => go(RUN.steps.length - 1);
$("prevkind").onclick = () => seek(-1);
$("nextkind").onclick = () => seek(1);
$("focus").addEventListener("change", () => { const v = $("focus").value.replace("#", ""); focus = v === "" ? null : Number(v); draw(at); });
$("heap").addEventListener("click", e => {
  const g = e.target.closest(".obj");
  if (g) { focus = focus === Number(g.dataset.num) ? null : Number(g.dataset.num); $("focus").value = focus === null ? "" : focus; draw(at); }
});
document.addEventListener("keydown", e => {
  if (e.target.tagName === "INPUT" && e.target.type !== "range") return;
  if (e.key === "ArrowRight") { go(at + 1); e.preventDefault(); }
  if (e.key === "ArrowLeft") { go(at - 1); e.preventDefault(); }
});
const m = /step=(\d+)/.exec(location.hash);
go(m ? Number(m[1]) - RUN.from : 0);
