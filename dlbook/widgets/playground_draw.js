// dlbook MLP playground, part of the front end that dlbook/widgets/playground.py joins into one ES module (_esm).
// The drawing: the decision-boundary heatmap, the points, the keyboard cursor and the loss curve, on canvases.
// Each function takes the Playground view (playground_controls.js) and reads its state.
import { SPEED_VALUES, fmtNumber, forward } from "./playground_math.js";

export const COLORS = ["#4e79a7", "#e15759", "#59a14f", "#b07aa1"]; // PALETTE class0..class3 (dlbook/widgets/_base.py)
export const COLOR_NAMES = ["blue", "red", "green", "purple"];
export const TEAL = "#17a2a2"; // PALETTE output: the loss curve
export const ORANGE = "#f28e2b"; // PALETTE kernel: the accuracy curve
export const MARGIN = 22; // axis margin around the data area, CSS pixels
export const CURVE_H = 96;
export function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
function cssRgb(text, fallback) {
  // "rgb(r, g, b)" / "#rrggbb" / "#rgb" -> [r, g, b]
  const t = (text || "").trim();
  let m = t.match(/^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)/);
  if (m) return [Number(m[1]), Number(m[2]), Number(m[3])];
  m = t.match(/^#([0-9a-f]{6})$/i);
  if (m) return hexToRgb(t);
  m = t.match(/^#([0-9a-f])([0-9a-f])([0-9a-f])$/i);
  if (m) return [m[1], m[2], m[3]].map((c) => parseInt(c + c, 16));
  return fallback;
}
const RGB = COLORS.map(hexToRgb);

export function colours(pg) {
  const style = getComputedStyle(pg.root);
  const v = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  const card = getComputedStyle(pg.canvas).backgroundColor;
  return {
    muted: v("--pg-muted", "#5f6b76"),
    lossText: v("--pg-loss-text", "#0f7b7b"),
    accText: v("--pg-acc-text", "#a65200"),
    fg: v("--pg-fg", "#1f2328"),
    card: cssRgb(card, [255, 255, 255]),
  };
}

export function heatmap(pg, card) {
  // Probabilities on a coarse G x G grid (cell centres), into a G x G ImageData that drawImage scales up smoothly.
  // Colours are blended with the plot's background (white in light mode, dark in dark mode).
  const sizes = pg.net.sizes;
  let cost = 0;
  for (let l = 0; l + 1 < sizes.length; l++) cost += sizes[l] * sizes[l + 1];
  const G = cost > 2500 ? 32 : cost > 600 ? 48 : 72; // cells a side: the widest networks get the coarsest grid
  if (!pg.gridX || pg.gridG !== G || pg.gridExtent !== pg.extent().join()) {
    const [x0, x1, y0, y1] = pg.extent();
    pg.gridX = new Float64Array(2 * G * G);
    for (let r = 0; r < G; r++) {
      for (let c = 0; c < G; c++) {
        const k = r * G + c;
        pg.gridX[2 * k] = x0 + ((c + 0.5) / G) * (x1 - x0);
        pg.gridX[2 * k + 1] = y1 - ((r + 0.5) / G) * (y1 - y0);
      }
    }
    pg.gridG = G;
    pg.gridExtent = pg.extent().join();
    pg.gridWs = null;
    pg.heat.width = G;
    pg.heat.height = G;
    pg.heatCtx = pg.heat.getContext("2d");
    pg.image = pg.heatCtx.createImageData(G, G);
  }
  const C = sizes[sizes.length - 1];
  const img = pg.image.data;
  const [br, bg, bb] = card;
  if (pg.diverged) {
    const grey = br > 128 ? 235 : 60;
    for (let k = 0; k < G * G; k++) { img[4 * k] = grey; img[4 * k + 1] = grey; img[4 * k + 2] = grey; img[4 * k + 3] = 255; }
  } else {
    pg.gridWs = forward(pg.net, pg.get("activation"), pg.gridX, G * G, pg.gridWs);
    const logits = pg.gridWs.zs[pg.gridWs.zs.length - 1];
    for (let k = 0; k < G * G; k++) {
      let m = -Infinity;
      let arg = 0;
      for (let c = 0; c < C; c++) if (logits[k * C + c] > m) { m = logits[k * C + c]; arg = c; }
      let s = 0;
      for (let c = 0; c < C; c++) s += Math.exp(logits[k * C + c] - m);
      const conf = (1 / s - 1 / C) / (1 - 1 / C); // 0 at chance, 1 when certain
      const a = 0.15 + 0.55 * (Number.isFinite(conf) ? Math.max(0, Math.min(1, conf)) : 0); // as dlbook.plotting.plot_decision_boundary
      const [r, g, b] = RGB[arg];
      img[4 * k] = Math.round(br + (r - br) * a);
      img[4 * k + 1] = Math.round(bg + (g - bg) * a);
      img[4 * k + 2] = Math.round(bb + (b - bb) * a);
      img[4 * k + 3] = 255;
    }
  }
  pg.heatCtx.putImageData(pg.image, 0, 0);
  pg.heatmaps = (pg.heatmaps || 0) + 1; // complete heatmaps drawn (benchmarks/playground.py counts them)
  pg.root.dataset.heatmaps = String(pg.heatmaps);
  return pg.heat;
}

export function drawPlot(pg) {
  const ctx = pg.canvas.getContext("2d");
  const dpr = pg.dpr;
  const side = pg.side;
  const P = pg.plot;
  const col = colours(pg);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, side, side);
  const heat = heatmap(pg, col.card);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "low";
  ctx.drawImage(heat, MARGIN, MARGIN, P, P);
  // axes and ticks
  ctx.strokeStyle = "rgba(128,128,128,0.5)";
  ctx.lineWidth = 1;
  ctx.strokeRect(MARGIN + 0.5, MARGIN + 0.5, P - 1, P - 1);
  ctx.fillStyle = col.muted;
  ctx.font = "11px system-ui, sans-serif";
  const [x0, x1, y0, y1] = pg.extent();
  const ticks = (a, b) => {
    const out = [];
    const step = Math.pow(10, Math.floor(Math.log10((b - a) / 2)));
    const st = (b - a) / step > 8 ? step * 2 : step;
    if (!(st > 0) || !Number.isFinite(st)) return out;
    for (let v = Math.ceil(a / st) * st; v <= b + 1e-9 * st && out.length < 20; v += st) out.push(Number(v.toPrecision(6)));
    return out;
  };
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const v of ticks(x0, x1)) {
    const [px] = pg.toPixel(v, 0);
    ctx.fillText(String(v), px, MARGIN + P + 5);
    ctx.fillRect(px, MARGIN + P, 1, 3);
  }
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const v of ticks(y0, y1)) {
    const [, py] = pg.toPixel(0, v);
    ctx.fillText(String(v), MARGIN - 5, py);
    ctx.fillRect(MARGIN - 3, py, 3, 1);
  }
  // points
  ctx.save();
  ctx.beginPath();
  ctx.rect(MARGIN, MARGIN, P, P);
  ctx.clip();
  // Filled discs with a thin dark rim, so that a point stays visible on the region of its own colour.
  const r = pg.N > 400 ? 2.6 : 4;
  ctx.lineWidth = pg.N > 400 ? 0.6 : 1;
  ctx.strokeStyle = "rgba(20, 20, 20, 0.75)";
  const testMask = pg.split ? pg.split().mask : null; // held-out test points are drawn hollow (rings)
  for (let c = 0; c < 4; c++) {
    ctx.fillStyle = COLORS[c];
    ctx.beginPath();
    for (let i = 0; i < pg.N; i++) {
      if (pg.y[i] !== c || (testMask && testMask[i])) continue;
      const [px, py] = pg.toPixel(pg.X[2 * i], pg.X[2 * i + 1]);
      ctx.moveTo(px + r, py);
      ctx.arc(px, py, r, 0, 2 * Math.PI);
    }
    ctx.fill();
    ctx.stroke();
  }
  if (testMask && testMask.includes(1)) {
    for (let c = 0; c < 4; c++) {
      ctx.beginPath();
      for (let i = 0; i < pg.N; i++) {
        if (pg.y[i] !== c || !testMask[i]) continue;
        const [px, py] = pg.toPixel(pg.X[2 * i], pg.X[2 * i + 1]);
        ctx.moveTo(px + r, py);
        ctx.arc(px, py, r, 0, 2 * Math.PI);
      }
      ctx.lineWidth = 3.4; // a dark rim under the coloured ring keeps it visible on a region of its own colour
      ctx.strokeStyle = "rgba(20, 20, 20, 0.75)";
      ctx.stroke();
      ctx.lineWidth = 1.8;
      ctx.strokeStyle = COLORS[c];
      ctx.stroke();
    }
  }
  // The keyboard cursor, while the plot has the focus.
  if (pg.cursor && pg.canvas.matches(":focus-visible")) {
    const [cx, cy] = pg.toPixel(...pg.cursor);
    ctx.strokeStyle = col.fg;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(cx, cy, 8, 0, 2 * Math.PI);
    ctx.moveTo(cx - 13, cy); ctx.lineTo(cx - 4, cy); ctx.moveTo(cx + 4, cy); ctx.lineTo(cx + 13, cy);
    ctx.moveTo(cx, cy - 13); ctx.lineTo(cx, cy - 4); ctx.moveTo(cx, cy + 4); ctx.lineTo(cx, cy + 13);
    ctx.stroke();
  }
  ctx.restore();
  if (!pg.N) {
    ctx.fillStyle = col.fg;
    ctx.font = "13px system-ui, sans-serif";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.fillText(P < 260 ? "Place points, or pick a preset" : "Click to place points, or pick a preset", MARGIN + P / 2, MARGIN + P / 2);
  }
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < pg.N; i++) counts[pg.y[i]]++;
  const classes = counts.slice(0, pg.get("n_classes")).map((n, c) => `${n} of class ${c}`).join(", ");
  pg.canvas.setAttribute("aria-label", `Data plot and decision boundary: ${pg.N} points (${classes}). Arrow keys move a cursor, Enter places a point, Delete removes the nearest.`);
}

