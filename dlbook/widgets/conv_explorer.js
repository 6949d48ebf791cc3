// dlbook ConvExplorer: slide a 1-D kernel along a signal. Input in gray, kernel window in orange, output in teal.
// The outputs of the preset kernels come from Python (dlbook.conv.conv1d) in the `outputs` trait; the reader's own
// kernel is recomputed here with the same sum, y[i] = sum_u w[u] x[i+u], so the static book needs no kernel.
// Controls (selects, a text box, a range slider) are drawn by this module itself. The drawing is an SVG whose
// coordinates are the screen's CSS pixels (its width follows the page), so its text is never scaled below 11 px.

export const MAX_KERNEL = 15; // as conv_explorer.py
export const KERNEL_LIMIT = 1000; // largest |weight| the reader may type (as conv_explorer.py)

export function correlateValid(x, w) {
  const n = x.length - w.length + 1;
  const y = new Array(Math.max(n, 0));
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let u = 0; u < w.length; u++) s += w[u] * x[i + u];
    y[i] = s;
  }
  return y;
}

// The reader's kernel: {kernel} or {error} saying what is wrong and what is allowed.
export function parseKernel(text, maxLen = MAX_KERNEL, limit = KERNEL_LIMIT) {
  const rule = `type 1 to ${maxLen} numbers between -${limit} and ${limit}, separated by commas or spaces`;
  const parts = String(text).split(/[\s,;]+/).filter((p) => p.length > 0);
  if (parts.length === 0) return { error: `The kernel is empty: ${rule}.` };
  if (parts.length > maxLen) return { error: `The kernel has ${parts.length} numbers, at most ${maxLen} are allowed: ${rule}.` };
  const w = parts.map(Number);
  const bad = parts.find((p, i) => !Number.isFinite(w[i]));
  if (bad !== undefined) return { error: `"${bad.slice(0, 20)}" is not a number: ${rule}.` };
  const big = w.find((v) => Math.abs(v) > limit);
  if (big !== undefined) return { error: `${big} is too large: ${rule}.` };
  return { kernel: w };
}

// A number for an axis or the readout: fixed decimals for everyday sizes, powers of ten beyond.
export function fmt(v, digits = 2) {
  if (!Number.isFinite(v)) return "not a number";
  return Math.abs(v) >= 1e5 ? v.toExponential(2) : v.toFixed(digits);
}

const SVGNS = "http://www.w3.org/2000/svg";
function svg(tag, attrs) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}
let INSTANCES = 0;

const CSS = `
.dlbook-ce { --ce-fg: var(--pst-color-text-base, var(--jp-ui-font-color1, #1f2328));
  --ce-muted: var(--pst-color-text-muted, var(--jp-ui-font-color2, #5f6b76));
  --ce-bg: var(--pst-color-background, var(--jp-layout-color0, #ffffff));
  --ce-border: var(--pst-color-border, var(--jp-border-color1, #d0d7de)); --ce-warn: #b3261e;
  font: 13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ce-fg); background: var(--ce-bg);
  border: 1px solid var(--ce-border); border-radius: 8px; padding: 8px; width: 100%; max-width: 760px;
  box-sizing: border-box; }
html[data-theme="dark"] .dlbook-ce, body[data-jp-theme-light="false"] .dlbook-ce { --ce-warn: #ff8a80; color-scheme: dark; }
/* The book theme paints widget outputs light in dark mode (html[data-theme=dark] .bd-content div.cell_output
   .widget-subarea): the demos draw their own dark-mode background instead. */
html[data-theme="dark"] .bd-content div.cell_output .widget-subarea:has(> .dlbook-ce, > * > .dlbook-ce, > .dlbook-pg, > * > .dlbook-pg),
html[data-theme="dark"] .widget-subarea:has(> .dlbook-ce, > * > .dlbook-ce, > .dlbook-pg, > * > .dlbook-pg) { background: transparent; }
.dlbook-ce * { box-sizing: border-box; }
.dlbook-ce .ce-controls { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: center; margin-bottom: 6px; }
.dlbook-ce select, .dlbook-ce input[type=text] { font: inherit; color: var(--ce-fg); background: var(--ce-bg);
  border: 1px solid var(--ce-border); border-radius: 6px; padding: 2px 4px; min-height: 28px; max-width: 100%; }
.dlbook-ce input[type=text][aria-invalid="true"] { border-color: var(--ce-warn); outline: 1px solid var(--ce-warn); }
.dlbook-ce svg { display: block; width: 100%; height: auto; }
.dlbook-ce .ce-slider { width: 100%; margin: 6px 0; }
.dlbook-ce .ce-readout { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px;
  margin: 4px 0; min-height: 1.3em; overflow-wrap: anywhere; }
.dlbook-ce .ce-msg { min-height: 1.3em; font-size: 12px; color: var(--ce-muted); }
.dlbook-ce .ce-msg.ce-warn { color: var(--ce-warn); font-weight: 600; }
`;

