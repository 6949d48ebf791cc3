// dlbook MLP playground, part of the front end that dlbook/widgets/playground.py joins into one ES module (_esm).
// The controls: the anywidget view (`export default { render }`) that builds every control, keeps the state in
// sync with Python, handles mouse, touch and keyboard, and runs the training animation. Its styles are
// playground.css, which playground.py passes in as PLAYGROUND_CSS.
import {
  ACTIVATIONS, DEFAULT_EXTENT, MAX_SEED, architecture, evaluate, extentFor, fmtNumber, initNetwork, isFiniteNetwork,
  makeOptimizer, mulberry32, networkFromLists, networkToLists, parseSeed, trainStep,
  DEFAULT_FEATURES, FEATURES, FEATURE_NAMES, HASH_KEY, STATE_FIELDS, batchOrder, cleanFeatures, decodeState,
  encodeState, splitData, trainEpoch, DEFAULT_LOSS_SCALE, DEFAULT_SPEED, LOSS_SCALES, SPEED_VALUES,
} from "./playground_math.js";
import { PRESETS, PRESET_NAMES } from "./playground_presets.js";
import {
  COLORS, COLOR_NAMES, CURVE_H, MARGIN, buildNetworkView, buildViewControls, drawCurve, drawNetwork, drawPlot,
  syncViewControls,
} from "./playground_draw.js";