export const LOSS_FLOOR = 1e-4; // the log axis clamps smaller losses here (a loss of 0 has no logarithm)

function fmtAxis(v) {
  if (!Number.isFinite(v)) return "–";
  return v >= 100 ? v.toFixed(0) : v >= 1 ? String(Number(v.toPrecision(3))) : String(Number(v.toPrecision(2)));
}

// The loss axis: [lo, hi] in axis units (log10 of the loss, or the loss) over the rows' finite losses.
export function lossAxis(values, log) {
  const f = (v) => (log ? Math.log10(Math.max(LOSS_FLOOR, v)) : v);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, f(v));
    hi = Math.max(hi, f(v));
  }
  if (!Number.isFinite(lo)) return null;
  if (!log) lo = 0;
  if (!(hi - lo > 1e-9)) {
    hi = log ? hi + 0.5 : Math.max(hi, 1e-6) * 1.1;
    lo = log ? lo - 0.5 : 0;
  }
  return { lo, hi, f, label: (a) => fmtAxis(log ? Math.pow(10, a) : a) };
}

export function drawCurve(pg) {
  const ctx = pg.curve.getContext("2d");
  const dpr = pg.dpr;
  const W = pg.side;
  const H = CURVE_H;
  const col = colours(pg);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, W, H);
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "top";
  ctx.textAlign = "left";
  const last = pg.history.length ? pg.history[pg.history.length - 1] : null;
  const hasTest = pg.history.some((r) => r.length >= 5 && Number.isFinite(r[3]));
  const testOf = (r, k, pct) => (hasTest && r && r.length >= 5 ? ` (test ${pct ? fmtNumber(100 * r[k], 1, "%") : fmtNumber(r[k])})` : "");
  let lossText = pg.diverged ? "training loss: diverged" : "training loss" + (last ? " " + fmtNumber(last[1]) + testOf(last, 3) : "");
  let accText = pg.diverged ? "" : "accuracy" + (last ? " " + fmtNumber(100 * last[2], 1, "%") + testOf(last, 4, true) : "");
  if (ctx.measureText(lossText).width + ctx.measureText(accText).width + 12 > W - 2 * MARGIN) {
    lossText = lossText.replace(/^training loss/, "loss"); // shorter labels when both would not fit on one line
    accText = accText.replace(/^accuracy/, "acc.");
  }
  ctx.fillStyle = col.lossText;
  ctx.fillText(lossText, MARGIN, 4);
  ctx.textAlign = "right";
  ctx.fillStyle = col.accText;
  const crowded = ctx.measureText(lossText).width + ctx.measureText(accText).width + 12 > W - 2 * MARGIN;
  ctx.fillText(accText, W - MARGIN, crowded ? 17 : 4); // a second line when the two labels would overlap
  const log = pg.logLoss !== false;
  pg.curve.setAttribute("aria-label", last ? `Curve of the ${lossText} and ${accText || "accuracy"} over ${pg.history.length} records, up to epoch ${last[0]}; loss axis ${log ? "logarithmic" : "linear"}` : "Training loss and accuracy: no training yet");
  const h = pg.history.filter((r) => Number.isFinite(r[1]) && Number.isFinite(r[2]));
  const top = W < 330 && hasTest ? 32 : 20;
  const bottom = H - 15;
  ctx.strokeStyle = "rgba(128,128,128,0.35)";
  ctx.beginPath();
  ctx.moveTo(MARGIN, bottom + 0.5);
  ctx.lineTo(W - MARGIN, bottom + 0.5);
  ctx.stroke();
  pg.root.dataset.lossAxis = "";
  if (h.length < 2) {
    ctx.fillStyle = col.muted;
    ctx.textAlign = "center";
    ctx.fillText(pg.diverged ? "press Reset to start again" : "press Train to see the loss fall", W / 2, (top + bottom) / 2);
    return;
  }
  const e0 = h[0][0];
  const e1 = h[h.length - 1][0];
  const losses = [];
  for (const r of h) {
    losses.push(r[1]);
    if (hasTest && r.length >= 5) losses.push(r[3]);
  }
  const axis = lossAxis(losses, log);
  const xOf = (e) => MARGIN + ((e - e0) / Math.max(1, e1 - e0)) * (W - 2 * MARGIN);
  const yOf = (v) => bottom - Math.min(1, Math.max(0, v)) * (bottom - top);
  const line = (idx, norm, color, dashed) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.6;
    ctx.setLineDash(dashed ? [4, 3] : []);
    ctx.beginPath();
    let started = false;
    for (const r of h) {
      if (r.length <= idx || !Number.isFinite(r[idx])) continue;
      const x = xOf(r[0]);
      const y = yOf(norm(r[idx]));
      if (!started) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
      started = true;
    }
    ctx.stroke();
    ctx.setLineDash([]);
  };
  const lossNorm = (v) => (axis.f(v) - axis.lo) / (axis.hi - axis.lo);
  line(2, (v) => v, ORANGE, false);
  if (hasTest) line(4, (v) => v, ORANGE, true);
  line(1, lossNorm, TEAL, false);
  if (hasTest) line(3, lossNorm, TEAL, true);
  // the loss axis: its top and bottom values (never NaN or -Infinity: the axis is clamped, LOSS_FLOOR on a log axis)
  const hiText = axis.label(axis.hi);
  const loText = axis.label(axis.lo) + (log ? " (log)" : "");
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  for (const [t, y] of [[hiText, top], [loText, bottom - 6]]) {
    const w = ctx.measureText(t).width + 4;
    ctx.fillStyle = `rgb(${col.card.join(",")})`;
    ctx.fillRect(MARGIN - 2, y - 7, w, 14);
    ctx.fillStyle = col.lossText;
    ctx.fillText(t, MARGIN, y);
  }
  pg.root.dataset.lossAxis = `${loText.replace(" (log)", "")} ${hiText}`;
  ctx.fillStyle = col.muted;
  ctx.textBaseline = "bottom";
  ctx.textAlign = "left";
  ctx.fillText("epoch " + e0 + (hasTest ? "  (dashed: test)" : ""), MARGIN, H);
  ctx.textAlign = "right";
  ctx.fillText("epoch " + e1, W - MARGIN, H);
}

