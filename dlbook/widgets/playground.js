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

// Train from given weights for `steps` full-batch steps: what the Node test calls.
export function train({ sizes, weights, activation, optimizer, lr, X, y, steps }) {
  const net = networkFromLists(sizes, weights);
  if (!net) throw new Error("weights do not match sizes");
  const N = y.length;
  const Xf = Float64Array.from(X.flat());
  const yi = Int32Array.from(y);
  const opt = makeOptimizer(optimizer, net, lr);
  const state = {};
  const losses = [];
  for (let s = 0; s < steps; s++) losses.push(trainStep(net, activation, opt, Xf, yi, N, state).loss);
  return { weights: networkToLists(net), losses };
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
const TEAL = "#17a2a2"; // PALETTE output
const ORANGE = "#f28e2b"; // PALETTE kernel
const LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const PRESET_NAMES = [
  ["spiral", "Spiral"],
  ["checkerboard", "Checkerboard"],
  ["xor", "XOR"],
  ["circles", "Circles"],
  ["moons", "Moons"],
];
const PLOT = 300; // data area, CSS pixels
const MARGIN = 22; // axis margin around it
const CURVE_H = 70;
const HISTORY_MAX = 400;
const STEPS_PER_FRAME = 5; // about 300 steps a second at 60 frames a second: fast, yet slow enough to watch

const CSS = `
.dlbook-pg { --pg-fg: var(--pst-color-text-base, var(--jp-ui-font-color1, #1f2328));
  --pg-muted: var(--pst-color-text-muted, var(--jp-ui-font-color2, #5f6b76));
  --pg-bg: var(--pst-color-surface, var(--jp-layout-color1, #f6f8fa));
  --pg-card: var(--pst-color-background, var(--jp-layout-color0, #ffffff));
  --pg-border: var(--pst-color-border, var(--jp-border-color1, #d0d7de));
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 13px; color: var(--pg-fg);
  background: var(--pg-bg); border: 1px solid var(--pg-border); border-radius: 10px; padding: 12px;
  max-width: 780px; box-sizing: border-box; user-select: none; }
.dlbook-pg * { box-sizing: border-box; }
.dlbook-pg .pg-top { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; margin-bottom: 10px; }
.dlbook-pg button { font: inherit; color: var(--pg-fg); background: var(--pg-card); border: 1px solid var(--pg-border);
  border-radius: 6px; padding: 4px 10px; cursor: pointer; line-height: 1.4; }
.dlbook-pg button:hover { border-color: ${TEAL}; }
.dlbook-pg button.pg-on { background: ${TEAL}; border-color: ${TEAL}; color: #fff; }
.dlbook-pg button.pg-train { background: ${TEAL}; border-color: ${TEAL}; color: #fff; font-weight: 600; min-width: 84px; }
.dlbook-pg button.pg-train.pg-running { background: ${ORANGE}; border-color: ${ORANGE}; }
.dlbook-pg .pg-stat { margin-left: auto; display: flex; gap: 14px; font-variant-numeric: tabular-nums; }
.dlbook-pg .pg-stat b { font-weight: 600; }
.dlbook-pg .pg-body { display: flex; gap: 14px; flex-wrap: wrap; align-items: flex-start; }
.dlbook-pg .pg-side { flex: 1 1 250px; min-width: 240px; display: flex; flex-direction: column; gap: 10px; }
.dlbook-pg .pg-sec { background: var(--pg-card); border: 1px solid var(--pg-border); border-radius: 8px; padding: 8px 10px; }
.dlbook-pg .pg-sec h4 { margin: 0 0 6px 0; font-size: 11px; letter-spacing: .06em; text-transform: uppercase;
  color: var(--pg-muted); font-weight: 600; }
.dlbook-pg .pg-row { display: flex; align-items: center; gap: 6px; margin: 5px 0; flex-wrap: wrap; }
.dlbook-pg .pg-row > label { min-width: 86px; color: var(--pg-muted); }
.dlbook-pg .pg-seg { display: inline-flex; }
.dlbook-pg .pg-seg button { border-radius: 0; margin-left: -1px; padding: 3px 9px; }
.dlbook-pg .pg-seg button:first-child { border-radius: 6px 0 0 6px; margin-left: 0; }
.dlbook-pg .pg-seg button:last-child { border-radius: 0 6px 6px 0; }
.dlbook-pg .pg-presets button { padding: 3px 8px; }
.dlbook-pg .pg-swatch { width: 26px; height: 26px; border-radius: 50%; padding: 0; border: 2px solid transparent; }
.dlbook-pg .pg-swatch.pg-sel { box-shadow: 0 0 0 2px var(--pg-card), 0 0 0 4px var(--pg-fg); }
.dlbook-pg .pg-eraser.pg-sel { box-shadow: 0 0 0 2px var(--pg-card), 0 0 0 4px var(--pg-fg); }
.dlbook-pg select, .dlbook-pg input[type=number] { font: inherit; color: var(--pg-fg); background: var(--pg-card);
  border: 1px solid var(--pg-border); border-radius: 6px; padding: 2px 4px; }
.dlbook-pg input[type=number] { width: 64px; }
.dlbook-pg input[type=range] { width: 110px; accent-color: ${TEAL}; }
.dlbook-pg .pg-val { min-width: 30px; font-variant-numeric: tabular-nums; }
.dlbook-pg .pg-plot { flex: 0 0 auto; display: flex; flex-direction: column; gap: 6px; }
.dlbook-pg canvas { display: block; }
.dlbook-pg canvas.pg-canvas { cursor: crosshair; border-radius: 6px; background: var(--pg-card); }
.dlbook-pg canvas.pg-curve { border-radius: 6px; background: var(--pg-card); }
.dlbook-pg .pg-msg { min-height: 18px; color: var(--pg-muted); font-size: 12px; max-width: ${PLOT + 2 * MARGIN}px; }
.dlbook-pg .pg-msg.pg-warn { color: #b3261e; font-weight: 600; }
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

class Playground {
  constructor(model, root) {
    this.model = model;
    this.root = root;
    this.running = false;
    this.paint = 0; // class being placed, or -1 for the eraser
    this.optState = {};
    this.lastPreset = null;
    this.dataSeed = 1;
    this.frameTimes = [];
    this.pendingFrame = 0;
    this.lastSync = 0;
    this.ownWeights = null;
    this.build();
    this.readData();
    this.loadWeightsFromModel(true);
    this.listen();
    this.invalidate();
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

  writeData() {
    const pts = [];
    const lab = [];
    for (let i = 0; i < this.N; i++) {
      pts.push([this.X[2 * i], this.X[2 * i + 1]]);
      lab.push(this.y[i]);
    }
    this.push({ points: pts, labels: lab });
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
    for (const [ev, fn] of this.handlers) this.model.off(ev, fn);
  }

  // --- building the DOM ----------------------------------------------------------------------------------------
  build() {
    const r = this.root;
    r.classList.add("dlbook-pg");
    r.append(el("style", { text: CSS }));

    this.trainBtn = el("button", { class: "pg-train", title: "Run full-batch gradient descent", onclick: () => this.safe(() => this.toggleTrain()) });
    const stepBtn = el("button", { class: "pg-step", text: "Step", title: "One gradient-descent step", onclick: () => this.safe(() => this.step()) });
    const resetBtn = el("button", { class: "pg-reset", text: "Reset", title: "Initialize the weights again from the seed", onclick: () => this.safe(() => this.reset()) });
    const clearBtn = el("button", { class: "pg-clear", text: "Clear", title: "Remove every point", onclick: () => this.safe(() => this.clear()) });
    this.epochOut = el("span", { class: "pg-epoch" });
    this.lossOut = el("span", { class: "pg-loss" });
    this.accOut = el("span", { class: "pg-acc" });
    const stat = el("div", { class: "pg-stat" }, [
      el("span", {}, ["Epoch ", this.epochOut]),
      el("span", {}, ["Loss ", this.lossOut]),
      el("span", {}, ["Accuracy ", this.accOut]),
    ]);
    stat.querySelectorAll("span > span").forEach((s) => (s.style.fontWeight = "600"));
    r.append(el("div", { class: "pg-top" }, [this.trainBtn, stepBtn, resetBtn, clearBtn, stat]));

    // Data section
    this.classSeg = el("span", { class: "pg-seg pg-nclasses" });
    for (const k of [2, 3, 4]) {
      this.classSeg.append(el("button", { "data-value": String(k), text: String(k), onclick: () => this.safe(() => this.setClasses(k)) }));
    }
    this.swatches = el("span", { class: "pg-row pg-paint", style: "margin:0" });
    this.presetRow = el("div", { class: "pg-row pg-presets" });
    for (const [key, label] of PRESET_NAMES) {
      this.presetRow.append(el("button", { "data-preset": key, text: label, onclick: () => this.safe(() => this.loadPreset(key, true)) }));
    }
    this.noise = el("input", { type: "range", min: "0", max: "0.5", step: "0.05", class: "pg-noise" });
    this.noise.addEventListener("input", () => this.safe(() => {
      this.noiseOut.textContent = Number(this.noise.value).toFixed(2);
      this.push({ noise: Number(this.noise.value) });
      if (this.lastPreset) this.loadPreset(this.lastPreset, false);
    }));
    this.noiseOut = el("span", { class: "pg-val" });
    const data = el("div", { class: "pg-sec" }, [
      el("h4", { text: "Data" }),
      el("div", { class: "pg-row" }, [el("label", { text: "Classes" }), this.classSeg]),
      el("div", { class: "pg-row" }, [el("label", { text: "Click places" }), this.swatches]),
      el("div", { style: "color:var(--pg-muted);font-size:12px" }, ["Right-click or the eraser removes a point."]),
      el("div", { class: "pg-row", style: "margin-top:8px" }, [el("label", { text: "Presets" })]),
      this.presetRow,
      el("div", { class: "pg-row" }, [el("label", { text: "Noise" }), this.noise, this.noiseOut]),
    ]);

    // Network section
    this.layerSeg = el("span", { class: "pg-seg pg-layers" });
    for (const k of [1, 2]) {
      this.layerSeg.append(el("button", { "data-value": String(k), text: String(k), onclick: () => this.safe(() => this.setArch({ hidden_layers: k })) }));
    }
    this.units = el("input", { type: "range", min: "1", max: "64", step: "1", class: "pg-units" });
    this.unitsOut = el("span", { class: "pg-val" });
    this.units.addEventListener("input", () => { this.unitsOut.textContent = this.units.value; });
    this.units.addEventListener("change", () => this.safe(() => this.setArch({ hidden_units: Number(this.units.value) })));
    this.act = el("select", { class: "pg-activation" });
    for (const [k, spec] of Object.entries(ACTIVATIONS)) this.act.append(el("option", { value: k, text: spec.label }));
    this.act.addEventListener("change", () => this.safe(() => this.setArch({ activation: this.act.value })));
    this.optSeg = el("span", { class: "pg-seg pg-optimizer" });
    for (const [k, label] of [["sgd", "SGD"], ["adam", "Adam"]]) {
      this.optSeg.append(el("button", { "data-value": k, text: label, onclick: () => this.safe(() => this.push({ optimizer: k })) }));
    }
    this.lr = el("select", { class: "pg-lr" });
    this.lr.addEventListener("change", () => this.safe(() => {
      this.push({ learning_rate: Number(this.lr.value) });
      this.opt.lr = Number(this.lr.value);
    }));
    this.seed = el("input", { type: "number", min: "0", step: "1", class: "pg-seed" });
    this.seed.addEventListener("change", () => this.safe(() => {
      const s = Math.max(0, Math.floor(Number(this.seed.value) || 0)) >>> 0;
      this.setArch({ seed: s });
    }));
    const dice = el("button", { class: "pg-newseed", text: "New weights", title: "Draw a new seed and new initial weights", onclick: () => this.safe(() => this.setArch({ seed: (this.get("seed") + 1) >>> 0 })) });
    const net = el("div", { class: "pg-sec" }, [
      el("h4", { text: "Network" }),
      el("div", { class: "pg-row" }, [el("label", { text: "Hidden layers" }), this.layerSeg]),
      el("div", { class: "pg-row" }, [el("label", { text: "Units / layer" }), this.units, this.unitsOut]),
      el("div", { class: "pg-row" }, [el("label", { text: "Activation" }), this.act]),
      el("div", { class: "pg-row" }, [el("label", { text: "Optimizer" }), this.optSeg]),
      el("div", { class: "pg-row" }, [el("label", { text: "Learning rate" }), this.lr]),
      el("div", { class: "pg-row" }, [el("label", { text: "Seed" }), this.seed, dice]),
    ]);

    // Plot
    const dpr = Math.min(2, (typeof window !== "undefined" && window.devicePixelRatio) || 1);
    this.dpr = dpr;
    const side = PLOT + 2 * MARGIN;
    this.canvas = el("canvas", { class: "pg-canvas", width: String(side * dpr), height: String(side * dpr) });
    this.canvas.style.width = side + "px";
    this.canvas.style.height = side + "px";
    this.canvas.dataset.plotRect = JSON.stringify([MARGIN, MARGIN, PLOT, PLOT]);
    this.curve = el("canvas", { class: "pg-curve", width: String(side * dpr), height: String(CURVE_H * dpr) });
    this.curve.style.width = side + "px";
    this.curve.style.height = CURVE_H + "px";
    this.msg = el("div", { class: "pg-msg" });
    const plot = el("div", { class: "pg-plot" }, [this.canvas, this.curve, this.msg]);

    r.append(el("div", { class: "pg-body" }, [plot, el("div", { class: "pg-side" }, [data, net])]));

    this.canvas.addEventListener("pointerdown", (e) => this.safe(() => this.onPointer(e)));
    this.canvas.addEventListener("contextmenu", (e) => e.preventDefault());
    this.heat = document.createElement("canvas");
    this.syncControls();
  }

  syncControls() {
    const nC = this.get("n_classes");
    for (const b of this.classSeg.children) b.classList.toggle("pg-on", Number(b.dataset.value) === nC);
    if (this.paint >= nC) this.paint = nC - 1;
    if (this.swatches.childElementCount !== nC + 1) {
      this.swatches.replaceChildren();
      for (let c = 0; c < nC; c++) {
        const b = el("button", { class: "pg-swatch", "data-class": String(c), title: "Place points of class " + c, onclick: () => { this.paint = c; this.syncControls(); } });
        b.style.background = COLORS[c];
        this.swatches.append(b);
      }
      this.swatches.append(el("button", { class: "pg-eraser", "data-class": "-1", text: "Eraser", onclick: () => { this.paint = -1; this.syncControls(); } }));
    }
    for (const b of this.swatches.children) b.classList.toggle("pg-sel", Number(b.dataset.class) === this.paint);
    for (const b of this.layerSeg.children) b.classList.toggle("pg-on", Number(b.dataset.value) === this.get("hidden_layers"));
    for (const b of this.optSeg.children) b.classList.toggle("pg-on", b.dataset.value === this.get("optimizer"));
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
    this.trainBtn.textContent = this.running ? "❚❚ Pause" : "▶ Train";
    this.trainBtn.classList.toggle("pg-running", this.running);
  }

  setMessage(text, warn = false) {
    this.msg.textContent = text;
    this.msg.classList.toggle("pg-warn", warn);
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

  setClasses(k) {
    // Points of classes that no longer exist are removed.
    const keep = [];
    for (let i = 0; i < this.N; i++) if (this.y[i] < k) keep.push(i);
    if (keep.length !== this.N) {
      const X = new Float64Array(2 * keep.length);
      const y = new Int32Array(keep.length);
      keep.forEach((i, j) => { X[2 * j] = this.X[2 * i]; X[2 * j + 1] = this.X[2 * i + 1]; y[j] = this.y[i]; });
      this.X = X; this.y = y; this.N = keep.length;
      const pts = []; const lab = [];
      for (let i = 0; i < this.N; i++) { pts.push([X[2 * i], X[2 * i + 1]]); lab.push(y[i]); }
      this.setLocal({ points: pts, labels: lab });
      this.optState.ws = null; this.optState.evalWs = null;
    }
    this.setArch({ n_classes: k });
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
    } else if (this.canTrain()) {
      this.setMessage("");
      this.running = true;
      if (!this.history.length) this.afterSteps(0); // the curve starts at the current epoch
      this.lastSync = performance.now();
    }
    this.syncControls();
    this.invalidate();
  }

  runSteps(n) {
    const act = this.get("activation");
    let done = 0;
    for (; done < n; done++) {
      const r = trainStep(this.net, act, this.opt, this.X, this.y, this.N, this.optState);
      if (!Number.isFinite(r.loss) || !isFiniteNetwork(this.net)) {
        this.diverged = true;
        this.running = false;
        this.setMessage("Training diverged (the loss became NaN or infinite): lower the learning rate and press Reset.", true);
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
    this.invalidate();
  }

  reset() {
    this.running = false;
    this.reinit(false);
    this.syncControls();
    this.invalidate();
  }

  clear() {
    this.running = false;
    this.N = 0;
    this.X = new Float64Array(0);
    this.y = new Int32Array(0);
    this.lastPreset = null;
    this.optState.ws = null;
    this.optState.evalWs = null;
    this.writeData();
    this.reinit(false);
    this.syncControls();
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
    if (k !== this.get("n_classes")) this.setLocal({ n_classes: k });
    this.writeData();
    this.lastPreset = key;
    this.reinit(false);
    this.syncControls();
    this.invalidate();
  }

  // --- pointer -----------------------------------------------------------------------------------------------------
  extent() {
    const e = this.get("extent") || [-1.5, 1.5, -1.5, 1.5];
    return e.map(Number);
  }

  toData(px, py) {
    const [x0, x1, y0, y1] = this.extent();
    return [x0 + ((px - MARGIN) / PLOT) * (x1 - x0), y1 - ((py - MARGIN) / PLOT) * (y1 - y0)];
  }

  toPixel(x, y) {
    const [x0, x1, y0, y1] = this.extent();
    return [MARGIN + ((x - x0) / (x1 - x0)) * PLOT, MARGIN + ((y1 - y) / (y1 - y0)) * PLOT];
  }

  onPointer(e) {
    e.preventDefault();
    const rect = this.canvas.getBoundingClientRect();
    const px = ((e.clientX - rect.left) / rect.width) * (PLOT + 2 * MARGIN);
    const py = ((e.clientY - rect.top) / rect.height) * (PLOT + 2 * MARGIN);
    if (!(px >= MARGIN && px <= MARGIN + PLOT && py >= MARGIN && py <= MARGIN + PLOT)) return; // outside the data area
    if (e.button === 2 || this.paint === -1) {
      this.erase(px, py);
      return;
    }
    if (e.button !== 0) return;
    const [x, y] = this.toData(px, py);
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
    if (this.msg.classList.contains("pg-warn") && !this.diverged) this.setMessage("");
    this.writeData();
    this.invalidate();
  }

  erase(px, py) {
    let best = -1;
    let bestD = 12 * 12;
    for (let i = 0; i < this.N; i++) {
      const [qx, qy] = this.toPixel(this.X[2 * i], this.X[2 * i + 1]);
      const d = (qx - px) ** 2 + (qy - py) ** 2;
      if (d <= bestD) { bestD = d; best = i; }
    }
    if (best < 0) return;
    const X = new Float64Array(2 * (this.N - 1));
    const Y = new Int32Array(this.N - 1);
    for (let i = 0, j = 0; i < this.N; i++) {
      if (i === best) continue;
      X[2 * j] = this.X[2 * i]; X[2 * j + 1] = this.X[2 * i + 1]; Y[j] = this.y[i]; j++;
    }
    this.X = X; this.y = Y; this.N -= 1;
    this.optState.ws = null; this.optState.evalWs = null;
    this.lastPreset = null;
    this.writeData();
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
      const dt = performance.now() - t0;
      this.frameTimes.push(dt);
      if (this.frameTimes.length > 60) this.frameTimes.shift();
      this.root.dataset.frameMs = (this.frameTimes.reduce((a, b) => a + b, 0) / this.frameTimes.length).toFixed(2);
    });
    if (this.running) this.invalidate();
  }

  // --- drawing ---------------------------------------------------------------------------------------------------------
  draw() {
    const metrics = this.N && !this.diverged ? evaluate(this.net, this.get("activation"), this.X, this.y, this.N, this.optState) : null;
    this.epochOut.textContent = String(this.epoch());
    this.lossOut.textContent = metrics ? metrics.loss.toFixed(3) : "–";
    this.accOut.textContent = metrics ? (100 * metrics.acc).toFixed(1) + "%" : "–";
    this.root.dataset.accuracy = metrics ? String(metrics.acc) : "";
    this.root.dataset.loss = metrics ? String(metrics.loss) : "";
    this.root.dataset.epoch = String(this.epoch());
    this.root.dataset.points = String(this.N);
    this.root.dataset.running = String(this.running);
    this.root.dataset.diverged = String(!!this.diverged);
    this.drawPlot();
    this.drawCurve();
  }

  heatmap() {
    // Probabilities on a coarse G x G grid (cell centres), into a G x G ImageData that drawImage scales up smoothly.
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
    if (this.diverged) {
      for (let k = 0; k < G * G; k++) { img[4 * k] = 235; img[4 * k + 1] = 235; img[4 * k + 2] = 235; img[4 * k + 3] = 255; }
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
        const a = 0.15 + 0.55 * Math.max(0, Math.min(1, conf)); // as dlbook.plotting.plot_decision_boundary
        const [r, g, b] = RGB[arg];
        img[4 * k] = Math.round(255 + (r - 255) * a);
        img[4 * k + 1] = Math.round(255 + (g - 255) * a);
        img[4 * k + 2] = Math.round(255 + (b - 255) * a);
        img[4 * k + 3] = 255;
      }
    }
    this.heatCtx.putImageData(this.image, 0, 0);
    return this.heat;
  }

  drawPlot() {
    const ctx = this.canvas.getContext("2d");
    const dpr = this.dpr;
    const side = PLOT + 2 * MARGIN;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, side, side);
    const heat = this.heatmap();
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = "high";
    ctx.drawImage(heat, MARGIN, MARGIN, PLOT, PLOT);
    // axes and ticks
    const style = getComputedStyle(this.root);
    const muted = style.getPropertyValue("--pg-muted").trim() || "#5f6b76";
    ctx.strokeStyle = "rgba(0,0,0,0.25)";
    ctx.lineWidth = 1;
    ctx.strokeRect(MARGIN + 0.5, MARGIN + 0.5, PLOT - 1, PLOT - 1);
    ctx.fillStyle = muted;
    ctx.font = "10px system-ui, sans-serif";
    const [x0, x1, y0, y1] = this.extent();
    const ticks = (a, b) => {
      const out = [];
      const step = Math.pow(10, Math.floor(Math.log10((b - a) / 2)));
      const st = (b - a) / step > 8 ? step * 2 : step;
      for (let v = Math.ceil(a / st) * st; v <= b + 1e-9; v += st) out.push(Number(v.toFixed(6)));
      return out;
    };
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const v of ticks(x0, x1)) {
      const [px] = this.toPixel(v, 0);
      ctx.fillText(String(v), px, MARGIN + PLOT + 5);
      ctx.fillRect(px, MARGIN + PLOT, 1, 3);
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
    ctx.rect(MARGIN, MARGIN, PLOT, PLOT);
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
    ctx.restore();
    if (!this.N) {
      ctx.fillStyle = muted;
      ctx.font = "13px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText("Click to place points, or pick a preset", MARGIN + PLOT / 2, MARGIN + PLOT / 2);
    }
  }

  drawCurve() {
    const ctx = this.curve.getContext("2d");
    const dpr = this.dpr;
    const W = PLOT + 2 * MARGIN;
    const H = CURVE_H;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, H);
    const style = getComputedStyle(this.root);
    const muted = style.getPropertyValue("--pg-muted").trim() || "#5f6b76";
    ctx.fillStyle = muted;
    ctx.font = "10px system-ui, sans-serif";
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    const last = this.history.length ? this.history[this.history.length - 1] : null;
    ctx.fillStyle = TEAL;
    ctx.fillText("training loss" + (last ? " " + last[1].toFixed(3) : ""), MARGIN, 4);
    ctx.textAlign = "right";
    ctx.fillStyle = ORANGE;
    ctx.fillText("accuracy" + (last ? " " + (100 * last[2]).toFixed(1) + "%" : ""), W - MARGIN, 4);
    const h = this.history;
    const top = 18;
    const bottom = H - 14;
    ctx.strokeStyle = "rgba(128,128,128,0.35)";
    ctx.beginPath();
    ctx.moveTo(MARGIN, bottom + 0.5);
    ctx.lineTo(W - MARGIN, bottom + 0.5);
    ctx.stroke();
    if (h.length < 2) {
      ctx.fillStyle = muted;
      ctx.textAlign = "center";
      ctx.fillText("press Train to see the loss fall", W / 2, (top + bottom) / 2);
      return;
    }
    const e0 = h[0][0];
    const e1 = h[h.length - 1][0];
    const maxLoss = Math.max(...h.map((r) => (Number.isFinite(r[1]) ? r[1] : 0)), 1e-6);
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
    ctx.fillStyle = muted;
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
