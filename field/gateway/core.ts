/**
 * One intersection of the field gateway (pure core, no I/O): decisions in, the safety monitor
 * and its watchdog from the signal room, the permit for the cabinet out; then what the
 * cabinet showed in, the `signal` message out. The fallback plan is the intersection's
 * time-of-day plan in force (its schedule, else its `plan`).
 *
 * @example
 * const core = createIntersectionCore(config, Date.now());
 * core.decide({ phase: 'ew', controller: 'ctl-1' });
 * const { permit } = core.step(Date.now());    // → adapter.apply(permit)
 * core.observe(await adapter.read());          // → publish the signal
 */
import {
  activePlan,
  type IntersectionConfig,
  type Plan,
  type Signal,
  type SignalOverride,
} from '../../protocol/index.ts';
import {
  createMonitor,
  FALLBACK_CONTROLLER,
  type MonitorState,
  monitorStep,
  type Request,
} from '../../signal/index.ts';
import type { CabinetState, Permit } from '../cabinet/types.ts';
import { cabinetMismatch, type Observed, signalFromCabinet } from './observe.ts';

export interface CoreOptions {
  /** zone of the schedule when the config names none (default UTC) */
  timeZone?: string;
  /** how long the cabinet may lag the monitor before a green counts as not permitted, ms */
  graceMs?: number;
  /**
   * the cabinet's backup time, ms (default 5000): its control bits lapse this long after the
   * last refresh and it runs its own plan. Unheard longer (silent, or the gateway itself held
   * up), it is taken up again at its next answer rather than judged against the monitor.
   */
  backupMs?: number;
}

/** Overrides kept for the next published signal while the cabinet is silent. */
const MAX_PENDING_OVERRIDES = 16;

export type FallbackChange = 'entered' | 'left' | undefined;

