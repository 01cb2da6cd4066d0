/**
 * The TraCI client: control commands (version, step, load, close), generic get/set,
 * variable subscriptions, and typed helpers per domain.
 */

import { type ConnectOptions, openConnection, type TraciConnection } from './connection.ts';
import { CMD, type DomainIds, INVALID_DOUBLE, SUPPORTED_API_VERSIONS } from './constants.ts';
import {
  inductionLoopDomain,
  laneAreaDomain,
  laneDomain,
  simulationDomain,
  trafficLightDomain,
  vehicleDomain,
} from './domains.ts';
import { TraciError } from './errors.ts';
import {
  encodeCommand,
  readGetResponse,
  readStatus,
  readSubscriptionResponse,
  type SubscriptionResponse,
  subscribeBody,
  variableBody,
} from './protocol.ts';
import { type TraciValue, Writer } from './storage.ts';

export interface TraciVersion {
  readonly apiVersion: number;
  /** e.g. 'SUMO 1.15.0' */
  readonly sumoVersion: string;
}

/** The subscribed values SUMO sent with one step, looked up by domain and object. */
export interface StepResult {
  readonly responses: readonly SubscriptionResponse[];
  /** Values of one subscribed object, by variable id. */
  get(domain: DomainIds, objectId: string): ReadonlyMap<number, TraciValue> | undefined;
}

export interface ConnectTraciOptions extends ConnectOptions {
  /** API versions to accept; default: the versions this client was tested against. */
  readonly apiVersions?: readonly number[];
}

export type TraciClient = Awaited<ReturnType<typeof createClient>>;

function stepResult(responses: SubscriptionResponse[]): StepResult {
  const byKey = new Map<string, ReadonlyMap<number, TraciValue>>();
  for (const r of responses) byKey.set(`${r.subscribeId}/${r.objectId}`, r.values);
  return {
    responses,
    get: (domain, objectId) => byKey.get(`${domain.subscribe}/${objectId}`),
  };
}

function createClient(connection: TraciConnection, onClose: () => Promise<void>) {
  let closing: Promise<void> | null = null;

  // Status first; what follows is the command's answer.
  const call = async (commandId: number, body?: Buffer) => {
    const r = await connection.request([encodeCommand(commandId, body)]);
    readStatus(r, commandId);
    return r;
  };

  const access = {
    async getVariable(domain: DomainIds, variableId: number, objectId: string) {
      const r = await call(domain.get, variableBody(variableId, objectId));
      return readGetResponse(r, domain.get, variableId, objectId);
    },
    async setVariable(domain: DomainIds, variableId: number, objectId: string, value: Buffer) {
      if (domain.set === null) {
        throw new TraciError('TRACI_COMMAND_FAILED', `the ${domain.name} domain has no setters`);
      }
      await call(domain.set, variableBody(variableId, objectId, value));
    },
  };

  return {
    ...access,

    async getVersion(): Promise<TraciVersion> {
      const r = await call(CMD.getVersion);
      r.length();
      const responseId = r.ubyte();
      if (responseId !== CMD.getVersion) {
        throw new TraciError(
          'TRACI_PROTOCOL',
          `unexpected answer 0x${responseId.toString(16)} to getVersion`,
        );
      }
      return { apiVersion: r.int(), sumoVersion: r.string() };
    },

    /**
     * Advances to `untilS` (seconds; 0 = exactly one step) and returns every subscribed value:
     * one round trip per step.
     */
    async simulationStep(untilS = 0): Promise<StepResult> {
      const r = await call(CMD.simulationStep, new Writer().double(untilS).bytes());
      const count = r.int();
      const responses: SubscriptionResponse[] = [];
      for (let i = 0; i < count; i++) responses.push(readSubscriptionResponse(r));
      return stepResult(responses);
    },

    /** Restarts the simulation with SUMO command-line arguments (without the binary). */
    async load(args: readonly string[]): Promise<void> {
      await call(CMD.load, new Writer().typedStringList(args).bytes());
    },

    /**
     * Subscribes to variables of one object; their values then come with every step.
     * Returns the current values. An empty list unsubscribes.
     */
    async subscribe(
      domain: DomainIds,
      objectId: string,
      variableIds: readonly number[],
      beginS = INVALID_DOUBLE,
      endS = INVALID_DOUBLE,
    ): Promise<ReadonlyMap<number, TraciValue>> {
      const r = await call(domain.subscribe, subscribeBody(beginS, endS, objectId, variableIds));
      if (variableIds.length === 0) return new Map();
      const response = readSubscriptionResponse(r);
      if (response.subscribeId !== domain.subscribe || response.objectId !== objectId) {
        throw new TraciError(
          'TRACI_PROTOCOL',
          `unexpected answer to subscribing ${domain.name} '${objectId}'`,
        );
      }
      if (response.errors.size > 0) {
        const [varId, message] = [...response.errors][0] as [number, string];
        throw new TraciError(
          'TRACI_COMMAND_FAILED',
          `subscribing ${domain.name} '${objectId}' variable 0x${varId.toString(16)}: ${message}`,
        );
      }
      return response.values;
    },

    unsubscribe(domain: DomainIds, objectId: string): Promise<void> {
      return call(
        domain.subscribe,
        subscribeBody(INVALID_DOUBLE, INVALID_DOUBLE, objectId, []),
      ).then(() => undefined);
    },

    simulation: simulationDomain(access),
    trafficLight: trafficLightDomain(access),
    inductionLoop: inductionLoopDomain(access),
    laneArea: laneAreaDomain(access),
    lane: laneDomain(access),
    vehicle: vehicleDomain(access),

    /** Asks SUMO to end the simulation, then drops the connection. Safe twice. */
    close(): Promise<void> {
      closing ??= (async () => {
        if (!connection.failure) {
          // A SUMO that already died rejects this; closing goes on regardless.
          await call(CMD.close).catch(() => undefined);
        }
        connection.close();
        await onClose();
      })();
      return closing;
    },

    /** The error that ended the connection (SUMO exited, closed, …), or null while usable. */
    get failure(): TraciError | null {
      return connection.failure;
    },

    async [Symbol.asyncDispose](): Promise<void> {
      await this.close();
    },
  };
}

/** Rejects with TRACI_VERSION_MISMATCH unless SUMO speaks one of `accepted`. */
async function checkVersion(client: TraciClient, accepted: readonly number[]): Promise<void> {
  const { apiVersion, sumoVersion } = await client.getVersion();
  if (!accepted.includes(apiVersion)) {
    throw new TraciError(
      'TRACI_VERSION_MISMATCH',
      `${sumoVersion} speaks TraCI API ${apiVersion}; this client accepts ${accepted.join(', ')} (pass apiVersions to accept another at your own risk)`,
    );
  }
}

/** Internal: wraps an open connection, checks the version, closes it on mismatch. */
export async function clientOver(
  connection: TraciConnection,
  apiVersions: readonly number[] = SUPPORTED_API_VERSIONS,
  onClose: () => Promise<void> = async () => {},
): Promise<TraciClient> {
  const client = createClient(connection, onClose);
  try {
    await checkVersion(client, apiVersions);
  } catch (error) {
    await client.close();
    throw error;
  }
  return client;
}

/**
 * Connects to a SUMO already serving TraCI (`sumo --remote-port N …`) and checks its version.
 * @example
 * const traci = await connectTraci({ port: 8813 });
 * await traci.simulationStep();
 * await traci.close();
 */
export async function connectTraci(options: ConnectTraciOptions): Promise<TraciClient> {
  return clientOver(await openConnection(options), options.apiVersions);
}
