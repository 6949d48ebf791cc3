// dlbook MLP playground: place points, train a small MLP in the page, watch the decision boundary form.
//
// The first half of this file is pure math with no DOM (named exports), so that a Node.js test can run the in-page
// trainer and compare it with dlbook: the same MLP as dlbook.mlp.MLP (z_l = W_l h_{l-1} + b_l, weights of shape
// (out, in) stored row-major), the same softmax cross-entropy (mean over points) and the same SGD / Adam updates as
// dlbook.optim. The second half is the anywidget view (`export default { render }`): every control is drawn here,
// so the widget works in JupyterLab and in the static HTML book with no kernel.

// ---------------------------------------------------------------------------------------------------------------
// Random numbers: mulberry32 (32-bit state) and Box-Muller normals. dlbook/widgets/playground.py mirrors both, so
// the weights the page draws from a seed are the ones Python draws.
// ---------------------------------------------------------------------------------------------------------------
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function normalFrom(uniform) {
  return function normal() {
    const u1 = 1 - uniform(); // in (0, 1]: the log is finite
    const u2 = uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Activations (derivatives with respect to the pre-activation a), as dlbook.activations computes them.
// ---------------------------------------------------------------------------------------------------------------
export const LEAKY_SLOPE = 0.01;
const INV_SQRT2 = 1 / Math.SQRT2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const TWO_OVER_SQRTPI = 2 / Math.sqrt(Math.PI);

// erf to ~1e-15 absolute: a series of positive terms for |x| < 3, a continued fraction for erfc beyond.
export function erf(x) {
  const ax = Math.abs(x);
  if (!(ax < 6.5)) return Number.isNaN(x) ? NaN : Math.sign(x);
  let r;
  if (ax < 3) {
    // erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))
    const q = 2 * ax * ax;
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 120; n++) {
      term *= q / (2 * n + 1);
      sum += term;
      if (term < 1e-17 * sum) break;
    }
    r = TWO_OVER_SQRTPI * Math.exp(-ax * ax) * sum;
  } else {
    // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), evaluated bottom-up
    let f = ax;
    for (let k = 60; k >= 1; k--) f = ax + k / 2 / f;
    r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
  }
  return x < 0 ? -r : r;
}

function sigmoid(a) {
  const e = Math.exp(-Math.abs(a));
  return a >= 0 ? 1 / (1 + e) : e / (1 + e);
}

export const ACTIVATIONS = {
  relu: { label: "ReLU", fn: (a) => (a > 0 ? a : 0), grad: (a) => (a > 0 ? 1 : 0) },
  tanh: {
    label: "tanh",
    fn: (a) => Math.tanh(a),
    grad: (a) => {
      const t = Math.tanh(a);
      return 1 - t * t;
    },
  },
  sigmoid: {
    label: "sigmoid",
    fn: sigmoid,
    grad: (a) => {
      const s = sigmoid(a);
      return s * (1 - s);
    },
  },
  leaky_relu: {
    label: "leaky ReLU",
    fn: (a) => (a > 0 ? a : LEAKY_SLOPE * a),
    grad: (a) => (a > 0 ? 1 : LEAKY_SLOPE),
  },
  gelu: {
    label: "GELU",
    fn: (a) => a * (0.5 * (1 + erf(a * INV_SQRT2))),
    grad: (a) => 0.5 * (1 + erf(a * INV_SQRT2)) + a * (INV_SQRT_2PI * Math.exp(-0.5 * a * a)),
  },
};

// ---------------------------------------------------------------------------------------------------------------
// The network: sizes [2, H, (H), C]; W[l] is (sizes[l+1], sizes[l]) row-major, b[l] is (sizes[l+1]).
// ---------------------------------------------------------------------------------------------------------------
export function architecture(hiddenUnits, hiddenLayers, nClasses) {
  const sizes = [2];
  for (let i = 0; i < hiddenLayers; i++) sizes.push(hiddenUnits);
  sizes.push(nClasses);
  return sizes;
}

// He-normal weights (variance 2 / fan_in, as dlbook.init.he_normal), zero biases; drawn layer by layer, row-major.
export function initNetwork(sizes, seed) {
  const normal = normalFrom(mulberry32(seed));
  const W = [];
  const b = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nin = sizes[l];
    const nout = sizes[l + 1];
    const std = Math.sqrt(2 / nin);
    const w = new Float64Array(nout * nin);
    for (let i = 0; i < w.length; i++) w[i] = normal() * std;
    W.push(w);
    b.push(new Float64Array(nout));
  }
  return { sizes: sizes.slice(), W, b };
}

export function networkFromLists(sizes, weights) {
  // weights: {W1: [[...]], b1: [...], ...} as dlbook.mlp.MLP names them.
  const W = [];
  const b = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nin = sizes[l];
    const nout = sizes[l + 1];
    const wl = weights["W" + (l + 1)];
    const bl = weights["b" + (l + 1)];
    if (!Array.isArray(wl) || wl.length !== nout || !Array.isArray(bl) || bl.length !== nout) return null;
    const w = new Float64Array(nout * nin);
    for (let j = 0; j < nout; j++) {
      if (!Array.isArray(wl[j]) || wl[j].length !== nin) return null;
      for (let i = 0; i < nin; i++) w[j * nin + i] = Number(wl[j][i]);
    }
    W.push(w);
    b.push(Float64Array.from(bl, Number));
  }
  return { sizes: sizes.slice(), W, b };
}

export function networkToLists(net) {
  const out = {};
  for (let l = 0; l + 1 < net.sizes.length; l++) {
    const nin = net.sizes[l];
    const nout = net.sizes[l + 1];
    const rows = [];
    for (let j = 0; j < nout; j++) rows.push(Array.from(net.W[l].subarray(j * nin, (j + 1) * nin)));
    out["W" + (l + 1)] = rows;
    out["b" + (l + 1)] = Array.from(net.b[l]);
  }
  return out;
}

export function isFiniteNetwork(net) {
  for (const arr of [...net.W, ...net.b]) for (let i = 0; i < arr.length; i++) if (!Number.isFinite(arr[i])) return false;
  return true;
}

// Forward pass over N rows of X (a flat Float64Array of length 2N). Returns {zs, hs}: zs[l] is z_{l+1} (N * out),
// hs[l] is h_l (hs[0] = X); the last z is the logits. `ws` (optional) is a workspace reused between calls.
export function forward(net, act, X, N, ws) {
  const phi = ACTIVATIONS[act].fn;
  const L = net.sizes.length - 1;
  const key = N + ":" + net.sizes.join(",");
  if (!ws || ws.key !== key) {
    ws = { key, zs: [], hs: [X] };
    for (let l = 0; l < L; l++) {
      ws.zs.push(new Float64Array(N * net.sizes[l + 1]));
      if (l + 1 < L) ws.hs.push(new Float64Array(N * net.sizes[l + 1]));
    }
  }
  ws.hs[0] = X;
  for (let l = 0; l < L; l++) {
    const nin = net.sizes[l];
    const nout = net.sizes[l + 1];
    const W = net.W[l];
    const bias = net.b[l];
    const h = ws.hs[l];
    const z = ws.zs[l];
    for (let n = 0; n < N; n++) {
      const hoff = n * nin;
      const zoff = n * nout;
      for (let j = 0; j < nout; j++) {
        const woff = j * nin;
        let s = 0;
        for (let i = 0; i < nin; i++) s += h[hoff + i] * W[woff + i];
        z[zoff + j] = s + bias[j];
      }
    }
    if (l + 1 < L) {
      const hn = ws.hs[l + 1];
      for (let k = 0; k < z.length; k++) hn[k] = phi(z[k]);
    }
  }
  return ws;
}

// Softmax cross-entropy, mean over the N rows, as dlbook.losses.softmax_cross_entropy. Writes dL/dlogits into
// `dz` (N * C) and returns {loss, correct} (correct counts rows whose argmax is the label).
export function softmaxCrossEntropy(logits, y, N, C, dz) {
  let loss = 0;
  let correct = 0;
  for (let n = 0; n < N; n++) {
    const off = n * C;
    let m = -Infinity;
    let arg = 0;
    for (let c = 0; c < C; c++) {
      if (logits[off + c] > m) {
        m = logits[off + c];
        arg = c;
      }
    }
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(logits[off + c] - m);
    const logNorm = Math.log(s);
    loss -= logits[off + y[n]] - m - logNorm;
    if (arg === y[n]) correct++;
    if (dz) {
      for (let c = 0; c < C; c++) dz[off + c] = Math.exp(logits[off + c] - m - logNorm);
      dz[off + y[n]] -= 1;
      for (let c = 0; c < C; c++) dz[off + c] /= N;
    }
  }
  return { loss: loss / N, correct };
}

