// @ts-check
/**
 * Fixed-time control from the protocol alone (pure: no MQTT, no clock).
 *
 * This is a line-by-line re-implementation of OpenPhase's built-in `fixed-time` algorithm, so
 * that an external controller and the built-in one make the SAME decisions for the same
 * messages (the benchmark checks it). It needs nothing but the messages of protocol v1:
 *
 *  - the intersection `config` (retained): phases, clearances, detectors, and maybe a `plan`;
 *  - the `counts` of its sensors: used only when the config has no plan, to re-time a
 *    Webster (1958) plan every 15 minutes from the last 15 minutes of counts;
 *  - the `signal`: what the heads show, so a change is never asked for before min green ends.
 *
 * Webster 1958: optimum cycle C0 = (1.5 L + 5) / (1 − Y), effective green g_i = (C0 − L) y_i / Y.
 */

export const DEFAULTS = {
  saturationFlowVphpl: 1800, // veh/h per lane in effective green
  lostTimePerPhaseS: 3, // start-up lost 2 s + the yellow drivers do not use (3 s − 2 s used)
  minCycleS: 30,
  maxCycleS: 150,
  defaultFlowVphpl: 300, // assumed before 15 minutes of counts exist
};
const RETIME_MS = 15 * 60_000;
const MAX_OUT_MARGIN_MS = 1000; // ask for the change 1 s before max green
const BUCKET_MS = 10_000; // counts are kept in 10 s buckets…
const BUCKETS = 90; // …for 15 minutes
const SEEN_SEQS = 256; // recent seqs remembered per sensor, to drop duplicates

/** @typedef {{ id: string, movements: string[], permissive?: string[], minGreenS: number, maxGreenS: number }} Phase */
/** @typedef {{ cycleS: number, greenS: Record<string, number>, offsetS?: number }} Plan */
/** @typedef {{ id: string, movements: string[], kind: 'stop-bar'|'advance', distanceM?: number, sensor?: string }} Detector */
/**
 * @typedef {{ id: string, approaches: Record<string, { lanes: number | { left?: number, through?: number, right?: number } }>,
 *   phases: Phase[], yellowS: number, allRedS: number, detectors?: Detector[], plan?: Plan }} Config
 */

const TURNS = ['left', 'through', 'right'];

/** Movements some phase serves, sorted. */
function servedMovements(/** @type {Config} */ config) {
  const set = new Set();
  for (const p of config.phases) for (const m of p.movements) set.add(m);
  return [...set].sort();
}

/** Lane groups: shared lanes form one group per approach, exclusive lanes one per movement. */
export function laneGroups(/** @type {Config} */ config) {
  const served = new Set(servedMovements(config));
  /** @type {{ id: string, movements: string[], lanes: number }[]} */
  const groups = [];
  for (const [approach, a] of Object.entries(config.approaches)) {
    const turns = TURNS.filter((t) => served.has(`${approach}-${t}`));
    if (turns.length === 0) continue;
    if (typeof a.lanes === 'number') {
      groups.push({
        id: `${approach}-${turns.join('-')}`,
        movements: turns.map((t) => `${approach}-${t}`),
        lanes: a.lanes,
      });
    } else {
      for (const t of turns) {
        const lanes = /** @type {Record<string, number|undefined>} */ (a.lanes)[t];
        if (lanes !== undefined)
          groups.push({ id: `${approach}-${t}`, movements: [`${approach}-${t}`], lanes });
      }
    }
  }
  return groups;
}

/** Detectors as configured, or one stop-bar and one advance detector per lane group. */
export function detectorsOf(/** @type {Config} */ config) {
  if (config.detectors && config.detectors.length > 0) return config.detectors;
  /** @type {Detector[]} */
  const out = [];
  for (const g of laneGroups(config)) {
    out.push({ id: `${g.id}-stop`, movements: g.movements, kind: 'stop-bar', distanceM: 0 });
    out.push({ id: `${g.id}-advance`, movements: g.movements, kind: 'advance', distanceM: 60 });
  }
  return out;
}

/** The fewest phases serving every movement (greedy), in service order. */
function coverPhases(/** @type {Config} */ config) {
  const uncovered = new Set(servedMovements(config));
  const chosen = new Set();
  while (uncovered.size > 0) {
    /** @type {{ id: string, n: number } | undefined} */
    let best;
    for (const p of config.phases) {
      if (chosen.has(p.id)) continue;
      const n = p.movements.filter((m) => uncovered.has(m)).length;
      if (n > (best?.n ?? 0)) best = { id: p.id, n };
    }
    if (!best) break;
    const id = best.id;
    chosen.add(id);
    for (const m of /** @type {Phase} */ (config.phases.find((p) => p.id === id)).movements)
      uncovered.delete(m);
  }
  return config.phases.filter((p) => chosen.has(p.id)).map((p) => p.id);
}