// ---------------------------------------------------------------------------------------------------------------
// The network view: the layers as columns of units. Each input and hidden unit is a small heatmap of what it
// computes over the plane (its activation on the heatmap's grid, from the same forward pass: no extra arithmetic),
// each output unit the probability of its class; edges are coloured by the weight's sign and sized by |weight|.
// Hovering, or the arrow keys on the focused view, shows a unit's or an edge's value.
// ---------------------------------------------------------------------------------------------------------------
const NET_MAX_ROWS = 16; // a layer of more units wraps into several sub-columns of at most this many
const NET_MAX_H = 420; // CSS pixels: the view's height for tall layers
const NET_GAP = 3;
const NET_MAX_EDGES = 600; // a layer with more weights draws only this many of the largest
const NET_EVERY_MS = 100; // while training, the view is redrawn at most 10 times a second
const FEATURE_LABELS = { x1: "x₁", x2: "x₂", "x1^2": "x₁²", "x2^2": "x₂²", "x1*x2": "x₁x₂", "sin(x1)": "sin x₁", "sin(x2)": "sin x₂" };

function fmtValue(v) {
  if (!Number.isFinite(v)) return "not finite";
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toFixed(3);
}

function netColours(pg) {
  const style = getComputedStyle(pg.root);
  const v = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
  return { pos: hexToRgb(v("--pg-pos", "#2166ac")), neg: hexToRgb(v("--pg-neg", "#c85a00")) };
}