// Backward pass from dL/dlogits. Returns {dW, db} shaped like net.W and net.b (overwritten in `grads` if given).
export function backward(net, act, ws, dlogits, N, grads) {
  const dphi = ACTIVATIONS[act].grad;
  const L = net.sizes.length - 1;
  if (!grads || grads.key !== ws.key) {
    grads = { key: ws.key, dW: net.W.map((w) => new Float64Array(w.length)), db: net.b.map((b) => new Float64Array(b.length)), deltas: [] };
    for (let l = 0; l < L; l++) grads.deltas.push(new Float64Array(N * net.sizes[l + 1]));
  }
  let delta = dlogits;
  for (let l = L - 1; l >= 0; l--) {
    const nin = net.sizes[l];
    const nout = net.sizes[l + 1];
    const h = ws.hs[l];
    const dW = grads.dW[l];
    const db = grads.db[l];
    dW.fill(0);
    db.fill(0);
    for (let n = 0; n < N; n++) {
      const doff = n * nout;
      const hoff = n * nin;
      for (let j = 0; j < nout; j++) {
        const d = delta[doff + j];
        db[j] += d;
        const woff = j * nin;
        for (let i = 0; i < nin; i++) dW[woff + i] += d * h[hoff + i];
      }
    }
    if (l > 0) {
      // delta_{l} = (delta_{l+1} W_{l+1}) * phi'(z_l)
      const W = net.W[l];
      const z = ws.zs[l - 1];
      const prev = grads.deltas[l - 1];
      for (let n = 0; n < N; n++) {
        const doff = n * nout;
        const poff = n * nin;
        for (let i = 0; i < nin; i++) {
          let s = 0;
          for (let j = 0; j < nout; j++) s += delta[doff + j] * W[j * nin + i];
          prev[poff + i] = s * dphi(z[poff + i]);
        }
      }
      delta = prev;
    }
  }
  return grads;
}

// Optimizers with dlbook.optim's update rules (PyTorch's): plain SGD and Adam with bias correction.
export function makeOptimizer(name, net, lr, betas = [0.9, 0.999], eps = 1e-8) {
  const params = [...net.W, ...net.b];
  if (name === "sgd") {
    return {
      name,
      lr,
      t: 0,
      step(grads) {
        this.t++;
        const gs = [...grads.dW, ...grads.db];
        for (let k = 0; k < params.length; k++) {
          const p = params[k];
          const g = gs[k];
          for (let i = 0; i < p.length; i++) p[i] -= this.lr * g[i];
        }
      },
    };
  }
  if (name === "adam") {
    const m = params.map((p) => new Float64Array(p.length));
    const v = params.map((p) => new Float64Array(p.length));
    const [b1, b2] = betas;
    return {
      name,
      lr,
      t: 0,
      step(grads) {
        this.t++;
        const gs = [...grads.dW, ...grads.db];
        const bc1 = 1 - Math.pow(b1, this.t);
        const bc2 = 1 - Math.pow(b2, this.t);
        const sbc2 = Math.sqrt(bc2);
        const a = this.lr / bc1;
        for (let k = 0; k < params.length; k++) {
          const p = params[k];
          const g = gs[k];
          const mk = m[k];
          const vk = v[k];
          for (let i = 0; i < p.length; i++) {
            mk[i] = mk[i] * b1 + (1 - b1) * g[i];
            vk[i] = vk[i] * b2 + (1 - b2) * (g[i] * g[i]);
            p[i] -= (a * mk[i]) / (Math.sqrt(vk[i]) / sbc2 + eps);
          }
        }
      },
    };
  }
  throw new Error("unknown optimizer " + name);
}

// One full-batch gradient-descent step. `state` carries workspaces between calls. Returns {loss, acc} measured
// before the update (the forward pass that the gradient comes from).
export function trainStep(net, act, opt, X, y, N, state = {}) {
  const C = net.sizes[net.sizes.length - 1];
  state.ws = forward(net, act, X, N, state.ws);
  if (!state.dz || state.dz.length !== N * C) state.dz = new Float64Array(N * C);
  const logits = state.ws.zs[state.ws.zs.length - 1];
  const { loss, correct } = softmaxCrossEntropy(logits, y, N, C, state.dz);
  state.grads = backward(net, act, state.ws, state.dz, N, state.grads);
  opt.step(state.grads);
  return { loss, acc: correct / N };
}

export function evaluate(net, act, X, y, N, state = {}) {
  const C = net.sizes[net.sizes.length - 1];
  state.evalWs = forward(net, act, X, N, state.evalWs);
  const logits = state.evalWs.zs[state.evalWs.zs.length - 1];
  const { loss, correct } = softmaxCrossEntropy(logits, y, N, C, null);
  return { loss, acc: correct / N };
}

// Train from given weights for `steps` full-batch steps: what the Node test calls. `phases` (optional,
// [{optimizer, lr, steps}, ...]) switches the optimizer between runs of steps the way the page's optimizer buttons do:
// the weights are kept and only the optimizer's state (Adam's moments and step count) starts again.
export function train({ sizes, weights, activation, optimizer, lr, X, y, steps, phases }) {
  const net = networkFromLists(sizes, weights);
  if (!net) throw new Error("weights do not match sizes");
  const N = y.length;
  const Xf = Float64Array.from(X.flat());
  const yi = Int32Array.from(y);
  const state = {};
  const losses = [];
  for (const ph of phases || [{ optimizer, lr, steps }]) {
    const opt = makeOptimizer(ph.optimizer, net, ph.lr);
    for (let s = 0; s < ph.steps; s++) losses.push(trainStep(net, activation, opt, Xf, yi, N, state).loss);
  }
  return { weights: networkToLists(net), losses };
}

// ---------------------------------------------------------------------------------------------------------------
// What the page shows for readers' input, kept free of the DOM so that Node can test it.
// ---------------------------------------------------------------------------------------------------------------
export const MAX_SEED = 4294967295; // seeds are 32-bit unsigned integers, as in dlbook/widgets/playground.py
export const DEFAULT_EXTENT = [-1.5, 1.5, -1.5, 1.5];

// The seed the page will use for what the reader typed, and a message when that is not what they typed.
export function parseSeed(text) {
  const v = Number(String(text).trim());
  const limits = "a whole number from 0 to " + MAX_SEED;
  if (String(text).trim() === "" || !Number.isFinite(v)) return { seed: 0, message: `The seed must be ${limits}: using 0.` };
  const seed = Math.min(MAX_SEED, Math.max(0, Math.floor(v)));
  return { seed, message: seed === v ? "" : `The seed must be ${limits}: using ${seed}.` };
}

// A number for the reader: fixed decimals, or words when it is not finite (the page never shows NaN).
export function fmtNumber(v, digits = 3, suffix = "") {
  if (v === null || v === undefined) return "–";
  return Number.isFinite(v) ? v.toFixed(digits) + suffix : "diverged";
}

// The view [xmin, xmax, ymin, ymax] that holds `extent` and every point of `pts` ([[x, y, ...], ...]): unchanged
// when they fit, otherwise a square around both with a 10% margin (as _square_extent in playground.py).
export function extentFor(pts, extent = DEFAULT_EXTENT) {
  let [x0, x1, y0, y1] = extent;
  if (pts.every((p) => p[0] >= x0 && p[0] <= x1 && p[1] >= y0 && p[1] <= y1)) return extent.slice();
  for (const p of pts) {
    x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]); y0 = Math.min(y0, p[1]); y1 = Math.max(y1, p[1]);
  }
  const cx = x0 / 2 + x1 / 2;
  const cy = y0 / 2 + y1 / 2;
  const half = Math.max(x1 / 2 - x0 / 2, y1 / 2 - y0 / 2) * 1.1;
  return [cx - half, cx + half, cy - half, cy + half];
}

