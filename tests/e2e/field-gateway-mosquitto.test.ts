/** The field loop end to end on the mosquitto broker (the steps: field-loop-suite.ts). */
import { fieldLoopSuite } from './field-loop-suite.ts';

fieldLoopSuite('mosquitto');