function layerName(l, L) {
  return l === 0 ? "input" : l === L ? "output" : L === 2 ? "hidden layer" : `hidden layer ${l}`;
}

function unitName(pg, l, j) {
  const L = pg.net.sizes.length - 1;
  if (l === 0) {
    const f = pg.net.features && pg.net.features.length ? pg.net.features[j] : ["x1", "x2"][j];
    return `input ${FEATURE_LABELS[f] || f}`;
  }
  if (l === L) return `output for class ${j} (${COLOR_NAMES[j]})`;
  return `${layerName(l, L)}, unit ${j + 1}`;
}

// Where everything goes, for a view `width` CSS pixels wide: sub-columns per layer, the tile side, unit positions.
export function netLayout(sizes, width) {
  const L = sizes.length - 1;
  const cols = sizes.map((n) => Math.ceil(n / NET_MAX_ROWS));
  const rows = sizes.map((n, l) => Math.ceil(n / cols[l]));
  const maxRows = Math.max(...rows);
  const top = 18; // the column titles
  const spacingMin = 26;
  const sumCols = cols.reduce((a, b) => a + b, 0);
  const byWidth = Math.floor((width - 16 - L * spacingMin) / sumCols) - NET_GAP;
  const byHeight = Math.floor((NET_MAX_H - top) / maxRows) - NET_GAP;
  const s = Math.max(8, Math.min(36, byWidth, byHeight));
  const blockW = cols.map((c) => c * (s + NET_GAP) - NET_GAP);
  const used = blockW.reduce((a, b) => a + b, 0);
  const spacing = L ? Math.max(spacingMin, Math.min(140, (width - 16 - used) / L)) : 0;
  const total = used + spacing * L;
  let x = Math.max(8, (width - total) / 2);
  const H = top + maxRows * (s + NET_GAP) + 4;
  const layers = sizes.map((n, l) => {
    const h = rows[l] * (s + NET_GAP) - NET_GAP;
    const y0 = top + (H - top - 4 - h) / 2;
    const units = [];
    for (let j = 0; j < n; j++) {
      const c = Math.floor(j / rows[l]);
      const r = j % rows[l];
      units.push({ x: x + c * (s + NET_GAP), y: y0 + r * (s + NET_GAP) });
    }
    const out = { x, w: blockW[l], units };
    x += blockW[l] + spacing;
    return out;
  });
  return { s, H, W: width, layers };
}

