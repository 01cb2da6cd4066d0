/** The engine a bench runs on when none is named (engines/all.ts holds them all). */
export const DEFAULT_ENGINE = 'openphase';