/** A Webster plan from lane-group flows (veh/h by lane-group id). */
export function websterPlan(
  /** @type {Config} */ config,
  /** @type {Record<string, number>} */ groupFlowVph,
  o = DEFAULTS,
) {
  const groups = laneGroups(config);
  const phases = coverPhases(config);
  const ys = phases.map((id) => {
    const phase = /** @type {Phase} */ (config.phases.find((p) => p.id === id));
    let y = 0;
    for (const g of groups) {
      if (!g.movements.some((m) => phase.movements.includes(m))) continue;
      y = Math.max(y, (groupFlowVph[g.id] ?? 0) / (o.saturationFlowVphpl * g.lanes));
    }
    return y;
  });
  const Y = ys.reduce((a, b) => a + b, 0);
  const L = phases.length * (o.lostTimePerPhaseS + config.allRedS);
  const c0 = Y >= 1 ? Number.POSITIVE_INFINITY : (1.5 * L + 5) / (1 - Y); // Webster 1958
  const cycle = Y >= 0.95 ? o.maxCycleS : Math.min(o.maxCycleS, Math.max(o.minCycleS, c0));
  const Ysum = ys.reduce((a, b) => a + b, 0);
  const available = Math.max(0, cycle - L);
  const effective =
    Ysum <= 0
      ? ys.map(() => available / Math.max(1, ys.length))
      : ys.map((y) => (available * y) / Ysum);
  /** @type {Record<string, number>} */
  const greenS = {};
  for (const p of config.phases) greenS[p.id] = 0;
  let cycleS = 0;
  phases.forEach((id, i) => {
    const phase = /** @type {Phase} */ (config.phases.find((p) => p.id === id));
    const displayed = /** @type {number} */ (effective[i]) - config.yellowS + o.lostTimePerPhaseS;
    const g = Math.min(phase.maxGreenS, Math.max(phase.minGreenS, Math.round(displayed)));
    greenS[id] = g;
    cycleS += g + config.yellowS + config.allRedS;
  });
  return { cycleS, greenS };
}

/** The phase a plan shows green at `atMs` (during a clearance: the phase that follows). */
export function planPhaseAt(
  /** @type {Config} */ config,
  /** @type {Plan} */ plan,
  /** @type {number} */ atMs,
) {
  const order = config.phases.filter((p) => (plan.greenS[p.id] ?? 0) > 0);
  if (order.length === 0) return config.phases[0].id;
  const clearMs = Math.round((config.yellowS + config.allRedS) * 1000);
  const greens = order.map((p) => Math.round(plan.greenS[p.id] * 1000));
  const used = greens.reduce((a, g) => a + g + clearMs, 0);
  const cycleMs = Math.max(used, Math.round(plan.cycleS * 1000));
  greens[greens.length - 1] += cycleMs - used; // slack to the last phase
  const offsetMs = Math.round((plan.offsetS ?? 0) * 1000);
  const pos = (((atMs - offsetMs) % cycleMs) + cycleMs) % cycleMs;
  let t = 0;
  for (let i = 0; i < order.length; i++) {
    t += greens[i];
    if (pos < t) return order[i].id;
    t += clearMs;
    if (pos < t) return order[(i + 1) % order.length].id;
  }
  return order[0].id;
}

function nextPlanned(
  /** @type {Config} */ config,
  /** @type {Plan} */ plan,
  /** @type {string} */ id,
) {
  const n = config.phases.length;
  const start = config.phases.findIndex((p) => p.id === id);
  for (let k = 1; k <= n; k++) {
    const p = config.phases[(start + k) % n];
    if ((plan.greenS[p.id] ?? 0) > 0) return p.id;
  }
  return id;
}

/**
 * One intersection's fixed-time controller.
 * @param {Config} config
 * @param {Partial<typeof DEFAULTS>} [options]
 */