export function buildNetworkView(pg, el) {
  pg.netCanvas = el("canvas", {
    class: "pg-net", tabindex: "0", role: "application", "aria-roledescription": "network diagram",
    "aria-label": "Network view", "aria-describedby": pg.uid + "-net-hint",
  });
  pg.netTip = el("div", { class: "pg-net-tip", "aria-hidden": "true" });
  pg.netWrap = el("div", { class: "pg-net-wrap" }, [pg.netCanvas, pg.netTip]);
  pg.netSel = null; // {kind: "unit", l, j} or {kind: "edge", l, j, i}: the weight W_l[j, i] into unit j of layer l
  pg.netHover = null;
  pg.netAtlas = document.createElement("canvas");
  const box = el("div", { class: "pg-sec pg-netview", role: "group", "aria-labelledby": pg.uid + "-netview" }, [
    el("div", { class: "pg-h", id: pg.uid + "-netview", text: "Network view" }),
    pg.netWrap,
    el("div", { class: "pg-hint", id: pg.uid + "-net-hint", text: "Each square is what a unit computes over the plane (blue positive, orange negative; the outputs show each class's probability). Lines are the weights: blue positive, orange negative, thicker for larger |w| (in a layer of more than 600 weights, only the 600 largest). Hover, or focus the view and use the arrow keys (Shift with Up/Down steps through a unit's incoming weights), to read a value." }),
  ]);
  const c = pg.netCanvas;
  const at = (e) => {
    const r = c.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top];
  };
  c.addEventListener("pointermove", (e) => pg.safe(() => {
    const hit = netHitTest(pg, ...at(e));
    if (JSON.stringify(hit) !== JSON.stringify(pg.netHover)) {
      pg.netHover = hit;
      drawNetwork(pg, true);
    }
  }));
  c.addEventListener("pointerleave", () => pg.safe(() => {
    pg.netHover = null;
    drawNetwork(pg, true);
  }));
  c.addEventListener("keydown", (e) => pg.safe(() => netKey(pg, e)));
  c.addEventListener("focus", () => pg.safe(() => {
    if (!pg.netSel) pg.netSel = { kind: "unit", l: Math.min(1, pg.net.sizes.length - 1), j: 0 };
    drawNetwork(pg, true);
    pg.announce(netDescribe(pg, pg.netSel));
  }));
  c.addEventListener("blur", () => pg.safe(() => drawNetwork(pg, true)));
  if (typeof ResizeObserver !== "undefined") {
    pg.netResizer = new ResizeObserver((entries) => pg.safe(() => {
      pg.netWidth = Math.floor(entries[entries.length - 1].contentRect.width);
      drawNetwork(pg, true);
    }));
    pg.netResizer.observe(pg.netWrap);
  }
  return box;
}

function netKey(pg, e) {
  const sizes = pg.net.sizes;
  const L = sizes.length - 1;
  let s = pg.netSel || { kind: "unit", l: Math.min(1, L), j: 0 };
  const unit = (l, j) => ({ kind: "unit", l, j: Math.max(0, Math.min(sizes[l] - 1, j)) });
  if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
    const l = Math.max(0, Math.min(L, s.l + (e.key === "ArrowLeft" ? -1 : 1)));
    s = unit(l, s.j);
  } else if ((e.key === "ArrowUp" || e.key === "ArrowDown") && e.shiftKey) {
    // The incoming weights of the current unit, one by one (input units have none).
    if (s.l === 0) return;
    const n = sizes[s.l - 1];
    const i = s.kind === "edge" ? s.i + (e.key === "ArrowUp" ? -1 : 1) : 0;
    s = i < 0 || i >= n ? unit(s.l, s.j) : { kind: "edge", l: s.l, j: s.j, i };
  } else if (e.key === "ArrowUp" || e.key === "ArrowDown") {
    s = unit(s.l, s.j + (e.key === "ArrowUp" ? -1 : 1));
  } else if (e.key === "Home" || e.key === "End") {
    s = unit(s.l, e.key === "Home" ? 0 : sizes[s.l] - 1);
  } else if (e.key === "Escape") {
    s = unit(s.l, s.j);
  } else {
    return;
  }
  e.preventDefault();
  pg.netSel = s;
  drawNetwork(pg, true);
  pg.announce(netDescribe(pg, s));
}

// The value of a unit or an edge, in words (the tooltip and the live region say this).
export function netDescribe(pg, s) {
  if (!s || !pg.net) return "";
  const sizes = pg.net.sizes;
  if (s.l >= sizes.length || s.j >= sizes[s.l]) return "";
  if (s.kind === "edge") {
    if (s.i >= sizes[s.l - 1]) return "";
    const w = pg.net.W[s.l - 1][s.j * sizes[s.l - 1] + s.i];
    return `Weight from ${unitName(pg, s.l - 1, s.i)} to ${unitName(pg, s.l, s.j)}: ${fmtValue(w)}`;
  }
  const name = unitName(pg, s.l, s.j);
  const r = pg.netRanges && pg.netRanges[s.l] ? pg.netRanges[s.l][s.j] : null;
  const range = r ? `, from ${fmtValue(r[0])} to ${fmtValue(r[1])} over the plane` : "";
  if (s.l === 0) return `${name[0].toUpperCase()}${name.slice(1)}${range}`;
  const b = pg.net.b[s.l - 1][s.j];
  const what = s.l === sizes.length - 1 ? "probability" : "activation";
  return `${name[0].toUpperCase()}${name.slice(1)}: bias ${fmtValue(b)}; ${what}${range || " not drawn"}`;
}

