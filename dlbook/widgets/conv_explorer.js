// dlbook ConvExplorer: slide a 1-D kernel along a signal. Input in gray, kernel window in orange, output in teal.
// The outputs of the preset kernels come from Python (dlbook.conv.conv1d) in the `outputs` trait; the reader's own
// kernel is recomputed here with the same sum, y[i] = sum_u w[u] x[i+u], so the static book needs no kernel.
// Controls (selects, a text box, a range slider) are drawn by this module itself.

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

export function parseKernel(text, maxLen = 15) {
  const parts = text.split(/[\s,;]+/).filter((p) => p.length > 0);
  const w = parts.map(Number);
  if (w.length < 1 || w.length > maxLen || w.some((v) => !Number.isFinite(v))) return null;
  return w;
}

const SVGNS = "http://www.w3.org/2000/svg";
function svg(tag, attrs) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function render({ model, el }) {
  const colors = model.get("colors");
  const root = document.createElement("div");
  root.className = "dlbook-ce";
  root.style.cssText = "font: 13px system-ui, sans-serif; max-width: 720px; color: inherit;";
  el.appendChild(root);

  const controls = document.createElement("div");
  controls.style.cssText = "display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin-bottom: 6px;";
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
  custom.title = "your kernel: numbers separated by commas";
  const customLabel = labelled("weights", custom);
  const slider = document.createElement("input");
  slider.type = "range";
  slider.className = "ce-slider";
  slider.min = "0";
  slider.step = "1";
  slider.style.width = "100%";
  slider.setAttribute("aria-label", "kernel position");
  const readout = document.createElement("div");
  readout.className = "ce-readout";
  readout.style.cssText = "font-family: monospace; margin: 4px 0; min-height: 1.3em;";

  const W = 700, H = 300, L = 40, R = 10, PT = 10, PH = 125, GAP = 30;
  const plot = svg("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", role: "img", class: "ce-plot" });
  plot.style.maxWidth = W + "px";
  root.appendChild(plot);
  root.appendChild(slider);
  root.appendChild(readout);

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

  function draw() {
    const x = model.get("signals")[model.get("signal")];
    const w = currentKernel();
    const y = currentOutput();
    const n = x.length, k = w.length;
    const maxPos = Math.max(y.length - 1, 0);
    const pos = Math.min(Math.max(model.get("position"), 0), maxPos);
    slider.max = String(maxPos);
    slider.value = String(pos);
    sigSel.value = model.get("signal");
    kerSel.value = model.get("kernel");
    customLabel.style.display = model.get("kernel") === "custom" ? "" : "none";
    if (document.activeElement !== custom) custom.value = model.get("custom_kernel").join(", ");

    while (plot.firstChild) plot.removeChild(plot.firstChild);
    const px = (i) => L + (i / (n - 1)) * (W - L - R);
    function panel(top, values, title) {
      let lo = Math.min(0, ...values), hi = Math.max(0, ...values);
      if (hi - lo < 1e-9) { lo -= 1; hi += 1; }
      const pad = 0.08 * (hi - lo);
      lo -= pad; hi += pad;
      const py = (v) => top + PH - ((v - lo) / (hi - lo)) * PH;
      plot.appendChild(svg("rect", { x: L, y: top, width: W - L - R, height: PH, fill: "none", stroke: "#8884" }));
      plot.appendChild(svg("line", { x1: L, x2: W - R, y1: py(0), y2: py(0), stroke: "#8886" }));
      const t = svg("text", { x: L + 4, y: top + 13, "font-size": 12, fill: "currentColor" });
      t.textContent = title;
      plot.appendChild(t);
      for (const v of [lo + pad, hi - pad]) {
        const a = svg("text", { x: L - 4, y: py(v) + 4, "font-size": 10, "text-anchor": "end", fill: "currentColor" });
        a.textContent = v.toFixed(2);
        plot.appendChild(a);
      }
      return py;
    }
    // Input panel: gray signal, orange window with the kernel's taps.
    const py1 = panel(PT, x, "input x (gray), kernel window (orange)");
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
    const py2 = panel(PT + PH + GAP, y.length ? y : [0], "output y = kernel ⋆ x (teal)");
    const shown = y.slice(0, pos + 1);
    const centre = (i) => px(i + (k - 1) / 2);
    if (shown.length > 1) {
      plot.appendChild(svg("polyline", { class: "ce-output", points: shown.map((v, i) => `${centre(i)},${py2(v)}`)
        .join(" "), fill: "none", stroke: colors.output, "stroke-width": 2 }));
    }
    if (shown.length) {
      plot.appendChild(svg("circle", { cx: centre(pos), cy: py2(y[pos]), r: 4, fill: colors.output }));
    }
    const num = (v) => (v < 0 ? `(${v.toFixed(2)})` : v.toFixed(2));
    const terms = w.map((wu, u) => `${num(wu)}·${num(x[pos + u])}`).join(" + ");
    readout.textContent = y.length ? `y[${pos}] = ${terms} = ${y[pos].toFixed(4)}` : "kernel longer than signal";
    root.dataset.position = String(pos);
    root.dataset.windowStart = String(pos);
    root.dataset.kernelLength = String(k);
    root.dataset.output = JSON.stringify(shown);
    root.dataset.kernel = JSON.stringify(w);
  }

  function set(name, value) {
    model.set(name, value);
    model.save_changes();
    draw();
  }
  slider.addEventListener("input", () => set("position", Number(slider.value)));
  sigSel.addEventListener("change", () => set("signal", sigSel.value));
  kerSel.addEventListener("change", () => set("kernel", kerSel.value));
  custom.addEventListener("change", () => {
    const w = parseKernel(custom.value);
    custom.style.outline = w ? "" : "2px solid " + colors.kernel;
    if (w) set("custom_kernel", w);
  });
  const names = ["change:position", "change:signal", "change:kernel", "change:custom_kernel", "change:outputs"];
  for (const ev of names) model.on(ev, draw);
  draw();
  return () => {
    for (const ev of names) model.off(ev, draw);
  };
}

export default { render };