const LEARNING_RATES = [0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const OPTIMIZER_LABELS = { sgd: "SGD", adam: "Adam" };
const TEST_RATIOS = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
const REG_LABELS = { none: "None", l1: "L1", l2: "L2" };
const REG_RATES = [0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1];
const BATCH_SIZES = [0, 1, 2, 5, 10, 20, 50]; // 0: the full batch
const SPOKEN_FEATURES = { x1: "x1", x2: "x2", "x1^2": "x1 squared", "x2^2": "x2 squared", "x1*x2": "x1 times x2", "sin(x1)": "sine of x1", "sin(x2)": "sine of x2" };
const MIN_SIDE = 200; // the plot is square: its side follows the width of its box, within these bounds
const MAX_SIDE = 600;
const HISTORY_MAX = 400;
const ANNOUNCE_EVERY_MS = 5000; // while training, the live region reports progress at most this often
let INSTANCES = 0;

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

class Playground {
  constructor(model, root) {
    this.model = model;
    this.root = root;
    // Counted for the whole page: each widget may load its own copy of this module, and ids must stay unique.
    INSTANCES = globalThis.__dlbookPlaygrounds = (globalThis.__dlbookPlaygrounds || 0) + 1;
    this.uid = "dlbook-pg-" + INSTANCES;
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
    this.restoreFromHash(true);
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
      // Replace the points (benchmarks/playground.py loads 1,000 this way): [[x, y], ...] and their classes.
      setData: (points, labels) => this.safe(() => this.setData(points, labels)),
      state: () => this.stateNow(),
      testMask: () => Array.from(this.split().mask),
    };
    if (this.restored) {
      // Opened from a shared link: Python (if a kernel is there) receives the restored view.
      this.push({ ...this.restored, weights: networkToLists(this.net), epoch: 0, history: [] });
      this.syncControls();
      this.setMessage("View restored from the link.");
    } else if (this.pendingMessage) {
      this.setMessage(this.pendingMessage, true);
    }
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
    this.dirty = true; // the reader changed something: the URL hash follows (scheduleHash)
    this.setLocal(values);
    try {
      this.model.save_changes();
    } catch (err) {
      // No kernel (the static book): the state lives in the page only.
    }
  }

  sizes() {
    return architecture(this.get("hidden_units"), this.get("hidden_layers"), this.get("n_classes"), this.featureNames().length);
  }

  // --- training options: input features, the held-out split, the penalty --------------------------------------------
  featureNames() {
    return cleanFeatures(this.get("features") || DEFAULT_FEATURES) || DEFAULT_FEATURES.slice();
  }

  get net() {
    return this._net;
  }

  set net(value) {
    // Every network the page builds computes the chosen input features from the two coordinates (math.js forward).
    if (value) value.features = this.featureNames();
    this._net = value;
  }

  split() {
    // The training and test points under the seeded split (cached until the data, the ratio or the seed change).
    const ratio = Number(this.get("test_ratio")) || 0;
    const seed = this.get("seed") >>> 0;
    const c = this._split;
    if (c && c.X === this.X && c.y === this.y && c.N === this.N && c.ratio === ratio && c.seed === seed) return c;
    this._split = { ...splitData(this.X, this.y, this.N, ratio, seed), X: this.X, y: this.y, N: this.N, ratio, seed };
    this.evalTrain = {};
    this.evalTest = {};
    return this._split;
  }

  reg() {
    return { kind: this.get("regularization") || "none", rate: Number(this.get("reg_rate")) || 0 };
  }

  // --- the view settings: the speed control and the loss axis (traits speed and loss_scale) -----------------------
  get speed() {
    // Epochs per animation frame (DEFAULT_SPEED, 5: about 300 a second at 60 frames a second, fast yet watchable).
    const v = Number(this.get("speed"));
    return SPEED_VALUES.includes(v) ? v : DEFAULT_SPEED;
  }

  get logLoss() {
    const v = this.get("loss_scale");
    return (LOSS_SCALES.includes(v) ? v : DEFAULT_LOSS_SCALE) === "log";
  }

  evalSplit() {
    // Loss and accuracy on the training points, and on the test points as `test` (null when there are none);
    // null when the training points give no finite loss.
    const { train, test } = this.split();
    if (!train.N) return null;
    const act = this.get("activation");
    const m = evaluate(this.net, act, train.X, train.y, train.N, this.evalTrain);
    if (!Number.isFinite(m.loss)) return null;
    const t = test.N ? evaluate(this.net, act, test.X, test.y, test.N, this.evalTest) : null;
    return { ...m, test: t && Number.isFinite(t.loss) ? t : null };
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
      ["change:hidden_units change:hidden_layers change:n_classes change:seed change:activation change:features change:test_ratio", guard(() => {
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
      ["change:regularization change:reg_rate change:batch_size", guard(() => this.syncControls())],
      ["change:speed change:loss_scale", guard(() => {
        this.stepCredit = 0;
        this.syncControls();
        this.invalidate();
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
    if (this.netResizer) this.netResizer.disconnect();
    for (const [ev, fn] of this.handlers) this.model.off(ev, fn);
    if (this.onHash) window.removeEventListener("hashchange", this.onHash);
    clearTimeout(this.hashTimer);
  }

  // --- building the DOM ----------------------------------------------------------------------------------------
  build() {
    const r = this.root;
    const id = (name) => `${this.uid}-${name}`;
    r.classList.add("dlbook-pg");
    r.setAttribute("role", "group");
    r.setAttribute("aria-label", "MLP playground");
    r.append(el("style", { text: typeof PLAYGROUND_CSS === "string" ? PLAYGROUND_CSS : "" }));

    this.trainLabel = el("span", { text: "Train" });
    this.trainIcon = el("span", { "aria-hidden": "true", text: "▶ " });
    this.trainBtn = el("button", { type: "button", class: "pg-train", title: "Train: one epoch after another (one step per batch)", onclick: () => this.safe(() => this.toggleTrain()) }, [this.trainIcon, this.trainLabel]);
    const stepBtn = el("button", { type: "button", class: "pg-step", text: "Step", title: "One epoch: one step with the full batch, one per batch with mini-batches", onclick: () => this.safe(() => this.step()) });
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
    this.testLossOut = el("b", { class: "pg-test-loss" });
    this.testAccOut = el("b", { class: "pg-test-acc" });
    this.testStat = el("span", { class: "pg-test-stat" }, ["Test loss ", this.testLossOut, ", accuracy ", this.testAccOut]);
    this.testStat.hidden = true;
    stat.append(this.testStat);
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
    for (const k of [0, 1, 2]) {
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
    this.plotBox = el("div", { class: "pg-plot" }, [this.canvas, this.curve, buildViewControls(this, el), this.msg, this.live]);

    r.append(el("div", { class: "pg-body" }, [this.plotBox, el("div", { class: "pg-side" }, [data, net, this.buildTraining(rowLabel, group, id)])]));
    r.append(buildNetworkView(this, el));

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
    this.syncTraining();
    syncViewControls(this);
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
    const t = m && m.test ? ` Test loss ${fmtNumber(m.test.loss)}, test accuracy ${fmtNumber(100 * m.test.acc, 1, " percent")}.` : "";
    return `Epoch ${this.epoch()}, loss ${m ? fmtNumber(m.loss) : "not available"}, accuracy ${m ? fmtNumber(100 * m.acc, 1, " percent") : "not available"}.${t}`;
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

  // --- the training options' controls -----------------------------------------------------------------------------
  buildTraining(rowLabel, group, id) {
    this.featBox = el("span", { class: "pg-feats", role: "group", "aria-labelledby": id("inputs") });
    for (const k of FEATURE_NAMES) {
      const cb = el("input", { type: "checkbox", "data-feature": k, "aria-label": SPOKEN_FEATURES[k] });
      cb.addEventListener("change", () => this.safe(() => this.toggleFeature(k, cb.checked)));
      this.featBox.append(el("label", { class: "pg-feat", title: `Input feature ${SPOKEN_FEATURES[k]}` }, [cb, el("span", { "aria-hidden": "true", text: FEATURES[k].label })]));
    }
    this.testSel = el("select", { class: "pg-test", id: id("test") });
    for (const v of TEST_RATIOS) this.testSel.append(el("option", { value: String(v), text: v ? `${Math.round(100 * v)}% held out` : "none" }));
    this.testSel.addEventListener("change", () => this.safe(() => this.setTestRatio(Number(this.testSel.value))));
    this.regSeg = group("pg-reg", "Regularization");
    for (const [k, label] of Object.entries(REG_LABELS)) {
      this.regSeg.append(el("button", { type: "button", "data-value": k, text: label, "aria-pressed": "false", onclick: () => this.safe(() => this.setOption({ regularization: k }, `Regularization ${label}`)) }));
    }
    this.regRate = el("select", { class: "pg-regrate", id: id("regrate") });
    this.regRate.addEventListener("change", () => this.safe(() => this.setOption({ reg_rate: Number(this.regRate.value) }, `Regularization rate ${fmtLr(Number(this.regRate.value))}`)));
    this.batchSel = el("select", { class: "pg-batch", id: id("batch") });
    this.batchSel.addEventListener("change", () => this.safe(() => {
      const b = Number(this.batchSel.value);
      this.setOption({ batch_size: b }, b ? `Batch size ${b}: shuffled from the seed every epoch` : "Full batch");
    }));
    return el("div", { class: "pg-sec", role: "group", "aria-labelledby": id("training") }, [
      el("div", { class: "pg-h", id: id("training"), text: "Training" }),
      el("div", { class: "pg-row" }, [rowLabel("Inputs"), this.featBox]),
      el("div", { class: "pg-row" }, [rowLabel("Test split", id("test")), this.testSel]),
      el("div", { class: "pg-row" }, [rowLabel("Regularization"), this.regSeg]),
      el("div", { class: "pg-row" }, [rowLabel("Penalty rate", id("regrate")), this.regRate]),
      el("div", { class: "pg-row" }, [rowLabel("Batch size", id("batch")), this.batchSel]),
    ]);
  }

  syncTraining() {
    const feats = this.featureNames();
    for (const cb of this.featBox.querySelectorAll("input")) cb.checked = feats.includes(cb.dataset.feature);
    const withValue = (sel, values, v, label) => {
      const all = values.includes(v) ? values : [...values, v].sort((a, b) => a - b);
      if (Array.from(sel.options, (o) => o.value).join() !== all.map(String).join()) sel.replaceChildren(...all.map((x) => el("option", { value: String(x), text: label(x) })));
      if (sel.value !== String(v)) sel.value = String(v);
    };
    withValue(this.testSel, TEST_RATIOS, Number(this.get("test_ratio")) || 0, (x) => (x ? `${Math.round(100 * x)}% held out` : "none"));
    withValue(this.regRate, REG_RATES, Number(this.get("reg_rate")) || 0, (x) => (x ? fmtLr(x) : "0"));
    withValue(this.batchSel, BATCH_SIZES, this.get("batch_size") | 0, (x) => (x ? String(x) : "full batch"));
    const reg = this.get("regularization") || "none";
    for (const b of this.regSeg.children) b.setAttribute("aria-pressed", b.dataset.value === reg ? "true" : "false");
    this.regRate.disabled = reg === "none";
    this.root.dataset.features = feats.join(",");
    this.scheduleHash();
  }

  setOption(values, what) {
    // Regularization, its rate and the batch size act on the next steps: the weights and the optimizer are kept.
    this.push(values);
    this.syncControls();
    this.announce(`${what}: from the next step on; the weights are kept.`);
  }

  setTestRatio(ratio) {
    // A new split is a new experiment: the weights start again from the seed.
    this.setArch({ test_ratio: ratio });
    const n = this.split().test.N;
    this.setMessage(ratio ? `${n} of ${this.N} points held out for testing (hollow); the network trains on the others.` : "No test split: the network trains on every point.");
  }

  toggleFeature(name, on) {
    const now = this.featureNames();
    const next = on ? [...now, name] : now.filter((k) => k !== name);
    const clean = cleanFeatures(next);
    if (!clean) {
      this.syncControls();
      this.setMessage("The network needs at least one input feature.", true);
      return;
    }
    this.setArch({ features: clean });
    this.setMessage(`Inputs ${clean.map((k) => SPOKEN_FEATURES[k]).join(", ")}: the input layer has ${clean.length} unit${clean.length === 1 ? "" : "s"}; new initial weights.`);
  }

  // --- the state in the URL hash -------------------------------------------------------------------------------------
  hashKey() {
    // Named by the notebook cell that holds the widget (the same on every load of a page, whatever order the widgets
    // render in): "playground-7" for the playground in the page's eighth cell.
    const cell = this.root.isConnected ? this.root.closest(".cell, .jp-Cell") : null;
    if (cell) {
      const all = Array.from(document.querySelectorAll(cell.classList.contains("jp-Cell") ? ".jp-Cell" : ".cell"));
      return HASH_KEY + "-" + all.indexOf(cell);
    }
    return HASH_KEY + "-" + this.uid.slice("dlbook-pg-".length);
  }

  stateNow() {
    const out = {};
    for (const k of STATE_FIELDS) out[k] = this.get(k);
    out.features = this.featureNames();
    out.speed = this.speed; // a model of an older page may lack the view settings: the defaults then
    out.loss_scale = this.logLoss ? "log" : "linear";
    return out;
  }

  scheduleHash() {
    if (!this.dirty || this.hashTimer || typeof window === "undefined" || !window.history || !window.history.replaceState) return;
    this.hashTimer = setTimeout(() => this.safe(() => {
      this.hashTimer = 0;
      const params = new URLSearchParams(window.location.hash.slice(1));
      for (const [k, v] of [...params]) if (!v) params.delete(k); // a section anchor (#name) gives way to the state
      const value = encodeState(this.stateNow());
      if (params.get(this.hashKey()) === decodeURIComponent(value)) return;
      params.set(this.hashKey(), decodeURIComponent(value));
      this.hashWritten = "#" + params.toString();
      window.history.replaceState(window.history.state, "", this.hashWritten);
      this.root.dataset.hash = "written";
    }), 300);
  }

  restoreFromHash(first) {
    // A shared link: every field is checked (decodeState) before any is applied; the weights start from the seed.
    if (typeof window === "undefined") return;
    if (first) {
      this.onHash = () => this.safe(() => {
        if (window.location.hash !== this.hashWritten) this.restoreFromHash(false);
      });
      window.addEventListener("hashchange", this.onHash);
      // The widget's place in the page names its part of the address: read it once the widget is in the page.
      let tries = 0;
      const later = () => this.safe(() => {
        if (!this.root.isConnected && tries++ < 60) requestAnimationFrame(later);
        else this.restoreFromHash(false);
      });
      requestAnimationFrame(later);
      return;
    }
    const text = new URLSearchParams(window.location.hash.slice(1)).get(this.hashKey());
    if (!text) return;
    const { state, error } = decodeState(encodeURIComponent(text));
    if (error) {
      this.pendingMessage = `This link's playground state was not applied: ${error}.`;
      if (!first) this.setMessage(this.pendingMessage, true);
      return;
    }
    this.running = false;
    this.setLocal({ ...state, weights: {}, epoch: 0, history: [] });
    this.root.dataset.restored = "true";
    if (!first) {
      this.readData();
      this.lastPreset = null;
      this.reinit(false);
      this.push(state);
      this.syncControls();
      this.setMessage("View restored from the link.");
      this.invalidate();
    } else {
      this.restored = state;
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
    if (this.N && new Set(this.split().train.y).size < 2 && new Set(this.y).size >= 2) {
      this.setMessage("The training points (those not held out for testing) must hold at least two classes: lower the test split or place more points.", true);
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
      // One epoch: the full batch, or the mini-batches of this epoch in the order drawn from the seed.
      const { train } = this.split();
      const epoch = this.epoch() + (this.pendingEpochs || 0);
      const order = batchOrder(train.N, this.get("batch_size") | 0, this.get("seed") >>> 0, epoch);
      const r = trainEpoch(this.net, act, this.opt, train.X, train.y, order, this.optState, this.reg());
      this.pendingEpochs = (this.pendingEpochs || 0) + 1;
      if (!r.ok) {
        this.diverge();
        break;
      }
    }
    return done;
  }

  afterSteps(done) {
    const ep = this.epoch() + done;
    this.pendingEpochs = 0;
    this.setLocal({ epoch: ep });
    if (!this.diverged && this.N) {
      const m = this.evalSplit();
      if (!m) {
        if (this.split().train.N) this.diverge();
        return;
      }
      this.history.push(m.test ? [ep, m.loss, m.acc, m.test.loss, m.test.acc] : [ep, m.loss, m.acc]);
      this.metrics = m;
      this.metricsOf = [this.net, this.X, this.opt, this.opt.t]; // draw() reuses them while these are unchanged
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

  setData(points, labels) {
    // Every point must lie in the view and have a class of the current number of classes; then the weights restart.
    const [x0, x1, y0, y1] = this.extent();
    const n = points.length;
    const nC = this.get("n_classes");
    if (labels.length !== n) throw new Error(`setData: ${n} points but ${labels.length} labels`);
    for (let i = 0; i < n; i++) {
      const [x, y] = points[i].map(Number);
      if (!(x >= x0 && x <= x1 && y >= y0 && y <= y1)) throw new Error(`setData: point ${i} is outside the view`);
      if (!(Number.isInteger(labels[i]) && labels[i] >= 0 && labels[i] < nC)) throw new Error(`setData: label ${i} is not a class`);
    }
    this.running = false;
    this.N = n;
    this.X = Float64Array.from(points.flat(), Number);
    this.y = Int32Array.from(labels);
    this.lastPreset = null;
    this.undo = null;
    this.optState.ws = null;
    this.optState.evalWs = null;
    this.writeData();
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
          // The speed control's steps per frame (below 1: one step every few frames), within ~10 ms (at least one
          // step when one is due), so the page stays fluid.
          this.stepCredit = Math.min(50, (this.stepCredit || 0) + this.speed);
          const due = Math.floor(this.stepCredit);
          this.stepCredit -= due;
          let done = 0;
          while (done < due && !this.diverged) {
            done += this.runSteps(1);
            if (performance.now() - t0 > 10) break;
          }
          if (due) this.afterSteps(done);
          this.root.dataset.stepsLastFrame = String(done);
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
    const m = this.N && !this.diverged ? this.evalSplit() : null;
    this.metrics = m || null;
    return this.metrics;
  }

  draw() {
    const same = this.metricsOf && [this.net, this.X, this.opt, this.opt.t].every((v, i) => v === this.metricsOf[i]);
    const metrics = same ? this.metrics : this.measure();
    this.metricsOf = null;
    this.epochOut.textContent = String(this.epoch());
    this.lossOut.textContent = this.diverged ? "diverged" : metrics ? fmtNumber(metrics.loss) : "–";
    this.accOut.textContent = this.diverged ? "–" : metrics ? fmtNumber(100 * metrics.acc, 1, "%") : "–";
    this.root.dataset.accuracy = metrics ? String(metrics.acc) : "";
    this.root.dataset.loss = metrics ? String(metrics.loss) : "";
    const test = metrics && metrics.test;
    this.testStat.hidden = !this.split().test.N;
    this.testLossOut.textContent = this.diverged ? "diverged" : test ? fmtNumber(test.loss) : "–";
    this.testAccOut.textContent = this.diverged ? "–" : test ? fmtNumber(100 * test.acc, 1, "%") : "–";
    this.root.dataset.testLoss = test ? String(test.loss) : "";
    this.root.dataset.testAccuracy = test ? String(test.acc) : "";
    this.root.dataset.testPoints = String(this.split().test.N);
    this.root.dataset.epoch = String(this.epoch());
    this.root.dataset.points = String(this.N);
    this.root.dataset.running = String(this.running);
    this.root.dataset.diverged = String(!!this.diverged);
    this.root.dataset.side = String(this.side);
    drawPlot(this);
    drawCurve(this);
    drawNetwork(this);
  }

}

function render({ model, el: root }) {
  const pg = new Playground(model, root);
  return () => pg.destroy();
}

export default { render };
