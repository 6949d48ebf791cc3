// dlbook MLP playground, part of the front end that dlbook/widgets/playground.py joins into one ES module (_esm).
// The data presets, in the spirit of dlbook.data.
import { normalFrom } from "./playground_math.js";

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

export const PRESET_NAMES = [
  ["spiral", "Spiral"],
  ["checkerboard", "Checkerboard"],
  ["xor", "XOR"],
  ["circles", "Circles"],
  ["moons", "Moons"],
];