// ---------------------------------------------------------------------------------------------------------------
// Data presets, in the spirit of dlbook.data (two classes unless stated; coordinates roughly in [-1.3, 1.3]).
// ---------------------------------------------------------------------------------------------------------------
export const PRESETS = {
  spiral(n, noise, rng, k = 2) {
    // As dlbook.data.spiral (one turn, noise in radians on the angle), scaled by 1.2 to fill the view.
    const normal = normalFrom(rng);
    const pts = [];
    const per = Math.floor(n / k);
    for (let c = 0; c < k; c++) {
      for (let i = 0; i < per; i++) {
        const r = 0.05 + (0.95 * i) / Math.max(1, per - 1);
        const theta = (2 * Math.PI * c) / k + 2 * Math.PI * r + noise * normal();
        pts.push([1.2 * r * Math.cos(theta), 1.2 * r * Math.sin(theta), c]);
      }
    }
    return pts;
  },
  checkerboard(n, noise, rng) {
    const normal = normalFrom(rng);
    const pts = [];
    for (let i = 0; i < n; i++) {
      const x = -1.2 + 2.4 * rng();
      const y = -1.2 + 2.4 * rng();
      const c = (Math.floor((x + 1.2) / 0.6) + Math.floor((y + 1.2) / 0.6)) % 2;
      pts.push([x + noise * 0.3 * normal(), y + noise * 0.3 * normal(), c]);
    }
    return pts;
  },
  xor(n, noise, rng) {
    const normal = normalFrom(rng);
    const pts = [];
    for (let i = 0; i < n; i++) {
      let x = -1.2 + 2.4 * rng();
      let y = -1.2 + 2.4 * rng();
      x += x > 0 ? 0.08 : -0.08; // keep a small gap along the axes
      y += y > 0 ? 0.08 : -0.08;
      const c = x * y > 0 ? 0 : 1;
      pts.push([x + noise * 0.3 * normal(), y + noise * 0.3 * normal(), c]);
    }
    return pts;
  },
  circles(n, noise, rng) {
    const normal = normalFrom(rng);
    const pts = [];
    for (let i = 0; i < n; i++) {
      const c = i % 2;
      const r = c === 0 ? 0.45 * Math.sqrt(rng()) : 0.8 + 0.4 * rng();
      const t = 2 * Math.PI * rng();
      pts.push([r * Math.cos(t) + noise * 0.3 * normal(), r * Math.sin(t) + noise * 0.3 * normal(), c]);
    }
    return pts;
  },
  moons(n, noise, rng) {
    const normal = normalFrom(rng);
    const pts = [];
    for (let i = 0; i < n; i++) {
      const c = i % 2;
      const t = Math.PI * rng();
      let x = c === 0 ? Math.cos(t) : 1 - Math.cos(t);
      let y = c === 0 ? Math.sin(t) : 0.5 - Math.sin(t);
      x = 0.8 * (x - 0.5);
      y = 0.8 * (y - 0.25);
      pts.push([x + noise * 0.3 * normal(), y + noise * 0.3 * normal(), c]);
    }
    return pts;
  },
};

// ---------------------------------------------------------------------------------------------------------------
// The view.
// ---------------------------------------------------------------------------------------------------------------
const COLORS = ["#4e79a7", "#e15759", "#59a14f", "#b07aa1"]; // PALETTE class0..class3 (dlbook/widgets/_base.py)
const COLOR_NAMES = ["blue", "red", "green", "purple"];
const TEAL = "#17a2a2"; // PALETTE output: the loss curve
const ORANGE = "#f28e2b"; // PALETTE kernel: the accuracy curve
const LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const PRESET_NAMES = [
  ["spiral", "Spiral"],
  ["checkerboard", "Checkerboard"],
  ["xor", "XOR"],
  ["circles", "Circles"],
  ["moons", "Moons"],
];
const OPTIMIZER_LABELS = { sgd: "SGD", adam: "Adam" };
const MARGIN = 22; // axis margin around the data area, CSS pixels
const MIN_SIDE = 200; // the plot is square: its side follows the width of its box, within these bounds
const MAX_SIDE = 600;
const CURVE_H = 70;
const HISTORY_MAX = 400;
const STEPS_PER_FRAME = 5; // about 300 steps a second at 60 frames a second: fast, yet slow enough to watch
const ANNOUNCE_EVERY_MS = 5000; // while training, the live region reports progress at most this often
let INSTANCES = 0;

// Colours of text meet WCAG AA (4.5:1) on the widget's backgrounds in light and dark mode: white on the darker teal
// (5.1:1) and on the darker orange (5.5:1); the curve labels use darker shades in light mode, the palette in dark.
const CSS = `
.dlbook-pg { --pg-fg: var(--pst-color-text-base, var(--jp-ui-font-color1, #1f2328));
  --pg-muted: var(--pst-color-text-muted, var(--jp-ui-font-color2, #5f6b76));
  --pg-bg: var(--pst-color-surface, var(--jp-layout-color1, #f6f8fa));
  --pg-card: var(--pst-color-background, var(--jp-layout-color0, #ffffff));
  --pg-border: var(--pst-color-border, var(--jp-border-color1, #d0d7de));
  --pg-accent: #0f7b7b; --pg-running: #a65200; --pg-loss-text: #0f7b7b; --pg-acc-text: #a65200; --pg-warn: #b3261e;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 13px; color: var(--pg-fg);
  background: var(--pg-bg); border: 1px solid var(--pg-border); border-radius: 10px; padding: 12px;
  width: 100%; max-width: 1000px; box-sizing: border-box; user-select: none; -webkit-user-select: none; }
html[data-theme="dark"] .dlbook-pg, body[data-jp-theme-light="false"] .dlbook-pg, body.vscode-dark .dlbook-pg {
  --pg-loss-text: #17a2a2; --pg-acc-text: #f28e2b; --pg-warn: #ff8a80; color-scheme: dark; }
html[data-theme="dark"] .widget-subarea:has(> .dlbook-pg, > * > .dlbook-pg) { background: transparent; }
.dlbook-pg * { box-sizing: border-box; }
.dlbook-pg .pg-top { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; margin-bottom: 10px; }
.dlbook-pg button { font: inherit; color: var(--pg-fg); background: var(--pg-card); border: 1px solid var(--pg-border);
  border-radius: 6px; padding: 4px 10px; cursor: pointer; line-height: 1.4; min-height: 28px; touch-action: manipulation; }
.dlbook-pg button:hover { border-color: var(--pg-accent); }
.dlbook-pg button:focus-visible, .dlbook-pg select:focus-visible, .dlbook-pg input:focus-visible,
.dlbook-pg canvas:focus-visible { outline: 2px solid var(--pg-fg); outline-offset: 2px; }
.dlbook-pg button[aria-pressed="true"] { background: var(--pg-accent); border-color: var(--pg-accent); color: #fff; }
.dlbook-pg button.pg-train { background: var(--pg-accent); border-color: var(--pg-accent); color: #fff; font-weight: 600; min-width: 84px; }
.dlbook-pg button.pg-train.pg-running { background: var(--pg-running); border-color: var(--pg-running); }
.dlbook-pg .pg-stat { margin-left: auto; display: flex; gap: 14px; flex-wrap: wrap; font-variant-numeric: tabular-nums; }
.dlbook-pg .pg-stat b { font-weight: 600; }
.dlbook-pg .pg-body { display: flex; gap: 14px; flex-wrap: wrap; align-items: flex-start; }
.dlbook-pg .pg-side { flex: 1 1 250px; min-width: 0; display: flex; flex-direction: column; gap: 10px; }
.dlbook-pg .pg-sec { background: var(--pg-card); border: 1px solid var(--pg-border); border-radius: 8px; padding: 8px 10px; }
.dlbook-pg .pg-sec .pg-h { margin: 0 0 6px 0; font-size: 11px; letter-spacing: .06em; text-transform: uppercase;
  color: var(--pg-muted); font-weight: 600; }
.dlbook-pg .pg-row { display: flex; align-items: center; gap: 6px; margin: 5px 0; flex-wrap: wrap; }
.dlbook-pg .pg-row > .pg-label { min-width: 86px; color: var(--pg-muted); }
.dlbook-pg .pg-seg { display: inline-flex; }
.dlbook-pg .pg-seg button { border-radius: 0; margin-left: -1px; padding: 3px 9px; }
.dlbook-pg .pg-seg button:first-child { border-radius: 6px 0 0 6px; margin-left: 0; }
.dlbook-pg .pg-seg button:last-child { border-radius: 0 6px 6px 0; }
.dlbook-pg .pg-presets button { padding: 3px 8px; }
.dlbook-pg .pg-swatch { width: 28px; height: 28px; border-radius: 50%; padding: 0; border: 2px solid transparent; }
.dlbook-pg .pg-swatch[aria-pressed="true"], .dlbook-pg .pg-eraser[aria-pressed="true"] {
  box-shadow: 0 0 0 2px var(--pg-card), 0 0 0 4px var(--pg-fg); }
.dlbook-pg .pg-swatch[aria-pressed="true"] { border-color: transparent; }
.dlbook-pg .pg-eraser[aria-pressed="true"] { background: var(--pg-card); color: var(--pg-fg); border-color: var(--pg-fg); }
.dlbook-pg select, .dlbook-pg input[type=number] { font: inherit; color: var(--pg-fg); background: var(--pg-card);
  border: 1px solid var(--pg-border); border-radius: 6px; padding: 2px 4px; min-height: 28px; }
.dlbook-pg input[type=number] { width: 110px; }
.dlbook-pg input[type=range] { width: 110px; accent-color: var(--pg-accent); }
.dlbook-pg .pg-val { min-width: 30px; font-variant-numeric: tabular-nums; }
.dlbook-pg .pg-hint { color: var(--pg-muted); font-size: 12px; }
.dlbook-pg .pg-hint-touch { display: none; }
@media (hover: none) and (pointer: coarse) {
  .dlbook-pg .pg-hint-mouse { display: none; }
  .dlbook-pg .pg-hint-touch { display: inline; }
}
.dlbook-pg .pg-plot { flex: 1 1 300px; min-width: 0; max-width: ${MAX_SIDE}px; display: flex; flex-direction: column; gap: 6px; }
.dlbook-pg canvas { display: block; max-width: 100%; }
.dlbook-pg canvas.pg-canvas { cursor: crosshair; border-radius: 6px; background: var(--pg-card); touch-action: pan-y pinch-zoom; }
.dlbook-pg canvas.pg-curve { border-radius: 6px; background: var(--pg-card); }
.dlbook-pg .pg-msg { min-height: 18px; color: var(--pg-muted); font-size: 12px; }
.dlbook-pg .pg-msg.pg-warn { color: var(--pg-warn); font-weight: 600; }
.dlbook-pg .pg-msg button { margin-left: 8px; padding: 1px 8px; min-height: 24px; font-weight: 600; }
.dlbook-pg .pg-live { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
`;

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function fmtLr(v) {
  return v >= 1 ? String(v) : String(Number(v.toPrecision(3)));
}

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}
const RGB = COLORS.map(hexToRgb);

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

