// dlbook MLP playground, part of the front end that dlbook/widgets/playground.py joins into one ES module (_esm).
// The math, with no DOM: the same MLP as dlbook.mlp.MLP (z_l = W_l h_{l-1} + b_l, weights (out, in) row-major),
// softmax cross-entropy (mean over points), SGD and Adam as dlbook.optim, the seeded initialization that
// playground.py mirrors, and the helpers that turn a reader's input into what the page shows. Node tests it.

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
// The network: sizes [D, H, (H), C] (D = the number of input features, 2 for x1, x2); W[l] is (sizes[l+1], sizes[l])
// row-major, b[l] is (sizes[l+1]). A network may carry `features` (names, as dlbook.data.PLAYGROUND_FEATURES): its
// forward pass takes the points' two coordinates and computes those features first.
// ---------------------------------------------------------------------------------------------------------------
export function architecture(hiddenUnits, hiddenLayers, nClasses, nInputs = 2) {
  const sizes = [nInputs];
  for (let i = 0; i < hiddenLayers; i++) sizes.push(hiddenUnits);
  sizes.push(nClasses);
  return sizes;
}

// He-normal weights (variance 2 / fan_in, as dlbook.init.he_normal), zero biases; drawn layer by layer, row-major.
export function initNetwork(sizes, seed, features = null) {
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
  return { sizes: sizes.slice(), W, b, features };
}

