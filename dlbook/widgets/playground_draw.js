// dlbook MLP playground, part of the front end that dlbook/widgets/playground.py joins into one ES module (_esm).
// The drawing: the decision-boundary heatmap, the points, the keyboard cursor and the loss curve, on canvases.
// Each function takes the Playground view (playground_controls.js) and reads its state.
import { fmtNumber, forward } from "./playground_math.js";

export const COLORS = ["#4e79a7", "#e15759", "#59a14f", "#b07aa1"]; // PALETTE class0..class3 (dlbook/widgets/_base.py)
export const COLOR_NAMES = ["blue", "red", "green", "purple"];
export const TEAL = "#17a2a2"; // PALETTE output: the loss curve
export const ORANGE = "#f28e2b"; // PALETTE kernel: the accuracy curve
export const MARGIN = 22; // axis margin around the data area, CSS pixels
export const CURVE_H = 70;
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
  const G = cost > 2500 ? 40 : cost > 600 ? 56 : 72;
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
  ctx.imageSmoothingQuality = "high";
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
  for (let c = 0; c < 4; c++) {
    ctx.fillStyle = COLORS[c];
    ctx.beginPath();
    for (let i = 0; i < pg.N; i++) {
      if (pg.y[i] !== c) continue;
      const [px, py] = pg.toPixel(pg.X[2 * i], pg.X[2 * i + 1]);
      ctx.moveTo(px + r, py);
      ctx.arc(px, py, r, 0, 2 * Math.PI);
    }
    ctx.fill();
    ctx.stroke();
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
  const lossText = pg.diverged ? "training loss: diverged" : "training loss" + (last ? " " + fmtNumber(last[1]) : "");
  const accText = pg.diverged ? "" : "accuracy" + (last ? " " + fmtNumber(100 * last[2], 1, "%") : "");
  ctx.fillStyle = col.lossText;
  ctx.fillText(lossText, MARGIN, 4);
  ctx.textAlign = "right";
  ctx.fillStyle = col.accText;
  ctx.fillText(accText, W - MARGIN, 4);
  pg.curve.setAttribute("aria-label", last ? `Curve of the ${lossText} and ${accText || "accuracy"} over ${pg.history.length} records, up to epoch ${last[0]}` : "Training loss and accuracy: no training yet");
  const h = pg.history.filter((r) => Number.isFinite(r[1]) && Number.isFinite(r[2]));
  const top = 18;
  const bottom = H - 14;
  ctx.strokeStyle = "rgba(128,128,128,0.35)";
  ctx.beginPath();
  ctx.moveTo(MARGIN, bottom + 0.5);
  ctx.lineTo(W - MARGIN, bottom + 0.5);
  ctx.stroke();
  if (h.length < 2) {
    ctx.fillStyle = col.muted;
    ctx.textAlign = "center";
    ctx.fillText(pg.diverged ? "press Reset to start again" : "press Train to see the loss fall", W / 2, (top + bottom) / 2);
    return;
  }
  const e0 = h[0][0];
  const e1 = h[h.length - 1][0];
  const maxLoss = Math.max(...h.map((r) => r[1]), 1e-6);
  const xOf = (e) => MARGIN + ((e - e0) / Math.max(1, e1 - e0)) * (W - 2 * MARGIN);
  const line = (idx, scale, color) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 1.6;
    ctx.beginPath();
    h.forEach((r, i) => {
      const v = Math.min(1, Math.max(0, r[idx] / scale));
      const x = xOf(r[0]);
      const y = bottom - v * (bottom - top);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
  };
  line(2, 1, ORANGE);
  line(1, maxLoss, TEAL);
  ctx.fillStyle = col.muted;
  ctx.textBaseline = "bottom";
  ctx.textAlign = "left";
  ctx.fillText("epoch " + e0, MARGIN, H);
  ctx.textAlign = "right";
  ctx.fillText("epoch " + e1, W - MARGIN, H);
}