class Playground {
  constructor(model, root) {
    this.model = model;
    this.root = root;
    this.uid = "dlbook-pg-" + ++INSTANCES;
    this.running = false;
    this.paint = 0; // class being placed, or -1 for the eraser
    this.optState = {};
    this.lastPreset = null;
    this.dataSeed = 1;
    this.frameTimes = [];
    this.pendingFrame = 0;
    this.lastSync = 0;
    this.lastAnnounce = 0;
    this.ownWeights = null;
    this.undo = null;
    this.side = 344; // canvas side in CSS pixels, set from the box's width by layout()
    this.cursor = null; // keyboard cursor in data coordinates
    this.build();
    this.readData();
    this.loadWeightsFromModel(true);
    this.listen();
    this.layout();
    // A hook for tests and for curious readers in the console: the page's current network and data.
    root.dlbookPlayground = {
      weights: () => networkToLists(this.net),
      points: () => Array.from({ length: this.N }, (_, i) => [this.X[2 * i], this.X[2 * i + 1]]),
      labels: () => Array.from(this.y),
      optimizer: () => ({ name: this.opt.name, lr: this.opt.lr, t: this.opt.t }),
    };
    this.invalidate();
  }

  get plot() {
    return this.side - 2 * MARGIN; // the data area, CSS pixels
  }

  // --- state shared with Python -------------------------------------------------------------------------------
  get(name) {
    return this.model.get(name);
  }

  setLocal(values) {
    // Our own changes: the change handlers below ignore them (they are for changes made by Python).
    this.busy = true;
    try {
      for (const [k, v] of Object.entries(values)) this.model.set(k, v);
    } finally {
      this.busy = false;
    }
  }

  push(values) {
    this.setLocal(values);
    try {
      this.model.save_changes();
    } catch (err) {
      // No kernel (the static book): the state lives in the page only.
    }
  }

  sizes() {
    return architecture(this.get("hidden_units"), this.get("hidden_layers"), this.get("n_classes"));
  }