function netHitTest(pg, x, y) {
  const lay = pg.netLay;
  if (!lay || !pg.net) return null;
  const s = lay.s;
  for (let l = 0; l < lay.layers.length; l++) {
    const u = lay.layers[l].units;
    for (let j = 0; j < u.length; j++) if (x >= u[j].x && x <= u[j].x + s && y >= u[j].y && y <= u[j].y + s) return { kind: "unit", l, j };
  }
  let best = null;
  let bestD = 16; // squared CSS pixels: within 4 px of the line
  for (let l = 1; l < lay.layers.length; l++) {
    const src = lay.layers[l - 1].units;
    const dst = lay.layers[l].units;
    const W = pg.net.W[l - 1];
    const cut = (pg.netCuts && pg.netCuts[l]) || 0; // edges that are not drawn cannot be hovered
    for (let j = 0; j < dst.length; j++) {
      const bx = dst[j].x;
      const by = dst[j].y + s / 2;
      for (let i = 0; i < src.length; i++) {
        if (Math.abs(W[j * src.length + i]) < cut) continue;
        const ax = src[i].x + s;
        const ay = src[i].y + s / 2;
        const dx = bx - ax;
        const dy = by - ay;
        const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy || 1)));
        const d = (ax + t * dx - x) ** 2 + (ay + t * dy - y) ** 2;
        if (d < bestD) { bestD = d; best = { kind: "edge", l, j, i }; }
      }
    }
  }
  return best;
}

