/** Runs the signal stepper contract against every stepper. */
import { createFastSignalStepper, createSignalStepper } from '../../signal/index.ts';
import { runSignalStepperContract } from './signal-stepper.contract.ts';

runSignalStepperContract({ name: 'plain', create: createSignalStepper });
runSignalStepperContract({ name: 'fast', create: createFastSignalStepper });