export function createFixedTime(config, options = {}) {
  const o = { ...DEFAULTS, ...options };
  const detectors = detectorsOf(config);
  // 15 minutes of 10 s buckets per detector: vehicles counted and ms of data received.
  const windows = new Map(
    detectors.map((d) => [
      d.id,
      {
        index: new Float64Array(BUCKETS).fill(-1),
        count: new Float64Array(BUCKETS),
        covered: new Float64Array(BUCKETS),
      },
    ]),
  );
  /** @type {Map<string, { boot: string, maxSeq: number, seen: Set<number> }>} */
  const sensors = new Map();

  /** [protocol v1: boot/seq] false for a duplicate; a new boot starts over. */
  function isNew(/** @type {any} */ c) {
    const s = sensors.get(c.sensor);
    if (!s || s.boot !== c.boot) {
      sensors.set(c.sensor, { boot: c.boot, maxSeq: c.seq, seen: new Set([c.seq]) });
      return true;
    }
    if (s.seen.has(c.seq) || c.seq <= s.maxSeq - SEEN_SEQS) return false;
    if (c.seq > s.maxSeq) s.maxSeq = c.seq;
    s.seen.add(c.seq);
    if (s.seen.size > SEEN_SEQS)
      for (const q of s.seen) if (q <= s.maxSeq - SEEN_SEQS) s.seen.delete(q);
    return true;
  }

  /** Flow of a detector over the 15 minutes before atMs, veh/h of data received. */
  function flow15(/** @type {string} */ id, /** @type {number} */ atMs) {
    const w = /** @type {any} */ (windows.get(id));
    const cur = Math.floor((atMs - 1) / BUCKET_MS);
    let count = 0;
    let covered = 0;
    for (let b = cur - BUCKETS + 1; b <= cur; b++) {
      const slot = ((b % BUCKETS) + BUCKETS) % BUCKETS;
      if (w.index[slot] !== b) continue;
      count += w.count[slot];
      covered += w.covered[slot];
    }
    return covered > 0 ? (count * 3_600_000) / covered : 0;
  }

  /** @type {Plan} */
  let plan;
  let retime = false;
  if (config.plan) plan = config.plan;
  else {
    /** @type {Record<string, number>} */
    const flows = {};
    for (const g of laneGroups(config)) flows[g.id] = o.defaultFlowVphpl * g.lanes;
    plan = websterPlan(config, flows, o);
    retime = true;
  }
  /** @type {number | undefined} */
  let period;
  // A plan computed here has no coordination to keep: its cycles start at the first decision,
  // so a run gives the same greens whatever clock time it starts at.
  /** @type {number | undefined} */
  let anchorMs;
  let changingTo = config.phases[0].id;

  return {
    /** A counts message of one of this intersection's sensors. */
    onCounts(/** @type {any} */ c) {
      const duration = c.to - c.from;
      if (!(duration > 0 && duration <= 3_600_000) || !isNew(c)) return;
      for (const r of c.detectors) {
        const d = detectors.find((x) => x.id === r.id);
        const w = windows.get(r.id);
        if (!d || !w || (d.sensor !== undefined && d.sensor !== c.sensor)) continue;
        const b = Math.floor(c.from / BUCKET_MS);
        const slot = ((b % BUCKETS) + BUCKETS) % BUCKETS;
        if (w.index[slot] !== b) {
          if (w.index[slot] > b) continue; // older than 15 minutes
          w.index[slot] = b;
          w.count[slot] = 0;
          w.covered[slot] = 0;
        }
        w.count[slot] += r.count;
        w.covered[slot] += duration;
      }
    },

    /** The phase wanted, answering a signal message. */
    decide(/** @type {{ t: number, phase: string, interval: string, sinceMs: number }} */ signal) {
      const atMs = signal.t;
      if (retime) {
        const p = Math.floor(atMs / RETIME_MS);
        if (period !== undefined && p !== period) {
          // Lane-group flows: its advance detectors, else all its detectors.
          /** @type {Record<string, number>} */
          const flows = {};
          for (const g of laneGroups(config)) {
            const mine = detectors.filter((d) => d.movements.some((m) => g.movements.includes(m)));
            const adv = mine.filter((d) => d.kind === 'advance');
            flows[g.id] = (adv.length > 0 ? adv : mine).reduce((a, d) => a + flow15(d.id, atMs), 0);
          }
          if (Object.values(flows).some((f) => f > 0)) plan = websterPlan(config, flows, o);
        }
        period = p;
      }
      if (retime && anchorMs === undefined) anchorMs = atMs;
      const anchored = retime ? { ...plan, offsetS: (anchorMs ?? 0) / 1000 } : plan;
      const wanted = planPhaseAt(config, anchored, atMs);
      const current = config.phases.find((p) => p.id === signal.phase);
      if (signal.interval !== 'green' || !current)
        return signal.interval !== 'green' ? changingTo : wanted;
      const elapsed = atMs - signal.sinceMs;
      let out = wanted;
      // Never ask to cut a min green short, nor to run past max green.
      if (wanted !== signal.phase && elapsed < current.minGreenS * 1000) out = signal.phase;
      else if (wanted === signal.phase && elapsed + MAX_OUT_MARGIN_MS >= current.maxGreenS * 1000)
        out = nextPlanned(config, plan, signal.phase);
      changingTo = out === signal.phase ? nextPlanned(config, plan, signal.phase) : out;
      return out;
    },
  };
}