export function networkFromLists(sizes, weights, features = null) {
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
  return { sizes: sizes.slice(), W, b, features };
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

// ---------------------------------------------------------------------------------------------------------------
// Input features, as dlbook.data.playground_features: each a function of the two coordinates.
// ---------------------------------------------------------------------------------------------------------------
export const FEATURES = {
  x1: { label: "x₁", fn: (a, b) => a },
  x2: { label: "x₂", fn: (a, b) => b },
  "x1^2": { label: "x₁²", fn: (a, b) => a * a },
  "x2^2": { label: "x₂²", fn: (a, b) => b * b },
  "x1*x2": { label: "x₁·x₂", fn: (a, b) => a * b },
  "sin(x1)": { label: "sin x₁", fn: (a, b) => Math.sin(a) },
  "sin(x2)": { label: "sin x₂", fn: (a, b) => Math.sin(b) },
};
export const FEATURE_NAMES = Object.keys(FEATURES);
export const DEFAULT_FEATURES = ["x1", "x2"];

// The (N, D) feature matrix of N points (X flat, two coordinates per point), written into `out` if it fits.
export function featureMatrix(X, N, names, out) {
  const D = names.length;
  if (!out || out.length !== N * D) out = new Float64Array(N * D);
  const fns = names.map((k) => FEATURES[k].fn);
  for (let n = 0; n < N; n++) {
    const a = X[2 * n];
    const b = X[2 * n + 1];
    for (let j = 0; j < D; j++) out[n * D + j] = fns[j](a, b);
  }
  return out;
}

function isDefaultFeatures(names) {
  return !names || (names.length === 2 && names[0] === "x1" && names[1] === "x2");
}

// The features a reader asked for, in the canonical order (FEATURE_NAMES), or null if they are not valid.
export function cleanFeatures(names) {
  if (!Array.isArray(names)) return null;
  const out = FEATURE_NAMES.filter((k) => names.includes(k));
  return out.length && out.length === new Set(names).size && names.length === out.length ? out : null;
}

// ---------------------------------------------------------------------------------------------------------------
// The held-out split and the mini-batch order, both from the seed (playground.py mirrors them: js_test_mask,
// js_batch_order). Point i is a test point when the i-th draw of its stream is below the ratio, so placing a point
// never moves the others between the two sets.
// ---------------------------------------------------------------------------------------------------------------
export const SPLIT_SALT = 0x85ebca6b;
export const BATCH_SALT = 0x9e3779b1;

export function testMask(N, ratio, seed) {
  const mask = new Uint8Array(N);
  if (!(ratio > 0)) return mask;
  const u = mulberry32((seed ^ SPLIT_SALT) >>> 0);
  for (let i = 0; i < N; i++) mask[i] = u() < ratio ? 1 : 0;
  return mask;
}

// The batches of epoch `epoch` (counted from 0) over n training points: a Fisher-Yates shuffle from the seed and
// the epoch, cut into batches of `batchSize` (the last may be smaller). Full batch (batchSize 0, null or >= n): one
// batch of every point in order.
export function batchOrder(n, batchSize, seed, epoch) {
  const idx = Array.from({ length: n }, (_, i) => i);
  if (!batchSize || batchSize >= n) return [Int32Array.from(idx)];
  const u = mulberry32((seed ^ Math.imul(epoch + 1, BATCH_SALT)) >>> 0);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  const out = [];
  for (let s = 0; s < n; s += batchSize) out.push(Int32Array.from(idx.slice(s, s + batchSize)));
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The dense kernels of forward and backward, blocked so that each value loaded from memory serves several
// multiply-adds (4 to 5 times faster than the plain triple loops in V8). Every sum is still accumulated in the
// plain loops' order (over i, or over n, or over j, from 0), so the results are the same to the last bit.
// ---------------------------------------------------------------------------------------------------------------
// z (N, nout) = h (N, nin) W^T + bias; W is (nout, nin) row-major. Two rows of h by four rows of W at a time.
function denseForward(h, W, bias, z, N, nin, nout) {
  let n = 0;
  for (; n + 1 < N; n += 2) {
    const ha = n * nin;
    const hb = ha + nin;
    const za = n * nout;
    const zb = za + nout;
    let j = 0;
    for (; j + 3 < nout; j += 4) {
      const w0 = j * nin;
      const w1 = w0 + nin;
      const w2 = w1 + nin;
      const w3 = w2 + nin;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let i = 0; i < nin; i++) {
        const x = h[ha + i];
        const y = h[hb + i];
        const p = W[w0 + i], q = W[w1 + i], r = W[w2 + i], s = W[w3 + i];
        a0 += x * p; a1 += x * q; a2 += x * r; a3 += x * s;
        c0 += y * p; c1 += y * q; c2 += y * r; c3 += y * s;
      }
      z[za + j] = a0 + bias[j]; z[za + j + 1] = a1 + bias[j + 1]; z[za + j + 2] = a2 + bias[j + 2]; z[za + j + 3] = a3 + bias[j + 3];
      z[zb + j] = c0 + bias[j]; z[zb + j + 1] = c1 + bias[j + 1]; z[zb + j + 2] = c2 + bias[j + 2]; z[zb + j + 3] = c3 + bias[j + 3];
    }
    for (; j < nout; j++) {
      const wo = j * nin;
      let a = 0, c = 0;
      for (let i = 0; i < nin; i++) { a += h[ha + i] * W[wo + i]; c += h[hb + i] * W[wo + i]; }
      z[za + j] = a + bias[j];
      z[zb + j] = c + bias[j];
    }
  }
  for (; n < N; n++) {
    const ho = n * nin;
    const zo = n * nout;
    for (let j = 0; j < nout; j++) {
      const wo = j * nin;
      let a = 0;
      for (let i = 0; i < nin; i++) a += h[ho + i] * W[wo + i];
      z[zo + j] = a + bias[j];
    }
  }
}

// dW (nout, nin) = sum over n of delta[n]^T h[n], db = sum over n of delta[n]. In chunks of 32 points (which stay in
// the cache), tiles of 4 units by 2 inputs are summed in registers, starting from the chunk before.
function denseGradParams(delta, h, dW, db, N, nin, nout) {
  dW.fill(0); db.fill(0);
  for (let n = 0; n < N; n++) { const o = n * nout; for (let j = 0; j < nout; j++) db[j] += delta[o + j]; }
  const CH = 32;
  for (let n0 = 0; n0 < N; n0 += CH) {
    const n1 = Math.min(N, n0 + CH);
    let j = 0;
    for (; j + 3 < nout; j += 4) {
      const r0 = j * nin, r1 = r0 + nin, r2 = r1 + nin, r3 = r2 + nin;
      let i = 0;
      for (; i + 1 < nin; i += 2) {
        let a0 = dW[r0 + i], a1 = dW[r1 + i], a2 = dW[r2 + i], a3 = dW[r3 + i];
        let b0 = dW[r0 + i + 1], b1 = dW[r1 + i + 1], b2 = dW[r2 + i + 1], b3 = dW[r3 + i + 1];
        for (let n = n0; n < n1; n++) {
          const dof = n * nout + j, ho = n * nin + i;
          const e0 = delta[dof], e1 = delta[dof + 1], e2 = delta[dof + 2], e3 = delta[dof + 3];
          const x = h[ho], y = h[ho + 1];
          a0 += e0 * x; a1 += e1 * x; a2 += e2 * x; a3 += e3 * x;
          b0 += e0 * y; b1 += e1 * y; b2 += e2 * y; b3 += e3 * y;
        }
        dW[r0 + i] = a0; dW[r1 + i] = a1; dW[r2 + i] = a2; dW[r3 + i] = a3;
        dW[r0 + i + 1] = b0; dW[r1 + i + 1] = b1; dW[r2 + i + 1] = b2; dW[r3 + i + 1] = b3;
      }
      for (; i < nin; i++) {
        let a0 = dW[r0 + i], a1 = dW[r1 + i], a2 = dW[r2 + i], a3 = dW[r3 + i];
        for (let n = n0; n < n1; n++) { const dof = n * nout + j; const x = h[n * nin + i]; a0 += delta[dof] * x; a1 += delta[dof + 1] * x; a2 += delta[dof + 2] * x; a3 += delta[dof + 3] * x; }
        dW[r0 + i] = a0; dW[r1 + i] = a1; dW[r2 + i] = a2; dW[r3 + i] = a3;
      }
    }
    for (; j < nout; j++) {
      const r = j * nin;
      for (let i = 0; i < nin; i++) { let a = dW[r + i]; for (let n = n0; n < n1; n++) a += delta[n * nout + j] * h[n * nin + i]; dW[r + i] = a; }
    }
  }
}
// prev (N, nin) = delta (N, nout) W: tiles of 2 points by 4 inputs in registers, summed over the units j.
function denseGradInput(delta, W, prev, N, nin, nout) {
  let n = 0;
  for (; n + 1 < N; n += 2) {
    const da = n * nout, dbb = da + nout, pa = n * nin, pb = pa + nin;
    let i = 0;
    for (; i + 3 < nin; i += 4) {
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let j = 0; j < nout; j++) {
        const e = delta[da + j], f = delta[dbb + j], wo = j * nin + i;
        const p = W[wo], q = W[wo + 1], r = W[wo + 2], s = W[wo + 3];
        a0 += e * p; a1 += e * q; a2 += e * r; a3 += e * s; c0 += f * p; c1 += f * q; c2 += f * r; c3 += f * s;
      }
      prev[pa + i] = a0; prev[pa + i + 1] = a1; prev[pa + i + 2] = a2; prev[pa + i + 3] = a3;
      prev[pb + i] = c0; prev[pb + i + 1] = c1; prev[pb + i + 2] = c2; prev[pb + i + 3] = c3;
    }
    for (; i < nin; i++) { let a = 0, c = 0; for (let j = 0; j < nout; j++) { const w = W[j * nin + i]; a += delta[da + j] * w; c += delta[dbb + j] * w; } prev[pa + i] = a; prev[pb + i] = c; }
  }
  for (; n < N; n++) { const dof = n * nout, po = n * nin; for (let i = 0; i < nin; i++) { let a = 0; for (let j = 0; j < nout; j++) a += delta[dof + j] * W[j * nin + i]; prev[po + i] = a; } }
}

