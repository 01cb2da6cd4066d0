/**
 * simulator/: the traffic engine, scenarios, emulated detectors and their faults. It knows no
 * controller: runs (in-process or over MQTT) are the one loop's (loop/).
 */
export type { Scenario } from '../protocol/index.ts';
export {
  type CountsOut,
  createSimulation,
  type Simulation,
  type SimulationOptions,
  type StepOptions,
  type StepOutput,
} from './engine.ts';
export { FAULTS } from './faults.ts';
export { type GridOptions, gridId, gridScenario } from './grid.ts';
export {
  type ApproachMetrics,
  type IntersectionMetrics,
  type MovementCounts,
  type OverrideCounts,
  type RunMetrics,
  STOP_DELAY_S,
} from './metrics.ts';
export {
  checkScenario,
  listBundledScenarios,
  loadScenario,
  parseScenario,
  parseScenarioText,
  SCENARIO_DIR,
  ScenarioError,
} from './scenario.ts';