  readData() {
    const pts = this.get("points") || [];
    const lab = this.get("labels") || [];
    const n = Math.min(pts.length, lab.length);
    this.N = n;
    this.X = new Float64Array(2 * n);
    this.y = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      this.X[2 * i] = Number(pts[i][0]);
      this.X[2 * i + 1] = Number(pts[i][1]);
      this.y[i] = lab[i] | 0;
    }
    this.optState.ws = null;
    this.optState.evalWs = null;
  }

  dataLists() {
    const pts = [];
    const lab = [];
    for (let i = 0; i < this.N; i++) {
      pts.push([this.X[2 * i], this.X[2 * i + 1]]);
      lab.push(this.y[i]);
    }
    return { points: pts, labels: lab };
  }

  writeData(extra = {}) {
    this.push({ ...this.dataLists(), ...extra });
  }

  loadWeightsFromModel(initial) {
    const sizes = this.sizes();
    const w = this.get("weights");
    const net = w && Object.keys(w).length ? networkFromLists(sizes, w) : null;
    if (net) {
      this.net = net;
      this.resetOptimizer();
      this.history = (this.get("history") || []).map((r) => r.slice());
      this.diverged = !isFiniteNetwork(net);
    } else {
      this.reinit(initial);
    }
  }

  reinit(quiet) {
    this.net = initNetwork(this.sizes(), this.get("seed"));
    this.resetOptimizer();
    this.history = [];
    this.diverged = false;
    this.running = false;
    const weights = networkToLists(this.net);
    this.ownWeights = weights;
    if (quiet) this.setLocal({ weights, epoch: 0, history: [] });
    else this.push({ weights, epoch: 0, history: [] });
    this.setMessage("");
  }

  resetOptimizer() {
    // A fresh optimizer on the current weights: Adam's moments and the step count start again; the weights stay.
    this.opt = makeOptimizer(this.get("optimizer"), this.net, this.get("learning_rate"));
    this.optState.grads = null;
  }

  syncWeights() {
    if (this.diverged) return; // non-finite weights are never sent (JSON has no NaN); Python keeps the last good ones
    const weights = networkToLists(this.net);
    this.ownWeights = weights;
    this.push({ weights, epoch: this.epoch(), history: this.history.map((r) => r.slice()) });
    this.lastSync = performance.now();
  }

  epoch() {
    return this.get("epoch") | 0;
  }

  listen() {
    const m = this.model;
    const guard = (fn) => () => {
      if (!this.busy) this.safe(fn);
    };
    this.handlers = [
      ["change:points change:labels", guard(() => {
        this.readData();
        this.lastPreset = null;
        this.undo = null;
        this.invalidate();
      })],
      ["change:weights", guard(() => {
        if (m.get("weights") === this.ownWeights) return;
        this.running = false;
        this.loadWeightsFromModel(false);
        this.syncControls();
        this.invalidate();
      })],
      ["change:hidden_units change:hidden_layers change:n_classes change:seed change:activation", guard(() => {
        this.running = false;
        const w = m.get("weights");
        if (!(w && networkFromLists(this.sizes(), w))) this.reinit(false);
        this.syncControls();
        this.invalidate();
      })],
      ["change:optimizer change:learning_rate", guard(() => {
        if (this.opt.name !== m.get("optimizer")) this.resetOptimizer();
        else this.opt.lr = m.get("learning_rate");
        this.syncControls();
      })],
      ["change:noise change:extent change:epoch change:history", guard(() => {
        this.history = (m.get("history") || []).map((r) => r.slice());
        this.gridX = null;
        this.syncControls();
        this.invalidate();
      })],
    ];
    for (const [ev, fn] of this.handlers) m.on(ev, fn);
  }

  destroy() {
    this.running = false;
    if (this.pendingFrame) cancelAnimationFrame(this.pendingFrame);
    if (this.resizer) this.resizer.disconnect();
    for (const [ev, fn] of this.handlers) this.model.off(ev, fn);
  }

  // --- building the DOM ----------------------------------------------------------------------------------------
  build() {
    const r = this.root;
    const id = (name) => `${this.uid}-${name}`;
    r.classList.add("dlbook-pg");
    r.setAttribute("role", "group");
    r.setAttribute("aria-label", "MLP playground");
    r.append(el("style", { text: CSS }));

    this.trainLabel = el("span", { text: "Train" });
    this.trainIcon = el("span", { "aria-hidden": "true", text: "▶ " });
    this.trainBtn = el("button", { type: "button", class: "pg-train", title: "Run full-batch gradient descent", onclick: () => this.safe(() => this.toggleTrain()) }, [this.trainIcon, this.trainLabel]);
    const stepBtn = el("button", { type: "button", class: "pg-step", text: "Step", title: "One gradient-descent step", onclick: () => this.safe(() => this.step()) });
    const resetBtn = el("button", { type: "button", class: "pg-reset", text: "Reset", title: "Initialize the weights again from the seed", onclick: () => this.safe(() => this.reset()) });
    const clearBtn = el("button", { type: "button", class: "pg-clear", text: "Clear", title: "Remove every point", onclick: () => this.safe(() => this.clear()) });
    this.epochOut = el("b", { class: "pg-epoch" });
    this.lossOut = el("b", { class: "pg-loss" });
    this.accOut = el("b", { class: "pg-acc" });
    const stat = el("div", { class: "pg-stat" }, [
      el("span", {}, ["Epoch ", this.epochOut]),
      el("span", {}, ["Loss ", this.lossOut]),
      el("span", {}, ["Accuracy ", this.accOut]),
    ]);
    r.append(el("div", { class: "pg-top" }, [this.trainBtn, stepBtn, resetBtn, clearBtn, stat]));

    const rowLabel = (text, forId) =>
      forId ? el("label", { class: "pg-label", for: forId, text }) : el("span", { class: "pg-label", id: id(text.replace(/\W+/g, "-").toLowerCase()), text });
    const group = (cls, labelText) =>
      el("span", { class: "pg-seg " + cls, role: "group", "aria-labelledby": id(labelText.replace(/\W+/g, "-").toLowerCase()) });

    // Data section
    this.classSeg = group("pg-nclasses", "Classes");
    for (const k of [2, 3, 4]) {
      this.classSeg.append(el("button", { type: "button", "data-value": String(k), text: String(k), "aria-pressed": "false", onclick: () => this.safe(() => this.setClasses(k)) }));
    }
    this.swatches = el("span", { class: "pg-row pg-paint", style: "margin:0", role: "group", "aria-labelledby": id("click-places") });
    this.presetRow = el("div", { class: "pg-row pg-presets", role: "group", "aria-labelledby": id("presets") });
    for (const [key, label] of PRESET_NAMES) {
      this.presetRow.append(el("button", { type: "button", "data-preset": key, text: label, onclick: () => this.safe(() => this.loadPreset(key, true)) }));
    }
    this.noise = el("input", { type: "range", min: "0", max: "0.5", step: "0.05", class: "pg-noise", id: id("noise") });
    this.noise.addEventListener("input", () => this.safe(() => {
      this.noiseOut.textContent = Number(this.noise.value).toFixed(2);
      this.push({ noise: Number(this.noise.value) });
      if (this.lastPreset) this.loadPreset(this.lastPreset, false);
    }));
    this.noiseOut = el("span", { class: "pg-val", "aria-hidden": "true" });
    const data = el("div", { class: "pg-sec", role: "group", "aria-labelledby": id("data") }, [
      el("div", { class: "pg-h", id: id("data"), text: "Data" }),
      el("div", { class: "pg-row" }, [rowLabel("Classes"), this.classSeg]),
      el("div", { class: "pg-row" }, [rowLabel("Click places"), this.swatches]),
      el("div", { class: "pg-hint", id: id("hint") }, [
        el("span", { class: "pg-hint-mouse", text: "Right-click or the eraser removes a point. " }),
        el("span", { class: "pg-hint-touch", text: "Tap to place a point; the eraser removes one. " }),
        el("span", { text: "Keyboard: focus the plot, move the cursor with the arrow keys, Enter places a point, Delete removes the nearest." }),
      ]),
      el("div", { class: "pg-row", style: "margin-top:8px" }, [rowLabel("Presets")]),
      this.presetRow,
      el("div", { class: "pg-row" }, [rowLabel("Noise", id("noise")), this.noise, this.noiseOut]),
    ]);

    // Network section
    this.layerSeg = group("pg-layers", "Hidden layers");
    for (const k of [1, 2]) {
      this.layerSeg.append(el("button", { type: "button", "data-value": String(k), text: String(k), "aria-pressed": "false", onclick: () => this.safe(() => this.setArch({ hidden_layers: k })) }));
    }
    this.units = el("input", { type: "range", min: "1", max: "64", step: "1", class: "pg-units", id: id("units") });
    this.unitsOut = el("span", { class: "pg-val", "aria-hidden": "true" });
    this.units.addEventListener("input", () => { this.unitsOut.textContent = this.units.value; });
    this.units.addEventListener("change", () => this.safe(() => this.setArch({ hidden_units: Number(this.units.value) })));
    this.act = el("select", { class: "pg-activation", id: id("activation") });
    for (const [k, spec] of Object.entries(ACTIVATIONS)) this.act.append(el("option", { value: k, text: spec.label }));
    this.act.addEventListener("change", () => this.safe(() => this.setArch({ activation: this.act.value })));
    this.optSeg = group("pg-optimizer", "Optimizer");
    for (const [k, label] of Object.entries(OPTIMIZER_LABELS)) {
      this.optSeg.append(el("button", { type: "button", "data-value": k, text: label, "aria-pressed": "false", onclick: () => this.safe(() => this.setOptimizer(k)) }));
    }
    this.lr = el("select", { class: "pg-lr", id: id("lr") });
    this.lr.addEventListener("change", () => this.safe(() => {
      this.push({ learning_rate: Number(this.lr.value) });
      this.opt.lr = Number(this.lr.value);
    }));
    this.seed = el("input", { type: "number", min: "0", max: String(MAX_SEED), step: "1", class: "pg-seed", id: id("seed"), inputmode: "numeric" });
    this.seed.addEventListener("change", () => this.safe(() => this.setSeed(this.seed.value)));
    const dice = el("button", { type: "button", class: "pg-newseed", text: "New weights", title: "Draw a new seed and new initial weights", onclick: () => this.safe(() => this.setSeed(String((this.get("seed") + 1) % (MAX_SEED + 1)))) });
    const net = el("div", { class: "pg-sec", role: "group", "aria-labelledby": id("network") }, [
      el("div", { class: "pg-h", id: id("network"), text: "Network" }),
      el("div", { class: "pg-row" }, [rowLabel("Hidden layers"), this.layerSeg]),
      el("div", { class: "pg-row" }, [rowLabel("Units / layer", id("units")), this.units, this.unitsOut]),
      el("div", { class: "pg-row" }, [rowLabel("Activation", id("activation")), this.act]),
      el("div", { class: "pg-row" }, [rowLabel("Optimizer"), this.optSeg]),
      el("div", { class: "pg-row" }, [rowLabel("Learning rate", id("lr")), this.lr]),
      el("div", { class: "pg-row" }, [rowLabel("Seed", id("seed")), this.seed, dice]),
    ]);

    // Plot: its size follows the width of its box (layout()).
    this.canvas = el("canvas", {
      class: "pg-canvas", tabindex: "0", role: "application", "aria-roledescription": "scatter plot",
      "aria-label": "Data plot and decision boundary", "aria-describedby": id("hint"),
    });
    this.curve = el("canvas", { class: "pg-curve", role: "img", "aria-label": "Training loss and accuracy: no training yet" });
    this.msgText = el("span");
    this.msg = el("div", { class: "pg-msg" }, [this.msgText]);
    this.live = el("div", { class: "pg-live", role: "status", "aria-live": "polite", "aria-atomic": "true" });
    this.plotBox = el("div", { class: "pg-plot" }, [this.canvas, this.curve, this.msg, this.live]);

    r.append(el("div", { class: "pg-body" }, [this.plotBox, el("div", { class: "pg-side" }, [data, net])]));

    this.canvas.addEventListener("pointerdown", (e) => this.safe(() => this.onPointerDown(e)));
    this.canvas.addEventListener("pointerup", (e) => this.safe(() => this.onPointerUp(e)));
    this.canvas.addEventListener("pointercancel", () => { this.touchStart = null; });
    this.canvas.addEventListener("contextmenu", (e) => e.preventDefault());
    this.canvas.addEventListener("keydown", (e) => this.safe(() => this.onKey(e)));
    this.canvas.addEventListener("focus", () => { if (!this.cursor) this.cursor = this.centre(); this.invalidate(); });
    this.canvas.addEventListener("blur", () => this.invalidate());
    if (typeof ResizeObserver !== "undefined") {
      this.resizer = new ResizeObserver(() => this.safe(() => this.layout()));
      this.resizer.observe(this.plotBox);
    }
    this.heat = document.createElement("canvas");
    this.syncControls();
  }

  layout() {
    // The canvas is a square as wide as its box (200 to 600 CSS pixels), drawn at the screen's pixel density.
    const w = Math.floor(this.plotBox.getBoundingClientRect().width || 344);
    const side = Math.max(MIN_SIDE, Math.min(MAX_SIDE, w));
    const dpr = Math.min(2, (typeof window !== "undefined" && window.devicePixelRatio) || 1);
    if (side === this.side && dpr === this.dpr && this.canvas.width) return;
    this.side = side;
    this.dpr = dpr;
    this.canvas.width = Math.round(side * dpr);
    this.canvas.height = Math.round(side * dpr);
    this.canvas.style.width = side + "px";
    this.canvas.style.height = side + "px";
    this.canvas.dataset.plotRect = JSON.stringify([MARGIN, MARGIN, this.plot, this.plot]);
    this.curve.width = Math.round(side * dpr);
    this.curve.height = Math.round(CURVE_H * dpr);
    this.curve.style.width = side + "px";
    this.curve.style.height = CURVE_H + "px";
    this.invalidate();
  }

  syncControls() {
    const nC = this.get("n_classes");
    const pressed = (b, on) => b.setAttribute("aria-pressed", on ? "true" : "false");
    for (const b of this.classSeg.children) pressed(b, Number(b.dataset.value) === nC);
    if (this.paint >= nC) this.paint = nC - 1;
    if (this.swatches.childElementCount !== nC + 1) {
      this.swatches.replaceChildren();
      for (let c = 0; c < nC; c++) {
        const b = el("button", { type: "button", class: "pg-swatch", "data-class": String(c), "aria-label": `Class ${c} (${COLOR_NAMES[c]})`, title: `Place points of class ${c} (${COLOR_NAMES[c]})`, onclick: () => { this.paint = c; this.syncControls(); } });
        b.style.background = COLORS[c];
        this.swatches.append(b);
      }
      this.swatches.append(el("button", { type: "button", class: "pg-eraser", "data-class": "-1", text: "Eraser", onclick: () => { this.paint = -1; this.syncControls(); } }));
    }
    for (const b of this.swatches.children) pressed(b, Number(b.dataset.class) === this.paint);
    for (const b of this.layerSeg.children) pressed(b, Number(b.dataset.value) === this.get("hidden_layers"));
    for (const b of this.optSeg.children) pressed(b, b.dataset.value === this.get("optimizer"));
    const active = typeof document !== "undefined" ? document.activeElement : null;
    if (this.units !== active) {
      this.units.value = String(this.get("hidden_units"));
      this.unitsOut.textContent = String(this.get("hidden_units"));
    }
    this.act.value = this.get("activation");
    const lr = this.get("learning_rate");
    const rates = LEARNING_RATES.includes(lr) ? LEARNING_RATES : [...LEARNING_RATES, lr].sort((a, b) => a - b);
    if (Array.from(this.lr.options, (o) => o.value).join() !== rates.map(String).join()) {
      this.lr.replaceChildren(...rates.map((v) => el("option", { value: String(v), text: fmtLr(v) })));
    }
    if (this.lr.value !== String(lr)) this.lr.value = String(lr);
    if (this.seed !== active) this.seed.value = String(this.get("seed"));
    if (this.noise !== active) {
      this.noise.value = String(this.get("noise"));
      this.noiseOut.textContent = Number(this.get("noise")).toFixed(2);
    }
    this.trainLabel.textContent = this.running ? "Pause" : "Train";
    this.trainIcon.textContent = this.running ? "❚❚ " : "▶ ";
    this.trainBtn.classList.toggle("pg-running", this.running);
    this.root.dataset.optimizer = this.get("optimizer");
  }

  setMessage(text, warn = false, action = null) {
    this.msgText.textContent = text;
    this.msg.classList.toggle("pg-warn", warn);
    for (const b of this.msg.querySelectorAll("button")) b.remove();
    if (action) this.msg.append(el("button", { type: "button", class: "pg-action", text: action.label, onclick: () => this.safe(action.run) }));
    if (text) this.announce(text);
  }

  announce(text) {
    // The polite live region: screen readers read it when they are idle (textContent replaced, so it is re-read).
    this.live.textContent = "";
    this.live.textContent = text;
    this.lastAnnounce = performance.now();
  }

  metricsText() {
    const m = this.metrics;
    return `Epoch ${this.epoch()}, loss ${m ? fmtNumber(m.loss) : "not available"}, accuracy ${m ? fmtNumber(100 * m.acc, 1, " percent") : "not available"}.`;
  }

  safe(fn) {
    try {
      fn();
    } catch (err) {
      this.running = false;
      this.setMessage("Something went wrong: " + (err && err.message ? err.message : err), true);
      this.syncControls();
    }
  }

  // --- actions ---------------------------------------------------------------------------------------------------
  setArch(values) {
    this.running = false;
    this.setLocal(values);
    this.reinit(true);
    this.push({});
    this.syncControls();
    this.invalidate();
  }

  setOptimizer(name) {
    // Switching keeps the weights (and the epoch count): only the optimizer's state starts again, exactly as a fresh
    // dlbook.optim optimizer on the current model would.
    if (name !== this.get("optimizer")) {
      this.push({ optimizer: name });
      this.resetOptimizer();
    }
    this.syncControls();
    this.announce(`Optimizer ${OPTIMIZER_LABELS[name]}: the weights are kept, the optimizer starts fresh.`);
  }

  setSeed(text) {
    const { seed, message } = parseSeed(text);
    this.seed.value = String(seed);
    this.setArch({ seed });
    this.seed.value = String(seed);
    this.setMessage(message || `Seed ${seed}: new initial weights.`, !!message);
  }

  setClasses(k) {
    // Points of classes that no longer exist are removed; the message offers to undo that.
    const before = { ...this.dataLists(), n_classes: this.get("n_classes"), weights: networkToLists(this.net), epoch: this.epoch(), history: this.history.map((r) => r.slice()), paint: this.paint };
    const keep = [];
    for (let i = 0; i < this.N; i++) if (this.y[i] < k) keep.push(i);
    const removed = this.N - keep.length;
    if (removed) {
      const X = new Float64Array(2 * keep.length);
      const y = new Int32Array(keep.length);
      keep.forEach((i, j) => { X[2 * j] = this.X[2 * i]; X[2 * j + 1] = this.X[2 * i + 1]; y[j] = this.y[i]; });
      this.X = X; this.y = y; this.N = keep.length;
      this.setLocal(this.dataLists());
      this.optState.ws = null; this.optState.evalWs = null;
    }
    this.setArch({ n_classes: k });
    if (removed) {
      const gone = Array.from({ length: before.n_classes - k }, (_, i) => k + i).join(" and ");
      this.undo = before;
      this.setMessage(`${k} classes: ${removed} point${removed === 1 ? "" : "s"} of class ${gone} removed.`, false, { label: "Undo", run: () => this.undoClasses() });
    }
  }

  undoClasses() {
    const u = this.undo;
    if (!u) return;
    this.undo = null;
    this.running = false;
    this.setLocal({ n_classes: u.n_classes });
    this.net = networkFromLists(this.sizes(), u.weights);
    this.resetOptimizer();
    this.history = u.history;
    this.ownWeights = u.weights;
    this.push({ points: u.points, labels: u.labels, weights: u.weights, epoch: u.epoch, history: u.history });
    this.readData();
    this.paint = u.paint;
    this.setMessage(`Undone: ${u.n_classes} classes and ${u.points.length} points again.`);
    this.syncControls();
    this.invalidate();
  }

  canTrain() {
    if (this.N === 0) {
      this.setMessage("No points yet: click on the plot to place some, or pick a preset.", true);
      return false;
    }
    const seen = new Set(this.y);
    if (seen.size < 2) {
      this.setMessage("All points belong to one class: place points of at least two classes to train.", true);
      return false;
    }
    if (this.diverged) {
      this.setMessage("Training diverged: lower the learning rate and press Reset.", true);
      return false;
    }
    return true;
  }

  toggleTrain() {
    if (this.running) {
      this.running = false;
      this.syncWeights();
      this.measure();
      this.announce("Paused. " + this.metricsText());
    } else if (this.canTrain()) {
      this.setMessage("");
      this.running = true;
      if (!this.history.length) this.afterSteps(0); // the curve starts at the current epoch
      this.lastSync = performance.now();
      this.announce("Training.");
    }
    this.syncControls();
    this.invalidate();
  }

  diverge() {
    this.diverged = true;
    this.running = false;
    this.setMessage("Training diverged (the loss became infinite or not a number): lower the learning rate and press Reset.", true);
  }

  runSteps(n) {
    const act = this.get("activation");
    let done = 0;
    for (; done < n; done++) {
      const r = trainStep(this.net, act, this.opt, this.X, this.y, this.N, this.optState);
      if (!Number.isFinite(r.loss) || !isFiniteNetwork(this.net)) {
        this.diverge();
        break;
      }
    }
    return done;
  }

  afterSteps(done) {
    const ep = this.epoch() + done;
    this.setLocal({ epoch: ep });
    if (!this.diverged && this.N) {
      const m = evaluate(this.net, this.get("activation"), this.X, this.y, this.N, this.optState);
      if (!Number.isFinite(m.loss)) {
        this.diverge();
        return;
      }
      this.history.push([ep, m.loss, m.acc]);
      if (this.history.length > HISTORY_MAX) this.history = this.history.filter((_, i) => i % 2 === 0 || i === this.history.length - 1);
    }
  }

  step() {
    this.running = false;
    if (!this.canTrain()) return;
    this.setMessage("");
    const done = this.runSteps(1);
    this.afterSteps(done);
    this.syncWeights();
    this.syncControls();
    this.measure();
    if (!this.diverged) this.announce(this.metricsText());
    this.invalidate();
  }

  reset() {
    this.running = false;
    this.reinit(false);
    this.syncControls();
    this.measure();
    this.announce("Reset to the initial weights of seed " + this.get("seed") + ". " + this.metricsText());
    this.invalidate();
  }

  clear() {
    this.running = false;
    this.N = 0;
    this.X = new Float64Array(0);
    this.y = new Int32Array(0);
    this.lastPreset = null;
    this.undo = null;
    this.optState.ws = null;
    this.optState.evalWs = null;
    this.writeData();
    this.reinit(false);
    this.syncControls();
    this.announce("All points removed.");
    this.invalidate();
  }

  loadPreset(key, fresh) {
    this.running = false;
    if (fresh) this.dataSeed += 1;
    const rng = mulberry32(1000 + this.dataSeed * 7919);
    const k = key === "spiral" ? this.get("n_classes") : 2;
    const pts = PRESETS[key](200, this.get("noise"), rng, k);
    this.N = pts.length;
    this.X = new Float64Array(2 * this.N);
    this.y = new Int32Array(this.N);
    pts.forEach((p, i) => { this.X[2 * i] = p[0]; this.X[2 * i + 1] = p[1]; this.y[i] = p[2]; });
    this.optState.ws = null;
    this.optState.evalWs = null;
    this.undo = null;
    if (k !== this.get("n_classes")) this.setLocal({ n_classes: k });
    // The view holds every point (noise can push a few past the default square): Python checks that it does.
    const extent = extentFor(pts, DEFAULT_EXTENT);
    this.writeData(extent.join() === this.extent().join() ? {} : { extent });
    this.gridX = null;
    this.lastPreset = key;
    this.reinit(false);
    this.syncControls();
    if (fresh) this.announce(`${PRESET_NAMES.find((p) => p[0] === key)[1]} preset: ${this.N} points of ${k} classes.`);
    this.invalidate();
  }

  // --- pointer and keyboard ----------------------------------------------------------------------------------------
  extent() {
    const e = this.get("extent") || DEFAULT_EXTENT;
    return e.map(Number);
  }

  centre() {
    const [x0, x1, y0, y1] = this.extent();
    return [x0 / 2 + x1 / 2, y0 / 2 + y1 / 2];
  }

  toData(px, py) {
    const [x0, x1, y0, y1] = this.extent();
    return [x0 + ((px - MARGIN) / this.plot) * (x1 - x0), y1 - ((py - MARGIN) / this.plot) * (y1 - y0)];
  }

  toPixel(x, y) {
    const [x0, x1, y0, y1] = this.extent();
    return [MARGIN + ((x - x0) / (x1 - x0)) * this.plot, MARGIN + ((y1 - y) / (y1 - y0)) * this.plot];
  }

  eventPixel(e) {
    const rect = this.canvas.getBoundingClientRect();
    const px = ((e.clientX - rect.left) / rect.width) * this.side;
    const py = ((e.clientY - rect.top) / rect.height) * this.side;
    const inside = px >= MARGIN && px <= MARGIN + this.plot && py >= MARGIN && py <= MARGIN + this.plot;
    return inside ? [px, py] : null;
  }

  onPointerDown(e) {
    if (e.pointerType === "touch" || e.pointerType === "pen") {
      // A tap places a point when the finger lifts; a swipe scrolls the page (pointercancel) and places nothing.
      this.touchStart = [e.clientX, e.clientY];
      return;
    }
    e.preventDefault();
    const p = this.eventPixel(e);
    if (!p) return; // outside the data area
    if (e.button === 2 || this.paint === -1) this.erase(p[0], p[1], 12);
    else if (e.button === 0) this.place(...this.toData(p[0], p[1]));
  }

  onPointerUp(e) {
    if (!this.touchStart) return;
    const moved = Math.hypot(e.clientX - this.touchStart[0], e.clientY - this.touchStart[1]);
    this.touchStart = null;
    const p = this.eventPixel(e);
    if (!p || moved > 10) return;
    e.preventDefault();
    if (this.paint === -1) this.erase(p[0], p[1], 18);
    else this.place(...this.toData(p[0], p[1]));
  }

  onKey(e) {
    const [x0, x1, y0, y1] = this.extent();
    if (!this.cursor) this.cursor = this.centre();
    const step = (e.shiftKey ? 0.1 : 0.025) * (x1 - x0);
    const stepY = (e.shiftKey ? 0.1 : 0.025) * (y1 - y0);
    const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, stepY], ArrowDown: [0, -stepY] };
    const fmt = (v) => Number(v.toPrecision(3));
    if (e.key in moves) {
      const [dx, dy] = moves[e.key];
      this.cursor = [Math.min(x1, Math.max(x0, this.cursor[0] + dx)), Math.min(y1, Math.max(y0, this.cursor[1] + dy))];
      this.announce(`Cursor at x ${fmt(this.cursor[0])}, y ${fmt(this.cursor[1])}.`);
    } else if (e.key === "Enter" || e.key === " ") {
      if (this.paint === -1) this.erase(...this.toPixel(...this.cursor), 20);
      else this.place(...this.cursor);
    } else if (e.key === "Delete" || e.key === "Backspace") {
      this.erase(...this.toPixel(...this.cursor), 20);
    } else if (/^[1-4]$/.test(e.key) && Number(e.key) <= this.get("n_classes")) {
      this.paint = Number(e.key) - 1;
      this.syncControls();
      this.announce(`Placing class ${this.paint} (${COLOR_NAMES[this.paint]}).`);
    } else {
      return;
    }
    e.preventDefault();
    this.invalidate();
  }

  place(x, y) {
    const X = new Float64Array(2 * (this.N + 1));
    X.set(this.X);
    X[2 * this.N] = x;
    X[2 * this.N + 1] = y;
    const Y = new Int32Array(this.N + 1);
    Y.set(this.y);
    Y[this.N] = this.paint;
    this.X = X;
    this.y = Y;
    this.N += 1;
    this.optState.ws = null;
    this.optState.evalWs = null;
    this.lastPreset = null;
    this.undo = null;
    if (this.msg.classList.contains("pg-warn") && !this.diverged) this.setMessage("");
    this.writeData();
    const fmt = (v) => Number(v.toPrecision(3));
    this.announce(`Placed a point of class ${this.paint} at x ${fmt(x)}, y ${fmt(y)}: ${this.N} points.`);
    this.invalidate();
  }

  erase(px, py, radius) {
    let best = -1;
    let bestD = radius * radius;
    for (let i = 0; i < this.N; i++) {
      const [qx, qy] = this.toPixel(this.X[2 * i], this.X[2 * i + 1]);
      const d = (qx - px) ** 2 + (qy - py) ** 2;
      if (d <= bestD) { bestD = d; best = i; }
    }
    if (best < 0) {
      this.announce("No point there to remove.");
      return;
    }
    const removedClass = this.y[best];
    const X = new Float64Array(2 * (this.N - 1));
    const Y = new Int32Array(this.N - 1);
    for (let i = 0, j = 0; i < this.N; i++) {
      if (i === best) continue;
      X[2 * j] = this.X[2 * i]; X[2 * j + 1] = this.X[2 * i + 1]; Y[j] = this.y[i]; j++;
    }
    this.X = X; this.y = Y; this.N -= 1;
    this.optState.ws = null; this.optState.evalWs = null;
    this.lastPreset = null;
    this.undo = null;
    this.writeData();
    this.announce(`Removed a point of class ${removedClass}: ${this.N} points.`);
    this.invalidate();
  }

  // --- animation -----------------------------------------------------------------------------------------------------
  invalidate() {
    if (!this.pendingFrame) this.pendingFrame = requestAnimationFrame((t) => this.frame(t));
  }

  frame() {
    this.pendingFrame = 0;
    this.safe(() => {
      const t0 = performance.now();
      if (this.running) {
        if (!this.canTrain()) {
          this.running = false;
        } else {
          // Up to STEPS_PER_FRAME full-batch steps, within ~10 ms (at least one), so the page stays fluid.
          let done = 0;
          while (done < STEPS_PER_FRAME && !this.diverged) {
            done += this.runSteps(1);
            if (performance.now() - t0 > 10) break;
          }
          this.afterSteps(done);
          if (!this.running || performance.now() - this.lastSync > 1000) this.syncWeights();
        }
        this.syncControls();
      }
      this.draw();
      if (this.running && performance.now() - this.lastAnnounce > ANNOUNCE_EVERY_MS) this.announce(this.metricsText());
      const dt = performance.now() - t0;
      this.frameTimes.push(dt);
      if (this.frameTimes.length > 60) this.frameTimes.shift();
      this.root.dataset.frameMs = (this.frameTimes.reduce((a, b) => a + b, 0) / this.frameTimes.length).toFixed(2);
    });
    if (this.running) this.invalidate();
  }

  // --- drawing ---------------------------------------------------------------------------------------------------------
  measure() {
    const m = this.N && !this.diverged ? evaluate(this.net, this.get("activation"), this.X, this.y, this.N, this.optState) : null;
    this.metrics = m && Number.isFinite(m.loss) ? m : null;
    return this.metrics;
  }

  draw() {
    const metrics = this.measure();
    this.epochOut.textContent = String(this.epoch());
    this.lossOut.textContent = this.diverged ? "diverged" : metrics ? fmtNumber(metrics.loss) : "–";
    this.accOut.textContent = this.diverged ? "–" : metrics ? fmtNumber(100 * metrics.acc, 1, "%") : "–";
    this.root.dataset.accuracy = metrics ? String(metrics.acc) : "";
    this.root.dataset.loss = metrics ? String(metrics.loss) : "";
    this.root.dataset.epoch = String(this.epoch());
    this.root.dataset.points = String(this.N);
    this.root.dataset.running = String(this.running);
    this.root.dataset.diverged = String(!!this.diverged);
    this.root.dataset.side = String(this.side);
    this.drawPlot();
    this.drawCurve();
  }

  colours() {
    const style = getComputedStyle(this.root);
    const v = (name, fallback) => style.getPropertyValue(name).trim() || fallback;
    const card = getComputedStyle(this.canvas).backgroundColor;
    return {
      muted: v("--pg-muted", "#5f6b76"),
      lossText: v("--pg-loss-text", "#0f7b7b"),
      accText: v("--pg-acc-text", "#a65200"),
      fg: v("--pg-fg", "#1f2328"),
      card: cssRgb(card, [255, 255, 255]),
    };
  }

  heatmap(card) {
    // Probabilities on a coarse G x G grid (cell centres), into a G x G ImageData that drawImage scales up smoothly.
    // Colours are blended with the plot's background (white in light mode, dark in dark mode).
    const sizes = this.net.sizes;
    let cost = 0;
    for (let l = 0; l + 1 < sizes.length; l++) cost += sizes[l] * sizes[l + 1];
    const G = cost > 2500 ? 40 : cost > 600 ? 56 : 72;
    if (!this.gridX || this.gridG !== G || this.gridExtent !== this.extent().join()) {
      const [x0, x1, y0, y1] = this.extent();
      this.gridX = new Float64Array(2 * G * G);
      for (let r = 0; r < G; r++) {
        for (let c = 0; c < G; c++) {
          const k = r * G + c;
          this.gridX[2 * k] = x0 + ((c + 0.5) / G) * (x1 - x0);
          this.gridX[2 * k + 1] = y1 - ((r + 0.5) / G) * (y1 - y0);
        }
      }
      this.gridG = G;
      this.gridExtent = this.extent().join();
      this.gridWs = null;
      this.heat.width = G;
      this.heat.height = G;
      this.heatCtx = this.heat.getContext("2d");
      this.image = this.heatCtx.createImageData(G, G);
    }
    const C = sizes[sizes.length - 1];
    const img = this.image.data;
    const [br, bg, bb] = card;
    if (this.diverged) {
      const grey = br > 128 ? 235 : 60;
      for (let k = 0; k < G * G; k++) { img[4 * k] = grey; img[4 * k + 1] = grey; img[4 * k + 2] = grey; img[4 * k + 3] = 255; }
    } else {
      this.gridWs = forward(this.net, this.get("activation"), this.gridX, G * G, this.gridWs);
      const logits = this.gridWs.zs[this.gridWs.zs.length - 1];
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
    this.heatCtx.putImageData(this.image, 0, 0);
    return this.heat;
  }

  drawPlot() {
    const ctx = this.canvas.getContext("2d");
    const dpr = this.dpr;
    const side = this.side;
    const P = this.plot;
    const col = this.colours();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, side, side);
    const heat = this.heatmap(col.card);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(heat, MARGIN, MARGIN, P, P);
    // axes and ticks
    ctx.strokeStyle = "rgba(128,128,128,0.5)";
    ctx.lineWidth = 1;
    ctx.strokeRect(MARGIN + 0.5, MARGIN + 0.5, P - 1, P - 1);
    ctx.fillStyle = col.muted;
    ctx.font = "11px system-ui, sans-serif";
    const [x0, x1, y0, y1] = this.extent();
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
      const [px] = this.toPixel(v, 0);
      ctx.fillText(String(v), px, MARGIN + P + 5);
      ctx.fillRect(px, MARGIN + P, 1, 3);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of ticks(y0, y1)) {
      const [, py] = this.toPixel(0, v);
      ctx.fillText(String(v), MARGIN - 5, py);
      ctx.fillRect(MARGIN - 3, py, 3, 1);
    }
    // points
    ctx.save();
    ctx.beginPath();
    ctx.rect(MARGIN, MARGIN, P, P);
    ctx.clip();
    // Filled discs with a thin dark rim, so that a point stays visible on the region of its own colour.
    const r = this.N > 400 ? 2.6 : 4;
    ctx.lineWidth = this.N > 400 ? 0.6 : 1;
    ctx.strokeStyle = "rgba(20, 20, 20, 0.75)";
    for (let c = 0; c < 4; c++) {
      ctx.fillStyle = COLORS[c];
      ctx.beginPath();
      for (let i = 0; i < this.N; i++) {
        if (this.y[i] !== c) continue;
        const [px, py] = this.toPixel(this.X[2 * i], this.X[2 * i + 1]);
        ctx.moveTo(px + r, py);
        ctx.arc(px, py, r, 0, 2 * Math.PI);
      }
      ctx.fill();
      ctx.stroke();
    }
    // The keyboard cursor, while the plot has the focus.
    if (this.cursor && this.canvas.matches(":focus-visible")) {
      const [cx, cy] = this.toPixel(...this.cursor);
      ctx.strokeStyle = col.fg;
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(cx, cy, 8, 0, 2 * Math.PI);
      ctx.moveTo(cx - 13, cy); ctx.lineTo(cx - 4, cy); ctx.moveTo(cx + 4, cy); ctx.lineTo(cx + 13, cy);
      ctx.moveTo(cx, cy - 13); ctx.lineTo(cx, cy - 4); ctx.moveTo(cx, cy + 4); ctx.lineTo(cx, cy + 13);
      ctx.stroke();
    }
    ctx.restore();
    if (!this.N) {
      ctx.fillStyle = col.fg;
      ctx.font = "13px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(P < 260 ? "Place points, or pick a preset" : "Click to place points, or pick a preset", MARGIN + P / 2, MARGIN + P / 2);
    }
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < this.N; i++) counts[this.y[i]]++;
    const classes = counts.slice(0, this.get("n_classes")).map((n, c) => `${n} of class ${c}`).join(", ");
    this.canvas.setAttribute("aria-label", `Data plot and decision boundary: ${this.N} points (${classes}). Arrow keys move a cursor, Enter places a point, Delete removes the nearest.`);
  }

  drawCurve() {
    const ctx = this.curve.getContext("2d");
    const dpr = this.dpr;
    const W = this.side;
    const H = CURVE_H;
    const col = this.colours();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    const last = this.history.length ? this.history[this.history.length - 1] : null;
    const lossText = this.diverged ? "training loss: diverged" : "training loss" + (last ? " " + fmtNumber(last[1]) : "");
    const accText = this.diverged ? "" : "accuracy" + (last ? " " + fmtNumber(100 * last[2], 1, "%") : "");
    ctx.fillStyle = col.lossText;
    ctx.fillText(lossText, MARGIN, 4);
    ctx.textAlign = "right";
    ctx.fillStyle = col.accText;
    ctx.fillText(accText, W - MARGIN, 4);
    this.curve.setAttribute("aria-label", last ? `Curve of the ${lossText} and ${accText || "accuracy"} over ${this.history.length} records, up to epoch ${last[0]}` : "Training loss and accuracy: no training yet");
    const h = this.history.filter((r) => Number.isFinite(r[1]) && Number.isFinite(r[2]));
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
      ctx.fillText(this.diverged ? "press Reset to start again" : "press Train to see the loss fall", W / 2, (top + bottom) / 2);
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
}

function render({ model, el: root }) {
  const pg = new Playground(model, root);
  return () => pg.destroy();
}

export default { render };