export function createIntersectionCore(
  config: IntersectionConfig,
  atMs: number,
  options: CoreOptions = {},
) {
  const graceMs = options.graceMs ?? 3000;
  const backupMs = options.backupMs ?? 5000;
  let state: MonitorState = withPlan(createMonitor(config, atMs), planAt(atMs));
  let pending: Request | undefined;
  let observed: Observed | undefined;
  let overrides: SignalOverride[] = [];
  let mismatchOpen = false;
  /**
   * The monitor takes up the cabinet's own green before it steers: at start and whenever the
   * cabinet comes back it may be mid-change on its own plan, and asking it for the monitor's
   * phase then would be a change the cabinet's timing has not allowed for.
   */
  let synced = false;
  /** when the cabinet last answered while taken up */
  let answeredAtMs = atMs;
  /** it did not answer last time (silent since `answeredAtMs`) */
  let silent = false;
  /**
   * Extra lag allowed just after a silence: permits sent meanwhile may have reached the
   * cabinet only now, so it may be behind the monitor by as long as it was silent.
   */
  let lagCredit = { ms: 0, untilMs: Number.NEGATIVE_INFINITY };
  const permittedAt = new Map<string, number>([[state.phase, atMs]]);
  const counts: Record<string, number> = {};

  function planAt(t: number): Plan | undefined {
    return activePlan(config, t, options.timeZone).plan;
  }

  const remember = (o: SignalOverride) => {
    counts[o.kind] = (counts[o.kind] ?? 0) + 1;
    overrides.push(o);
    if (overrides.length > MAX_PENDING_OVERRIDES)
      overrides = overrides.slice(-MAX_PENDING_OVERRIDES);
  };

  return {
    config,
    /** A valid decision: the newest one wins at the next step. */
    decide(request: Request): void {
      pending = request;
    },

    /**
     * Advances the monitor to `t`; the permit to send to the cabinet (none until the monitor
     * has taken up the cabinet's green).
     */
    step(t: number): {
      permit: Permit | undefined;
      fallback: FallbackChange;
      /** the cabinet went unheard past its backup time: taken up again at its next answer */
      retake?: { unheardMs: number };
    } {
      if (synced && t - answeredAtMs > backupMs) {
        // A lost reply or two is no reason to restart a green: the cabinet still holds the
        // last controls. Unheard past its backup time it may have run its own plan, so what
        // it shows next is taken up afresh, as at start, not judged against the monitor.
        synced = false;
        observed = undefined;
        silent = false;
        return { permit: undefined, fallback: undefined, retake: { unheardMs: t - answeredAtMs } };
      }
      if (!synced) return { permit: undefined, fallback: undefined };
      const wasFallback = state.inFallback;
      // the fallback plan follows the time of day (the monitor's fallback reads config.plan)
      const plan = planAt(t);
      if (plan !== state.config.plan) state = withPlan(state, plan);
      const before = state;
      const r = monitorStep(state, t, pending);
      pending = undefined;
      state = r.state;
      // a green stays permitted until the exact moment it ended
      if (before.interval === 'green')
        permittedAt.set(before.phase, r.transitions[0]?.sinceMs ?? t);
      for (const o of r.overrides) remember(o);
      if (state.interval === 'green') permittedAt.set(state.phase, t);
      for (const tr of r.transitions) if (tr.interval === 'green') permittedAt.set(tr.phase, t);
      const fallback: FallbackChange =
        state.inFallback === wasFallback ? undefined : state.inFallback ? 'entered' : 'left';
      return {
        permit: {
          atMs: t,
          phase: state.phase,
          interval: state.interval,
          ...(state.next !== undefined ? { next: state.next } : {}),
        },
        fallback,
      };
    },

    /**
     * What the cabinet showed; the signal to publish (undefined while the cabinet is silent:
     * the gateway never reports a state the cabinet did not show).
     */
    observe(cab: CabinetState | undefined): Signal | undefined {
      // silent: nothing to publish; the monitor steers on until the backup time runs out (step)
      if (!cab) {
        silent = true;
        return undefined;
      }
      if (silent) {
        lagCredit = { ms: cab.atMs - answeredAtMs, untilMs: cab.atMs + graceMs };
        silent = false;
      }
      answeredAtMs = cab.atMs;
      if (!synced) {
        const greens = Object.keys(cab.phases).filter((id) => cab.phases[id] === 'green');
        if (greens.length === 1 && state.safePhases.has(greens[0]!)) {
          synced = true;
          pending = undefined; // it answered a signal from before: the next one counts
          // as at creation: this green from now, the watchdog armed from now
          state = {
            ...state,
            phase: greens[0]!,
            interval: 'green',
            sinceMs: cab.atMs,
            next: undefined,
            reported: [],
            lastValidMs: cab.atMs,
          };
          permittedAt.set(greens[0]!, cab.atMs);
        } else {
          // the cabinet runs on its own until then: report what it shows, nothing to compare
          const out = signalFromCabinet(config, cab, observed, FALLBACK_CONTROLLER, overrides);
          observed = out.observed;
          overrides = [];
          return out.signal;
        }
      }
      const credit = cab.atMs <= lagCredit.untilMs ? lagCredit.ms : 0;
      const mismatch = cabinetMismatch(cab, permittedAt, graceMs + credit);
      if (mismatch && !mismatchOpen) remember(mismatch); // once per episode
      mismatchOpen = mismatch !== undefined;
      const controller = state.inFallback ? FALLBACK_CONTROLLER : state.controller;
      const out = signalFromCabinet(config, cab, observed, controller, overrides);
      observed = out.observed;
      overrides = [];
      return out.signal;
    },

    inFallback: () => state.inFallback,
    synced: () => synced,
    monitor: (): MonitorState => state,
    /** overrides by kind since start (the monitor's and `cabinet`) */
    overrideCounts: (): Record<string, number> => ({ ...counts }),
  };
}

export type IntersectionCore = ReturnType<typeof createIntersectionCore>;

/** The monitor's fallback reads the plan from its config: give it the plan in force. */
function withPlan(s: MonitorState, plan: Plan | undefined): MonitorState {
  const { plan: _old, ...rest } = s.config;
  return { ...s, config: plan ? { ...rest, plan } : rest };
}
