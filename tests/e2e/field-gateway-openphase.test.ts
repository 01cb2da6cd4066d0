/** The field loop end to end on the openphase broker (the steps: field-loop-suite.ts). */
import { fieldLoopSuite } from './field-loop-suite.ts';

fieldLoopSuite('openphase');