// Forward pass over N points X (a flat Float64Array of length 2N; their features are computed first, see above). Returns {zs, hs}: zs[l] is z_{l+1} (N * out),
// hs[l] is h_l (hs[0] = X); the last z is the logits. `ws` (optional) is a workspace reused between calls.
export function forward(net, act, X, N, ws) {
  const phi = ACTIVATIONS[act].fn;
  const L = net.sizes.length - 1;
  const plain = isDefaultFeatures(net.features);
  const key = N + ":" + net.sizes.join(",") + (plain ? "" : ":" + net.features.join(","));
  if (!ws || ws.key !== key) {
    ws = { key, zs: [], hs: [X] };
    for (let l = 0; l < L; l++) {
      ws.zs.push(new Float64Array(N * net.sizes[l + 1]));
      if (l + 1 < L) ws.hs.push(new Float64Array(N * net.sizes[l + 1]));
    }
  }
  ws.hs[0] = plain ? X : (ws.feat = featureMatrix(X, N, net.features, ws.feat));
  for (let l = 0; l < L; l++) {
    const nin = net.sizes[l];
    const nout = net.sizes[l + 1];
    const W = net.W[l];
    const bias = net.b[l];
    const h = ws.hs[l];
    const z = ws.zs[l];
    denseForward(h, W, bias, z, N, nin, nout);
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
    denseGradParams(delta, h, dW, db, N, nin, nout);
    if (l > 0) {
      // delta_{l} = (delta_{l+1} W_{l+1}) * phi'(z_l)
      const z = ws.zs[l - 1];
      const prev = grads.deltas[l - 1];
      denseGradInput(delta, net.W[l], prev, N, nin, nout);
      for (let k = 0; k < prev.length; k++) prev[k] *= dphi(z[k]);
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
// `reg` ({kind: "none" | "l1" | "l2", rate}) adds the gradient of a penalty on the weights (not the biases), as
// dlbook.regularization.weight_penalty: rate * W for L2 (the penalty rate/2 ||W||^2), rate * sign(W) for L1. The loss
// returned is the data loss alone.
export function trainStep(net, act, opt, X, y, N, state = {}, reg = null) {
  const C = net.sizes[net.sizes.length - 1];
  state.ws = forward(net, act, X, N, state.ws);
  if (!state.dz || state.dz.length !== N * C) state.dz = new Float64Array(N * C);
  const logits = state.ws.zs[state.ws.zs.length - 1];
  const { loss, correct } = softmaxCrossEntropy(logits, y, N, C, state.dz);
  state.grads = backward(net, act, state.ws, state.dz, N, state.grads);
  if (reg && reg.rate > 0 && (reg.kind === "l1" || reg.kind === "l2")) {
    const rate = reg.rate;
    for (let l = 0; l < net.W.length; l++) {
      const W = net.W[l];
      const dW = state.grads.dW[l];
      if (reg.kind === "l2") for (let i = 0; i < W.length; i++) dW[i] += rate * W[i];
      else for (let i = 0; i < W.length; i++) dW[i] += rate * Math.sign(W[i]);
    }
  }
  opt.step(state.grads);
  return { loss, acc: correct / N };
}

// One epoch: a step on each batch of `order` (arrays of row indices into X, y; see batchOrder). Stops at the first
// step whose loss or weights are not finite. Returns {steps, losses, ok}.
export function trainEpoch(net, act, opt, X, y, order, state = {}, reg = null) {
  const losses = [];
  if (!state.batches) state.batches = {};
  for (const idx of order) {
    const n = idx.length;
    let r;
    if (n === y.length && idx.every((v, i) => v === i)) {
      r = trainStep(net, act, opt, X, y, n, state, reg);
    } else {
      // Each batch size keeps its own workspaces (the last batch of an epoch may be smaller).
      const b = state.batches[n] || (state.batches[n] = { X: new Float64Array(2 * n), y: new Int32Array(n), st: {} });
      for (let k = 0; k < n; k++) {
        b.X[2 * k] = X[2 * idx[k]];
        b.X[2 * k + 1] = X[2 * idx[k] + 1];
        b.y[k] = y[idx[k]];
      }
      r = trainStep(net, act, opt, b.X, b.y, n, b.st, reg);
    }
    losses.push(r.loss);
    if (!Number.isFinite(r.loss) || !isFiniteNetwork(net)) return { steps: losses.length, losses, ok: false };
  }
  return { steps: losses.length, losses, ok: true };
}

// The training and test points of a data set (X flat, y) under testMask(N, ratio, seed).
export function splitData(X, y, N, ratio, seed) {
  const mask = testMask(N, ratio, seed);
  let nTest = 0;
  for (let i = 0; i < N; i++) nTest += mask[i];
  const part = (want, m) => {
    const out = { X: new Float64Array(2 * m), y: new Int32Array(m), N: m, index: new Int32Array(m) };
    for (let i = 0, j = 0; i < N; i++) {
      if (mask[i] !== want) continue;
      out.X[2 * j] = X[2 * i];
      out.X[2 * j + 1] = X[2 * i + 1];
      out.y[j] = y[i];
      out.index[j] = i;
      j++;
    }
    return out;
  };
  return { mask, train: part(0, N - nTest), test: part(1, nTest) };
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
//
// The page's other options, as the page runs them: `features` (names), `testRatio` and `seed` (the held-out split:
// only the training points are trained on), `batchSize` (0 or null: full batch) with the batch order of each epoch
// from `seed` and the epoch count (`epoch0` = epochs already done), and `regularization` / `regRate`. With
// `epochs`, each phase runs that many epochs (one step per batch) instead of `steps` full-batch steps. Returns the
// weights, the loss of every step, the test mask and the batch order used (indices into the training points).
export function train({
  sizes, weights, activation, optimizer, lr, X, y, steps, phases, features = null, testRatio = 0, seed = 0,
  batchSize = 0, epochs = null, epoch0 = 0, regularization = "none", regRate = 0,
}) {
  const net = networkFromLists(sizes, weights, features);
  if (!net) throw new Error("weights do not match sizes");
  const Xf = Float64Array.from(X.flat());
  const yi = Int32Array.from(y);
  const { mask, train: tr } = splitData(Xf, yi, yi.length, testRatio, seed);
  const reg = { kind: regularization, rate: regRate };
  const state = {};
  const losses = [];
  const order = [];
  let epoch = epoch0;
  for (const ph of phases || [{ optimizer, lr, steps, epochs }]) {
    const opt = makeOptimizer(ph.optimizer, net, ph.lr);
    if (ph.epochs) {
      for (let e = 0; e < ph.epochs; e++, epoch++) {
        const batches = batchOrder(tr.N, batchSize, seed, epoch);
        order.push(...batches.map((b) => Array.from(b)));
        losses.push(...trainEpoch(net, activation, opt, tr.X, tr.y, batches, state, reg).losses);
      }
    } else {
      for (let s = 0; s < ph.steps; s++) losses.push(trainStep(net, activation, opt, tr.X, tr.y, tr.N, state, reg).loss);
    }
  }
  return { weights: networkToLists(net), losses, mask: Array.from(mask), order };
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
// The whole state in a URL hash, and back: the fields of MLPPlayground.state (playground.py), checked as Python
// checks them. A shared link opens the same view with the initial weights of its seed.
// ---------------------------------------------------------------------------------------------------------------
export const STATE_FIELDS = [
  "points", "labels", "extent", "noise", "n_classes", "features", "hidden_layers", "hidden_units", "activation",
  "optimizer", "learning_rate", "regularization", "reg_rate", "batch_size", "test_ratio", "seed", "speed",
  "loss_scale",
];
// The view settings (SPEEDS and LOSS_SCALES in playground.py): training steps per animation frame (below 1: one step
// every few frames) and the loss curve's axis. Links written before they were kept have neither: the defaults apply.
export const SPEED_VALUES = [0.25, 1, 2, 5, 10, 20, 50];
export const DEFAULT_SPEED = 5;
export const LOSS_SCALES = ["log", "linear"];
export const DEFAULT_LOSS_SCALE = "log";
const OPTIONAL_FIELDS = { speed: DEFAULT_SPEED, loss_scale: DEFAULT_LOSS_SCALE };
export const OPTIMIZER_NAMES = ["sgd", "adam"];
export const REGULARIZATION_NAMES = ["none", "l1", "l2"];
export const HASH_KEY = "playground";

// Coordinates with 6 significant digits keep a 200-point link short.
export function encodeState(state) {
  const s = { ...state, points: state.points.map((p) => [Number(p[0].toPrecision(6)), Number(p[1].toPrecision(6))]) };
  return encodeURIComponent(JSON.stringify(STATE_FIELDS.reduce((o, k) => ((o[k] = s[k]), o), {})));
}

// {state} with every field checked, or {error} naming the first wrong field (nothing is applied then).
export function decodeState(text) {
  let raw;
  try {
    raw = JSON.parse(decodeURIComponent(text));
  } catch (err) {
    return { error: "the link's state is not readable" };
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return { error: "the link's state is not an object" };
  const out = {};
  const num = (v) => typeof v === "number" && Number.isFinite(v);
  const int = (k, lo, hi) => (Number.isInteger(raw[k]) && raw[k] >= lo && raw[k] <= hi ? raw[k] : undefined);
  const checks = {
    n_classes: () => int("n_classes", 2, 4),
    hidden_units: () => int("hidden_units", 1, 64),
    hidden_layers: () => int("hidden_layers", 0, 2),
    batch_size: () => int("batch_size", 0, 1000),
    seed: () => int("seed", 0, MAX_SEED),
    learning_rate: () => (num(raw.learning_rate) && raw.learning_rate > 0 && raw.learning_rate <= 10 ? raw.learning_rate : undefined),
    noise: () => (num(raw.noise) && raw.noise >= 0 && raw.noise <= 0.5 ? raw.noise : undefined),
    reg_rate: () => (num(raw.reg_rate) && raw.reg_rate >= 0 && raw.reg_rate <= 1 ? raw.reg_rate : undefined),
    test_ratio: () => (num(raw.test_ratio) && raw.test_ratio >= 0 && raw.test_ratio <= 0.5 ? raw.test_ratio : undefined),
    activation: () => (Object.hasOwn(ACTIVATIONS, raw.activation) ? raw.activation : undefined),
    optimizer: () => (OPTIMIZER_NAMES.includes(raw.optimizer) ? raw.optimizer : undefined),
    regularization: () => (REGULARIZATION_NAMES.includes(raw.regularization) ? raw.regularization : undefined),
    features: () => cleanFeatures(raw.features) || undefined,
    speed: () => (SPEED_VALUES.includes(raw.speed) ? raw.speed : undefined),
    loss_scale: () => (LOSS_SCALES.includes(raw.loss_scale) ? raw.loss_scale : undefined),
    extent: () => {
      const e = raw.extent;
      return Array.isArray(e) && e.length === 4 && e.every(num) && e[0] < e[1] && e[2] < e[3] ? e.slice() : undefined;
    },
    points: () => (Array.isArray(raw.points) && raw.points.every((p) => Array.isArray(p) && p.length === 2 && p.every(num)) ? raw.points : undefined),
    labels: () => (Array.isArray(raw.labels) && raw.labels.every((c) => Number.isInteger(c) && c >= 0 && c < 4) ? raw.labels : undefined),
  };
  for (const k of Object.keys(raw)) if (!STATE_FIELDS.includes(k)) return { error: `the link has an unknown field ${k}` };
  for (const k of STATE_FIELDS) {
    if (!(k in raw) && k in OPTIONAL_FIELDS) {
      out[k] = OPTIONAL_FIELDS[k];
      continue;
    }
    if (!(k in raw)) return { error: `the link has no ${k}` };
    const v = checks[k]();
    if (v === undefined) return { error: `the link's ${k} is not valid` };
    out[k] = v;
  }
  if (out.points.length !== out.labels.length) return { error: "the link's labels must be one per point" };
  if (out.labels.some((c) => c >= out.n_classes)) return { error: "the link's labels must be below n_classes" };
  out.extent = extentFor(out.points, out.extent);
  return { state: out };
}
