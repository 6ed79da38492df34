// The status page's charts, drawn in the browser with uPlot from the history the page embeds
// (monitors/status-page.ts inlines this file after uPlot). Plain browser JavaScript, no imports:
// the page is one file that works offline. Times are unix seconds, shown in UTC.
/* global uPlot, humanDuration */
(() => {
  const data = JSON.parse(document.getElementById('history-data').textContent);
  const COLORS = { p: '#2e9e44', d: '#e0a800', f: '#d33a2c', s: '#9aa0a6', k: '#8250df', t: '#1f6feb' };
  const WORDS = { p: 'pass', d: 'degraded', f: 'fail', s: 'skipped', k: 'known issue', t: 'throttled (rate limit)', '-': 'not run' };
  const STEP_COLORS = ['#1f77b4', '#ff7f0e', '#9467bd', '#17becf', '#8c564b', '#e377c2'];
  const t = data.t;
  const n = t.length;
  const names = Object.keys(data.checks);
  const iso = (s) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const utc = (s) => uPlot.tzDate(new Date(s * 1000), 'Etc/UTC');
  // Axis labels in UTC, 24-hour, ISO order (uPlot's default is US style: 4pm, 11/25).
  const TIME_LABELS = [
    [86400 * 365, '{YYYY}', null, null, null, null, null, null, 1],
    [86400 * 28, '{MMM}', '\n{YYYY}', null, null, null, null, null, 1],
    [86400, '{MM}-{DD}', '\n{YYYY}', null, null, null, null, null, 1],
    [3600, '{HH}:{mm}', '\n{YYYY}-{MM}-{DD}', null, '\n{MM}-{DD}', null, null, null, 1],
    [60, '{HH}:{mm}', '\n{YYYY}-{MM}-{DD}', null, '\n{MM}-{DD}', null, null, null, 1],
    [1, ':{ss}', '\n{YYYY}-{MM}-{DD} {HH}:{mm}', null, '\n{MM}-{DD} {HH}:{mm}', null, '\n{HH}:{mm}', null, 1],
  ];
  const timeAxis = { values: TIME_LABELS, font: `${innerWidth < 640 ? 11 : 12}px system-ui, sans-serif` };
  // Every chart is as wide as its box (a phone's 360 px included: no horizontal scroll), and keeps its
  // y axis as wide as the longest check name, so times line up across them.
  const narrow = innerWidth < 640;
  const axisFont = `${narrow ? 11 : 12}px system-ui, sans-serif`;
  const measure = document.createElement('canvas').getContext('2d');
  measure.font = axisFont;
  const ySize = Math.ceil(Math.max(60, ...Object.keys(data.checks).map((name) => measure.measureText(name).width)) + 24);
  const widthOf = (el) => Math.max(120, el.clientWidth);
  const notes = new Map();
  for (const [i, check, message] of data.notes) notes.set(`${i} ${check}`, message);

  // One x range for every chart. A history shorter than 10 minutes is centred in 10 minutes (uPlot
  // pads a single time by a day in milliseconds, which shows years of empty axis).
  const span = n ? t[n - 1] - t[0] : 0;
  const xPad = Math.max(0, (600 - span) / 2);
  const full = n ? [t[0] - xPad, t[n - 1] + xPad] : [Date.now() / 1000 - 300, Date.now() / 1000 + 300];
  const xRange = (_u, min, max) => (min == null || (min <= t[0] && max >= t[n - 1]) ? full : [min, max]);
  let zoomed = false;
  const charts = [];
  const syncX = (u) => {
    const { min, max } = u.scales.x;
    zoomed = min > full[0] || max < full[1];
    for (const other of charts)
      if (other !== u && (other.scales.x.min !== min || other.scales.x.max !== max)) other.setScale('x', { min, max });
  };
  const common = (height, el) => ({
    width: el ? widthOf(el) : 0,
    height,
    tzDate: utc,
    cursor: { sync: { key: 'monitor' }, drag: { x: true, y: false } },
    scales: { x: { time: true, range: xRange } },
    hooks: { setScale: [(u, key) => key === 'x' && syncX(u)] },
  });

  // ---- history: a row per check, a cell per pass, coloured by its result ----
  const rows = names.length;
  const anyMaintenance = data.maintenance.includes(1);
  const rowOf = (r) => rows - 1 - r;
  const drawTimeline = (u) => {
    const { ctx } = u;
    const dpr = devicePixelRatio || 1;
    const i0 = Math.max(0, u.valToIdx(u.scales.x.min) - 1);
    const i1 = Math.min(n - 1, u.valToIdx(u.scales.x.max) + 1);
    const xs = [];
    for (let i = i0; i <= i1; i++) xs.push(u.valToPos(t[i], 'x', true));
    // A cell spans to the next pass, at most 12 px, at least a device pixel.
    const w = (k) => Math.max(dpr, Math.min((k + 1 < xs.length ? xs[k + 1] - xs[k] : 12 * dpr) - dpr, 12 * dpr));
    ctx.save();
    for (let r = 0; r < rows; r++) {
      const s = data.checks[names[r]];
      const y0 = u.valToPos(rowOf(r) + 0.38, 'y', true);
      const y1 = u.valToPos(rowOf(r) - 0.38, 'y', true);
      const paths = { p: new Path2D(), d: new Path2D(), f: new Path2D(), s: new Path2D(), k: new Path2D() };
      for (let k = 0; k < xs.length; k++) {
        const path = paths[s[i0 + k]];
        if (path) path.rect(xs[k], y0, w(k), y1 - y0);
      }
      for (const [c, path] of Object.entries(paths)) {
        ctx.fillStyle = COLORS[c];
        ctx.fill(path);
      }
    }
    if (anyMaintenance) {
      const band = new Path2D();
      const y = u.bbox.top;
      for (let k = 0; k < xs.length; k++) if (data.maintenance[i0 + k]) band.rect(xs[k], y, w(k), 4 * dpr);
      ctx.fillStyle = '#7aa7e6';
      ctx.fill(band);
    }
    ctx.restore();
  };
  const hover = document.getElementById('timeline-hover');
  const showPass = (u) => {
    const i = u.cursor.idx;
    if (i == null) return;
    const lines = [`${iso(t[i])}${data.maintenance[i] ? ' (maintenance)' : ''} · pass took ${data.ms[i]} ms`];
    for (const name of names) {
      const s = data.checks[name][i];
      const note = notes.get(`${i} ${name}`);
      lines.push(`${name}: ${WORDS[s] ?? s}${note ? ` — ${note}` : ''}`);
    }
    hover.textContent = lines.join('\n');
  };
  const timelineEl = document.getElementById('timeline');
  const timeline = new uPlot(
    {
      ...common(rows * 22 + 50, timelineEl),
      legend: { show: false },
      cursor: { ...common(0).cursor, points: { show: false }, y: false },
      scales: { ...common(0).scales, y: { range: [-0.5, rows - 0.5] } },
      axes: [
        timeAxis,
        {
          size: ySize,
          gap: 6,
          font: axisFont,
          splits: () => names.map((_, r) => r),
          values: (_u, splits) => splits.map((v) => names[rows - 1 - v] ?? ''),
        },
      ],
      series: [{}, { label: 'history', paths: () => null, points: { show: false } }],
      hooks: { ...common(0).hooks, draw: [drawTimeline], setCursor: [showPass] },
    },
    [t, t.map(() => null)],
    timelineEl,
  );
  charts.push(timeline);

  // ---- latency per step, scaled to the data; the thresholds drawn when they fall in range ----
  const steps = Object.keys(data.steps);
  const { degradedMs, failMs } = data.thresholds;
  const latencyEl = document.getElementById('latency');
  const drawThresholds = (u) => {
    const { ctx } = u;
    const drawn = [];
    for (const [v, color, label] of [
      [degradedMs, COLORS.d, 'degraded'],
      [failMs, COLORS.f, 'fail'],
    ]) {
      if (v > u.scales.y.max) continue;
      const y = u.valToPos(v, 'y', true);
      ctx.save();
      ctx.strokeStyle = color;
      ctx.setLineDash([6, 4]);
      ctx.beginPath();
      ctx.moveTo(u.bbox.left, y);
      ctx.lineTo(u.bbox.left + u.bbox.width, y);
      ctx.stroke();
      ctx.fillStyle = color;
      ctx.font = `${11 * (devicePixelRatio || 1)}px system-ui`;
      ctx.textAlign = 'right';
      ctx.fillText(`${label} ${v} ms`, u.bbox.left + u.bbox.width - 4, y - 4);
      ctx.restore();
      drawn.push(label);
    }
    latencyEl.dataset.thresholds = drawn.join(',');
  };
  let maxMs = 0;
  for (const s of steps) for (const v of data.steps[s]) if (v != null && v > maxMs) maxMs = v;
  // Scaled to the data (10 % headroom); a threshold just above it is pulled into view.
  const near = [degradedMs, failMs].filter((v) => v <= maxMs * 1.5);
  const yMax = Math.max(maxMs * 1.1, ...near.map((v) => v * 1.08), 1);
  const latency = new uPlot(
    {
      ...common(narrow ? 200 : 260, latencyEl),
      scales: { ...common(0).scales, y: { range: () => [0, yMax] } },
      axes: [timeAxis, { size: ySize, font: axisFont, values: (_u, splits) => splits.map((v) => `${v} ms`) }],
      series: [
        { value: (_u, v) => (v == null ? '' : iso(v)) },
        ...steps.map((s, k) => ({
          label: s,
          stroke: STEP_COLORS[k % STEP_COLORS.length],
          width: 1.5,
          spanGaps: false,
          value: (_u, v) => (v == null ? '—' : `${v} ms`),
        })),
      ],
      hooks: { ...common(0).hooks, draw: [drawThresholds] },
    },
    [t, ...steps.map((s) => data.steps[s])],
    latencyEl,
  );
  charts.push(latency);

  // ---- token lifetime over time, against the promise ± the tolerance ----
  const { expectedH, toleranceH } = data.lifetime;
  const life = data.lifetimeH.filter((v) => v != null);
  const lo = Math.min(expectedH - toleranceH, ...life);
  const hi = Math.max(expectedH + toleranceH, ...life);
  const pad = Math.max((hi - lo) * 0.1, 0.05);
  const drawPromise = (u) => {
    const { ctx } = u;
    const a = u.valToPos(expectedH + toleranceH, 'y', true);
    const b = u.valToPos(expectedH - toleranceH, 'y', true);
    ctx.save();
    ctx.fillStyle = 'rgba(46,158,68,0.12)';
    ctx.fillRect(u.bbox.left, a, u.bbox.width, Math.max(b - a, 1));
    ctx.fillStyle = '#2e9e44';
    ctx.font = `${11 * (devicePixelRatio || 1)}px system-ui`;
    ctx.textAlign = 'left';
    ctx.fillText(`promised ${expectedH} h ± ${Math.round(toleranceH * 3600)} s`, u.bbox.left + 6, a - 4);
    ctx.restore();
  };
  const lifetimeEl = document.getElementById('lifetime');
  const lifetime = new uPlot(
    {
      ...common(200, lifetimeEl),
      scales: { ...common(0).scales, y: { range: () => [Math.max(0, lo - pad), hi + pad] } },
      axes: [timeAxis, { size: ySize, font: axisFont, values: (_u, splits) => splits.map((v) => `${+v.toFixed(3)} h`) }],
      series: [
        { value: (_u, v) => (v == null ? '' : iso(v)) },
        {
          label: 'token lifetime',
          stroke: '#1f77b4',
          width: 1.5,
          value: (_u, v) => (v == null ? '—' : `${v} h (${humanDuration(v * 3600)})`),
        },
      ],
      hooks: { ...common(0).hooks, draw: [drawPromise] },
    },
    [t, data.lifetimeH],
    lifetimeEl,
  );
  charts.push(lifetime);

  // A rotated phone, a resized window: each chart follows its box.
  const boxes = [timelineEl, latencyEl, lifetimeEl];
  addEventListener('resize', () => {
    charts.forEach((c, i) => {
      if (c.width !== widthOf(boxes[i])) c.setSize({ width: widthOf(boxes[i]), height: c.height });
    });
  });

  // ---- the token's time to expiry counts down; the served page reloads itself (not while zoomed) ----
  const token = document.getElementById('token');
  const ttl = document.getElementById('ttl');
  if (token?.dataset.expire && ttl)
    setInterval(() => {
      ttl.textContent = humanDuration(Number(token.dataset.expire) - Date.now() / 1000);
    }, 1000);
  if (data.refreshS > 0) {
    const note = document.getElementById('refresh');
    const reload = () => {
      if (!zoomed) location.reload();
      else {
        if (note) note.textContent = `refresh paused while zoomed (double-click a chart to reset)`;
        setTimeout(reload, data.refreshS * 1000);
      }
    };
    setTimeout(reload, data.refreshS * 1000);
  }
  requestAnimationFrame(() => {
    document.body.dataset.renderedMs = String(Math.round(performance.now()));
  });
})();