// Paint the tiles of every unit into one ImageData atlas (T x T pixels per tile, from the heatmap's G x G grid).
function paintTiles(pg, card, colours) {
  const ws = pg.gridWs;
  const G = pg.gridG;
  const sizes = pg.net.sizes;
  const L = sizes.length - 1;
  const stride = G > 48 ? 2 : 1;
  const T = Math.floor(G / stride);
  const total = sizes.reduce((a, b) => a + b, 0);
  const perRow = Math.max(1, Math.min(total, 16));
  const aw = perRow * T;
  const ah = Math.ceil(total / perRow) * T;
  if (pg.netAtlas.width !== aw || pg.netAtlas.height !== ah || !pg.netImage) {
    pg.netAtlas.width = aw;
    pg.netAtlas.height = ah;
    pg.netAtlasCtx = pg.netAtlas.getContext("2d");
    pg.netImage = pg.netAtlasCtx.createImageData(aw, ah);
  }
  const img = pg.netImage.data;
  const [br, bg, bb] = card;
  const ranges = [];
  const where = [];
  let k = 0;
  const C = sizes[L];
  const logits = ws && ws.zs[L - 1];
  // the outputs' tiles: each class's softmax probability on the grid
  if (!pg.netProbs || pg.netProbs.length !== G * G * C) pg.netProbs = new Float64Array(G * G * C);
  const probs = pg.netProbs;
  for (let cell = 0; cell < G * G; cell++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, logits[cell * C + c]);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += (probs[cell * C + c] = Math.exp(logits[cell * C + c] - m));
    for (let c = 0; c < C; c++) probs[cell * C + c] /= sum;
  }
  for (let l = 0; l <= L; l++) {
    const n = sizes[l];
    const vals = l === 0 ? ws.hs[0] : l < L ? ws.hs[l] : null;
    ranges.push([]);
    for (let j = 0; j < n; j++, k++) {
      const ox = (k % perRow) * T;
      const oy = Math.floor(k / perRow) * T;
      where.push([ox, oy, T]);
      let lo = Infinity;
      let hi = -Infinity;
      const src = vals || probs;
      const w = vals ? n : C;
      const tile = pg.netTile && pg.netTile.length === T * T ? pg.netTile : (pg.netTile = new Float64Array(T * T));
      for (let r = 0; r < T; r++) {
        for (let c = 0; c < T; c++) {
          const v = src[(r * stride * G + c * stride) * w + j];
          tile[r * T + c] = v;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
      ranges[l].push([lo, hi]);
      const scale = vals ? Math.max(Math.abs(lo), Math.abs(hi)) || 1 : 1;
      const rgbOut = vals ? null : RGB[j];
      for (let r = 0; r < T; r++) {
        for (let c = 0; c < T; c++) {
          const v = tile[r * T + c];
          const t = Number.isFinite(v) ? Math.max(-1, Math.min(1, v / scale)) : 0;
          const [cr, cg, cb] = rgbOut || (t >= 0 ? colours.pos : colours.neg);
          const a = rgbOut ? 0.1 + 0.9 * t : Math.abs(t);
          const p = 4 * ((oy + r) * aw + ox + c);
          img[p] = br + (cr - br) * a;
          img[p + 1] = bg + (cg - bg) * a;
          img[p + 2] = bb + (cb - bb) * a;
          img[p + 3] = 255;
        }
      }
    }
  }
  pg.netAtlasCtx.putImageData(pg.netImage, 0, 0);
  pg.netRanges = ranges;
  return where;
}

// Redraw the view (at most every NET_EVERY_MS while training, unless `now`).
export function drawNetwork(pg, now = false) {
  if (!pg.netCanvas || !pg.net) return;
  const t = performance.now();
  if (!now && pg.running && t - (pg.netDrawn || 0) < NET_EVERY_MS) return;
  pg.netDrawn = t;
  // The width from the ResizeObserver: measuring the box here would force a layout in every frame.
  if (!pg.netWidth) pg.netWidth = Math.floor(pg.netWrap.getBoundingClientRect().width || 600);
  const width = Math.max(200, pg.netWidth);
  const sizes = pg.net.sizes;
  const L = sizes.length - 1;
  const lay = netLayout(sizes, width);
  pg.netLay = lay;
  // The tiles' places (CSS pixels), for tests and for readers' scripts: {s, units: [[[x, y], ...] per layer]}.
  const places = JSON.stringify({ s: lay.s, units: lay.layers.map((layer) => layer.units.map((u) => [Math.round(u.x * 10) / 10, Math.round(u.y * 10) / 10])) });
  if (pg.netCanvas.dataset.layout !== places) pg.netCanvas.dataset.layout = places;
  const dpr = pg.dpr || 1;
  const c = pg.netCanvas;
  if (c.width !== Math.round(width * dpr) || c.height !== Math.round(lay.H * dpr)) {
    c.width = Math.round(width * dpr);
    c.height = Math.round(lay.H * dpr);
    c.style.width = width + "px";
    c.style.height = lay.H + "px";
  }
  const ctx = c.getContext("2d");
  const col = colours(pg);
  const nc = netColours(pg);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, lay.H);
  const s = lay.s;
  pg.netCuts = [];
  // the edges, in a few batches (sign x magnitude) so that thousands of lines cost a few strokes
  const BUCKETS = 6;
  for (let l = 1; l <= L; l++) {
    const W = pg.net.W[l - 1];
    const nin = sizes[l - 1];
    let max = 0;
    for (let k = 0; k < W.length; k++) if (Math.abs(W[k]) > max) max = Math.abs(W[k]);
    if (!(max > 0) || !Number.isFinite(max)) continue;
    const src = lay.layers[l - 1].units;
    const dst = lay.layers[l].units;
    // A dense layer (64 x 64 = 4,096 weights) would be a solid block: only its NET_MAX_EDGES largest are drawn.
    const dense = W.length > NET_MAX_EDGES;
    let cut = 0;
    if (dense) cut = Float64Array.from(W, Math.abs).sort()[W.length - NET_MAX_EDGES];
    pg.netCuts[l] = cut;
    for (let q = 0; q < BUCKETS; q++) {
      for (let sign = 0; sign < 2; sign++) {
        const rgb = sign ? nc.neg : nc.pos;
        ctx.beginPath();
        let any = false;
        for (let j = 0; j < dst.length; j++) {
          for (let i = 0; i < nin; i++) {
            const w = W[j * nin + i];
            if ((w < 0) !== (sign === 1) || Math.abs(w) < cut) continue;
            const m = Math.abs(w) / max;
            if (Math.min(BUCKETS - 1, Math.floor(m * BUCKETS)) !== q) continue;
            ctx.moveTo(src[i].x + s, src[i].y + s / 2);
            ctx.lineTo(dst[j].x, dst[j].y + s / 2);
            any = true;
          }
        }
        if (!any) continue;
        const m = (q + 0.5) / BUCKETS;
        ctx.strokeStyle = `rgba(${rgb[0]},${rgb[1]},${rgb[2]},${((dense ? 0.15 : 0.25) + 0.7 * m).toFixed(3)})`;
        ctx.lineWidth = (dense ? 0.5 : 1) * (0.5 + 3.5 * m);
        ctx.stroke();
      }
    }
  }
  // the tiles
  if (pg.gridWs && !pg.diverged) {
    const where = paintTiles(pg, col.card, nc);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "low";
    let k = 0;
    for (let l = 0; l <= L; l++) {
      for (const u of lay.layers[l].units) {
        const [ox, oy, T] = where[k++];
        ctx.drawImage(pg.netAtlas, ox, oy, T, T, u.x, u.y, s, s);
      }
    }
  }
  ctx.strokeStyle = "rgba(128,128,128,0.8)";
  ctx.lineWidth = 1;
  for (const layer of lay.layers) for (const u of layer.units) ctx.strokeRect(u.x + 0.5, u.y + 0.5, s - 1, s - 1);
  // the column titles
  ctx.fillStyle = col.fg;
  ctx.font = "11px system-ui, sans-serif";
  ctx.textBaseline = "top";
  ctx.textAlign = "center";
  lay.layers.forEach((layer, l) => {
    const title = l === 0 ? "Input" : l === L ? "Output" : L === 2 ? "Hidden" : `Hidden ${l}`;
    const wide = layer.w >= 44 || s >= 30;
    const text = wide ? `${title} (${sizes[l]})` : title;
    const half = ctx.measureText(text).width / 2 + 2;
    ctx.fillText(text, Math.max(half, Math.min(width - half, layer.x + layer.w / 2)), 2);
  });
  // the selection (keyboard, while focused) or the hovered item
  const focused = c.matches(":focus-visible") || (typeof document !== "undefined" && document.activeElement === c);
  const sel = pg.netHover || (focused ? pg.netSel : null);
  let text = "";
  if (sel) {
    text = netDescribe(pg, sel);
    ctx.strokeStyle = col.fg;
    ctx.lineWidth = 2;
    if (sel.kind === "unit" && lay.layers[sel.l] && lay.layers[sel.l].units[sel.j]) {
      const u = lay.layers[sel.l].units[sel.j];
      ctx.strokeRect(u.x - 1.5, u.y - 1.5, s + 3, s + 3);
    } else if (sel.kind === "edge" && lay.layers[sel.l] && lay.layers[sel.l].units[sel.j] && lay.layers[sel.l - 1].units[sel.i]) {
      const a = lay.layers[sel.l - 1].units[sel.i];
      const b = lay.layers[sel.l].units[sel.j];
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(a.x + s, a.y + s / 2);
      ctx.lineTo(b.x, b.y + s / 2);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }
  const tip = pg.netTip;
  if (text) {
    tip.textContent = text;
    tip.hidden = false;
    const u = sel.kind === "unit" ? lay.layers[sel.l].units[sel.j] : lay.layers[sel.l].units[sel.j];
    const left = Math.max(0, Math.min(width - tip.offsetWidth, u.x + s / 2 - tip.offsetWidth / 2));
    const below = u.y + s + 6;
    tip.style.left = left + "px";
    tip.style.top = (below + tip.offsetHeight > lay.H ? Math.max(0, u.y - tip.offsetHeight - 6) : below) + "px";
  } else {
    tip.hidden = true;
  }
  pg.root.dataset.netSelection = text;
  pg.root.dataset.netTiles = String(sizes.reduce((a, b) => a + b, 0));
  pg.root.dataset.netDraws = String((Number(pg.root.dataset.netDraws) || 0) + 1);
  const hidden = sizes.length - 2;
  const layers = hidden === 0 ? "no hidden layer" : `${hidden} hidden layer${hidden === 1 ? "" : "s"} of ${sizes[1]} units`;
  c.setAttribute("aria-label", `Network view: ${layers}, ${sizes[0]} inputs, ${sizes[L]} outputs. Arrow keys select a unit, Shift with Up or Down its incoming weights.`);
}

// ---------------------------------------------------------------------------------------------------------------
// The view settings beside the curve: the speed (steps per frame) and the loss axis (log or linear). Both are traits
// of the widget (speed, loss_scale), kept in the URL hash: the controls set them with pg.push, and syncViewControls
// shows what the model holds (pg.speed and pg.logLoss read it, with the defaults for a model that lacks them).
// ---------------------------------------------------------------------------------------------------------------
const SPEED_LABELS = { 0.25: "¼ (slow motion)" };
export const SPEEDS = SPEED_VALUES.map((v) => [v, SPEED_LABELS[v] || String(v)]);

export function buildViewControls(pg, el) {
  const sid = pg.uid + "-speed";
  pg.speedSel = el("select", { class: "pg-speed", id: sid });
  for (const [v, label] of SPEEDS) pg.speedSel.append(el("option", { value: String(v), text: label }));
  pg.speedSel.addEventListener("change", () => pg.safe(() => {
    const speed = Number(pg.speedSel.value);
    pg.stepCredit = 0;
    pg.push({ speed });
    pg.syncControls(); // syncViewControls, and the URL hash follows
    pg.announce(`Speed: ${SPEEDS.find((s) => s[0] === speed)[1]} training steps per frame.`);
  }));
  const lid = pg.uid + "-lossaxis";
  pg.axisSeg = el("span", { class: "pg-seg pg-lossaxis", role: "group", "aria-labelledby": lid });
  for (const [k, label] of [["log", "Log"], ["linear", "Linear"]]) {
    pg.axisSeg.append(el("button", { type: "button", "data-value": k, text: label, "aria-pressed": String(k === "log"), onclick: () => pg.safe(() => {
      pg.push({ loss_scale: k });
      pg.syncControls();
      drawCurve(pg);
      pg.announce(`Loss axis: ${label.toLowerCase()} scale.`);
    }) }));
  }
  return el("div", { class: "pg-row pg-viewrow" }, [
    el("label", { class: "pg-label", for: sid, text: "Steps per frame" }), pg.speedSel,
    el("span", { class: "pg-label", id: lid, text: "Loss axis" }), pg.axisSeg,
  ]);
}

// The controls show the model's speed and loss axis (after a change made in Python or restored from a link, too).
export function syncViewControls(pg) {
  const speed = pg.speed;
  if (pg.speedSel.value !== String(speed)) pg.speedSel.value = String(speed);
  const log = pg.logLoss;
  for (const b of pg.axisSeg.children) b.setAttribute("aria-pressed", String((b.dataset.value === "log") === log));
  pg.root.dataset.speed = String(speed);
  pg.root.dataset.lossScale = log ? "log" : "linear";
}
