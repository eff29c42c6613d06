import type { ScaleResult, Traffic } from './scale';

/**
 * One SVG per action for the scale simulation, written by hand (no chart library): requests per second over
 * simulated time for each limit the action meets, against that limit, with every 429 marked as a red tick.
 * Rates are the requests accepted in each second, averaged over 5 s so the lines stay readable.
 */

const W = 760;
const H = 300;
const PAD = { left: 48, right: 16, top: 34, bottom: 58 };

interface Series {
  label: string;
  color: string;
  times: number[];
  limitPerSecond: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Requests per second in each 1 s bucket, as a 5 s moving average. */
export function ratePerSecond(times: number[], seconds: number, smoothing = 5): number[] {
  const buckets = new Array<number>(Math.max(1, seconds)).fill(0);
  for (const t of times) {
    const i = Math.min(buckets.length - 1, Math.floor(t / 1000));
    buckets[i] = (buckets[i] as number) + 1;
  }
  return buckets.map((_, i) => {
    const from = Math.max(0, i - smoothing + 1);
    const slice = buckets.slice(from, i + 1);
    return slice.reduce((a, b) => a + b, 0) / slice.length;
  });
}

export function scaleChart(action: string, scale: Pick<ScaleResult, 'simulatedSeconds' | 'floorSeconds' | 'burst' | 'pacing' | 'refused429'> & { traffic: Traffic }): string {
  const { traffic } = scale;
  const seconds = Math.max(1, Math.ceil(scale.simulatedSeconds));
  const series: Series[] = [{ label: `HubSpot (limit ${scale.burst}/10 s = ${scale.burst / 10}/s)`, color: '#1f6feb', times: traffic.hubspot, limitPerSecond: scale.burst / 10 }];
  if (traffic.search.length) series.push({ label: 'HubSpot search (limit 5/s)', color: '#8250df', times: traffic.search, limitPerSecond: 5 });
  // Dashed at the sustained limit: 500/min per realm (8.3/s) binds before 10/s does over any run longer than a minute.
  if (traffic.quickbooks.length) series.push({ label: 'QuickBooks, one realm (10/s, 500/min)', color: '#1a7f37', times: traffic.quickbooks, limitPerSecond: 500 / 60 });
  const rates = series.map((s) => ratePerSecond(s.times, seconds));
  // A loop, not Math.max(...): a simulation with hours of re-runs has more seconds than a call has arguments.
  let peak = 0;
  for (const s of series) peak = Math.max(peak, s.limitPerSecond);
  for (const r of rates) for (const v of r) if (v > peak) peak = v;
  const yMax = Math.ceil(peak * 1.15);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (sec: number) => PAD.left + (sec / seconds) * plotW;
  const y = (rate: number) => PAD.top + plotH - (rate / yMax) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  out.push(`<title>${esc(action)}: requests per second over simulated time</title>`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(
    `<text x="${PAD.left}" y="18" font-size="13" font-weight="bold">${esc(action)} — ${scale.simulatedSeconds} s simulated, rate floor ${scale.floorSeconds} s, ${scale.refused429} × 429, pacing ${scale.pacing ? 'on' : 'off'}</text>`,
  );
  // axes and grid
  for (let i = 0; i <= 4; i++) {
    const v = (yMax / 4) * i;
    out.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eaeef2"/>`);
    out.push(`<text x="${PAD.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#57606a">${Math.round(v)}</text>`);
  }
  const step = seconds > 600 ? 120 : seconds > 240 ? 60 : seconds > 90 ? 30 : 10;
  for (let s = 0; s <= seconds; s += step) {
    out.push(`<text x="${x(s).toFixed(1)}" y="${H - PAD.bottom + 14}" text-anchor="middle" fill="#57606a">${s} s</text>`);
  }
  out.push(`<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#57606a"/>`);
  out.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" stroke="#57606a"/>`);
  out.push(`<text x="14" y="${PAD.top + plotH / 2}" transform="rotate(-90 14 ${PAD.top + plotH / 2})" text-anchor="middle" fill="#57606a">requests / s</text>`);
  // rate floor marker
  out.push(`<line x1="${x(Math.min(seconds, scale.floorSeconds)).toFixed(1)}" x2="${x(Math.min(seconds, scale.floorSeconds)).toFixed(1)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#57606a" stroke-dasharray="2 3"/>`);
  series.forEach((s, i) => {
    out.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(s.limitPerSecond).toFixed(1)}" y2="${y(s.limitPerSecond).toFixed(1)}" stroke="${s.color}" stroke-dasharray="6 4" opacity="0.7"/>`);
    const points = (rates[i] as number[]).map((r, sec) => `${x(sec + 0.5).toFixed(1)},${y(r).toFixed(1)}`).join(' ');
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="1.5" points="${points}"/>`);
  });
  // 429s: one tick per refused request, at the bottom of the plot
  const ticks = traffic.refused.map((r) => `M${x(r.at / 1000).toFixed(1)} ${H - PAD.bottom}v-6`).join('');
  if (ticks) out.push(`<path d="${ticks}" stroke="#cf222e" stroke-width="1" opacity="0.5"/>`);
  // legend
  const legend = [...series.map((s) => ({ color: s.color, text: `${s.label}; dashed: its limit` })), { color: '#cf222e', text: `429 (${scale.refused429})` }, { color: '#57606a', text: 'dotted: rate floor' }];
  legend.forEach((l, i) => {
    const lx = PAD.left + (i % 3) * 240;
    const ly = H - 26 + Math.floor(i / 3) * 14;
    out.push(`<rect x="${lx}" y="${ly - 8}" width="10" height="3" fill="${l.color}"/><text x="${lx + 14}" y="${ly - 4}" fill="#24292f">${esc(l.text)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
