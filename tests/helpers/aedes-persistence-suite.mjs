// aedes-persistence's own test suite (its abstract.js, what every aedes store passes) against
// the embedded broker's memory store. Run with `node --import tsx --test` (node:test), from
// tests/integration/broker-memory-persistence.test.ts.
import { test } from 'node:test';
import abstractPersistence from 'aedes-persistence/abstract.js';
import { createMemoryPersistence } from '../../broker/memory-persistence.ts';

abstractPersistence({ test, persistence: () => createMemoryPersistence(), testAsync: true });
