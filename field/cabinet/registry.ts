/**
 * The one list of cabinet adapters. Adding one (a DIASER or a vendor adapter): a folder in
 * field/cabinet/ and a line here; the contract suite and the docs test read this list.
 */
import { ntcip1202Cabinet } from './ntcip1202/index.ts';
import type { CabinetAdapterFactory } from './types.ts';
import { virtualCabinet } from './virtual/index.ts';

export const CABINETS: CabinetAdapterFactory[] = [virtualCabinet, ntcip1202Cabinet];

export const UNKNOWN_CABINET = 'OP_UNKNOWN_CABINET';

/** The adapter called `name`; throws an error listing the known names. */
export function getCabinet(name: string): CabinetAdapterFactory {
  const found = CABINETS.find((c) => c.name === name);
  if (!found) {
    const err = new Error(
      `unknown cabinet adapter '${name}'; known: ${CABINETS.map((c) => c.name).join(', ')}`,
    ) as Error & { code: string };
    err.code = UNKNOWN_CABINET;
    throw err;
  }
  return found;
}