function render({ model, el }) {
  const colors = model.get("colors");
  const uid = "dlbook-ce-" + ++INSTANCES;
  const root = document.createElement("div");
  root.className = "dlbook-ce";
  root.setAttribute("role", "group");
  root.setAttribute("aria-label", "1-D convolution explorer");
  const style = document.createElement("style");
  style.textContent = CSS;
  root.appendChild(style);
  el.appendChild(root);

  const controls = document.createElement("div");
  controls.className = "ce-controls";
  root.appendChild(controls);
  function labelled(text, input) {
    const lab = document.createElement("label");
    lab.textContent = text + " ";
    lab.appendChild(input);
    controls.appendChild(lab);
    return lab;
  }
  const sigSel = document.createElement("select");
  sigSel.className = "ce-signal";
  for (const name of Object.keys(model.get("signals"))) sigSel.add(new Option(name, name));
  labelled("signal", sigSel);
  const kerSel = document.createElement("select");
  kerSel.className = "ce-kernel";
  for (const name of [...Object.keys(model.get("kernels")), "custom"]) kerSel.add(new Option(name, name));
  labelled("kernel", kerSel);
  const custom = document.createElement("input");
  custom.type = "text";
  custom.className = "ce-custom";
  custom.size = 18;
  custom.setAttribute("inputmode", "decimal");
  custom.title = `your kernel: 1 to ${MAX_KERNEL} numbers between -${KERNEL_LIMIT} and ${KERNEL_LIMIT}, separated by commas`;
  const customLabel = labelled("weights", custom);
  const slider = document.createElement("input");
  slider.type = "range";
  slider.className = "ce-slider";
  slider.min = "0";
  slider.step = "1";
  slider.setAttribute("aria-label", "kernel position");
  const readout = document.createElement("div");
  readout.className = "ce-readout";
  const msg = document.createElement("div");
  msg.className = "ce-msg";
  msg.id = uid + "-msg";
  msg.setAttribute("role", "status");
  custom.setAttribute("aria-describedby", msg.id);

  const plot = svg("svg", { role: "img", class: "ce-plot", "aria-label": "input signal, kernel window and output" });
  root.appendChild(plot);
  root.appendChild(slider);
  root.appendChild(readout);
  root.appendChild(msg);

  function setMessage(text, warn) {
    msg.textContent = text;
    msg.classList.toggle("ce-warn", !!warn);
  }

  function currentKernel() {
    const k = model.get("kernel");
    return k === "custom" ? model.get("custom_kernel") : model.get("kernels")[k];
  }
  function currentOutput() {
    const k = model.get("kernel"), s = model.get("signal");
    const x = model.get("signals")[s];
    if (k === "custom") return correlateValid(x, model.get("custom_kernel"));
    const stored = model.get("outputs")[`${k}|${s}`];
    return stored !== undefined ? stored : correlateValid(x, currentKernel());
  }

  let width = 0;
  function draw() {
    const x = model.get("signals")[model.get("signal")];
    const w = currentKernel();
    const y = currentOutput();
    const n = x.length, k = w.length;
    const maxPos = Math.max(y.length - 1, 0);
    const pos = Math.min(Math.max(model.get("position"), 0), maxPos);
    slider.max = String(maxPos);
    slider.value = String(pos);
    slider.setAttribute("aria-valuetext", `window over x[${pos}] to x[${pos + k - 1}]`);
    sigSel.value = model.get("signal");
    kerSel.value = model.get("kernel");
    customLabel.style.display = model.get("kernel") === "custom" ? "" : "none";
    if (document.activeElement !== custom) custom.value = model.get("custom_kernel").join(", ");

    // One SVG unit is one CSS pixel: the drawing is as wide as the widget, and its height follows.
    const W = Math.max(260, Math.round(width || root.clientWidth - 16 || 700));
    const narrow = W < 480;
    const L = narrow ? 44 : 48, R = 8, PT = 6, PH = narrow ? 110 : 125, GAP = 30, H = PT + 2 * PH + GAP + 8;
    plot.setAttribute("viewBox", `0 0 ${W} ${H}`);
    plot.setAttribute("width", String(W));
    plot.setAttribute("height", String(H));
    while (plot.firstChild) plot.removeChild(plot.firstChild);
    const px = (i) => L + (i / (n - 1)) * (W - L - R);
    function panel(top, values, title) {
      let lo = Math.min(0, ...values), hi = Math.max(0, ...values);
      if (!Number.isFinite(lo) || !Number.isFinite(hi)) { lo = -1; hi = 1; }
      if (hi - lo < 1e-9 * Math.max(1, Math.abs(hi))) { lo -= 1; hi += 1; }
      const pad = 0.08 * (hi - lo);
      lo -= pad; hi += pad;
      const py = (v) => top + PH - ((v - lo) / (hi - lo)) * PH;
      plot.appendChild(svg("rect", { x: L, y: top, width: W - L - R, height: PH, fill: "none", stroke: "#8884" }));
      plot.appendChild(svg("line", { x1: L, x2: W - R, y1: py(0), y2: py(0), stroke: "#8886" }));
      const t = svg("text", { x: L + 4, y: top + 14, "font-size": 12, fill: "currentColor" });
      t.textContent = title;
      plot.appendChild(t);
      for (const v of [lo + pad, hi - pad]) {
        const a = svg("text", { x: L - 4, y: py(v) + 4, "font-size": 11, "text-anchor": "end", fill: "currentColor" });
        a.textContent = fmt(v);
        plot.appendChild(a);
      }
      return py;
    }
    // Input panel: gray signal, orange window with the kernel's taps.
    const py1 = panel(PT, x, narrow ? "input x (gray), window (orange)" : "input x (gray), kernel window (orange)");
    const x0 = px(pos) - 3, x1 = px(pos + k - 1) + 3;
    plot.appendChild(svg("rect", { class: "ce-window", x: x0, y: PT, width: Math.max(x1 - x0, 6), height: PH,
      fill: colors.kernel, "fill-opacity": 0.18, stroke: colors.kernel, "stroke-width": 1.5,
      "data-start": pos, "data-end": pos + k - 1 }));
    plot.appendChild(svg("polyline", { points: x.map((v, i) => `${px(i)},${py1(v)}`).join(" "), fill: "none",
      stroke: colors.input, "stroke-width": 1.8 }));
    for (let u = 0; u < k; u++) {
      plot.appendChild(svg("circle", { cx: px(pos + u), cy: py1(x[pos + u]), r: 3.2, fill: colors.kernel }));
    }
    // Output panel: teal feature map up to the slider, at the centre of each window.
    const py2 = panel(PT + PH + GAP, y.length ? y : [0], narrow ? "output y = kernel ⋆ x" : "output y = kernel ⋆ x (teal)");
    const shown = y.slice(0, pos + 1);
    const centre = (i) => px(i + (k - 1) / 2);
    if (shown.length > 1) {
      plot.appendChild(svg("polyline", { class: "ce-output", points: shown.map((v, i) => `${centre(i)},${py2(v)}`)
        .join(" "), fill: "none", stroke: colors.output, "stroke-width": 2 }));
    }
    if (shown.length) {
      plot.appendChild(svg("circle", { cx: centre(pos), cy: py2(y[pos]), r: 4, fill: colors.output }));
    }
    const num = (v) => (v < 0 ? `(${fmt(v)})` : fmt(v));
    const terms = w.map((wu, u) => `${num(wu)}·${num(x[pos + u])}`).join(" + ");
    readout.textContent = y.length ? `y[${pos}] = ${terms} = ${fmt(y[pos], 4)}` : "kernel longer than signal";
    plot.setAttribute("aria-label", `Input signal ${model.get("signal")} with the ${k}-tap kernel window at positions ${pos} to ${pos + k - 1}; output y[${pos}] = ${y.length ? fmt(y[pos], 4) : "none"}`);
    root.dataset.position = String(pos);
    root.dataset.windowStart = String(pos);
    root.dataset.kernelLength = String(k);
    root.dataset.output = JSON.stringify(shown);
    root.dataset.kernel = JSON.stringify(w);
    root.dataset.width = String(W);
  }

  function set(values) {
    for (const [name, value] of Object.entries(values)) model.set(name, value);
    try {
      model.save_changes();
    } catch (err) {
      // No kernel (the static book): the state lives in the page only.
    }
    draw();
  }
  // The position sent with a new signal or kernel is one Python accepts (the window inside the signal).
  function clampedPosition(kernelName, signalName) {
    const x = model.get("signals")[signalName];
    const w = kernelName === "custom" ? model.get("custom_kernel") : model.get("kernels")[kernelName];
    return Math.min(Math.max(model.get("position"), 0), Math.max(x.length - w.length, 0));
  }
  slider.addEventListener("input", () => set({ position: Number(slider.value) }));
  sigSel.addEventListener("change", () => set({ signal: sigSel.value, position: clampedPosition(model.get("kernel"), sigSel.value) }));
  kerSel.addEventListener("change", () => {
    setMessage("");
    set({ kernel: kerSel.value, position: clampedPosition(kerSel.value, model.get("signal")) });
  });
  custom.addEventListener("change", () => {
    const r = parseKernel(custom.value);
    custom.setAttribute("aria-invalid", r.kernel ? "false" : "true");
    if (r.kernel) {
      setMessage(`Kernel of ${r.kernel.length} weights.`);
      const x = model.get("signals")[model.get("signal")];
      set({ custom_kernel: r.kernel, position: Math.min(model.get("position"), Math.max(x.length - r.kernel.length, 0)) });
    } else {
      setMessage(`Kernel not changed. ${r.error}`, true);
    }
  });
  const names = ["change:position", "change:signal", "change:kernel", "change:custom_kernel", "change:outputs"];
  for (const ev of names) model.on(ev, draw);
  let resizer = null;
  if (typeof ResizeObserver !== "undefined") {
    resizer = new ResizeObserver(() => {
      const w = Math.round(plot.getBoundingClientRect().width);
      if (w && Math.abs(w - width) > 1) {
        width = w;
        draw();
      }
    });
    resizer.observe(root);
  }
  draw();
  return () => {
    if (resizer) resizer.disconnect();
    for (const ev of names) model.off(ev, draw);
  };
}

export default { render };
