/**
 * TraCI framing and message shapes, without sockets.
 *
 * A message is a 4-byte big-endian total length (counting itself) followed by commands.
 * A command is its length (1 byte, or 0 then 4 bytes when it exceeds 255), its id, its body.
 * SUMO answers each command with a status command (length, id, result code, description),
 * followed for gets, subscriptions and version by a response command.
 */
import { RESPONSE_OFFSET, RESULT } from './constants.ts';
import { TraciError } from './errors.ts';
import { type Reader, type TraciValue, Writer } from './storage.ts';

/** Largest message accepted from SUMO; a longer length prefix means a broken stream. */
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/** One command: its length prefix, id and body. */
export function encodeCommand(commandId: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const short = 1 + 1 + body.length;
  const w = new Writer();
  if (short <= 255) w.ubyte(short);
  else w.ubyte(0).int(short + 4); // [TraCI: extended length counts its own 4 bytes]
  return w.ubyte(commandId).raw(body).bytes();
}

/** A whole message: total length (including the 4 length bytes) then the commands. */
export function encodeMessage(commands: readonly Buffer[]): Buffer {
  const body = Buffer.concat(commands);
  return new Writer()
    .int(body.length + 4)
    .raw(body)
    .bytes();
}

/** Body of a get or set command: variable id, object id, then optional typed parameters. */
export function variableBody(variableId: number, objectId: string, params?: Buffer): Buffer {
  const w = new Writer().ubyte(variableId).string(objectId);
  if (params) w.raw(params);
  return w.bytes();
}

/** Body of a variable subscription: begin and end time, object id, the variable ids. */
export function subscribeBody(
  beginS: number,
  endS: number,
  objectId: string,
  variableIds: readonly number[],
): Buffer {
  const w = new Writer().double(beginS).double(endS).string(objectId).ubyte(variableIds.length);
  for (const v of variableIds) w.ubyte(v);
  return w.bytes();
}

/** Reads a status command; throws TRACI_COMMAND_FAILED when SUMO reports an error. */
export function readStatus(r: Reader, expectedCommandId: number): void {
  const start = r.position;
  const length = r.length();
  const commandId = r.ubyte();
  const result = r.ubyte();
  const description = r.string();
  r.skip(Math.max(0, length - (r.position - start)));
  if (result !== RESULT.ok) {
    const kind = result === RESULT.notImplemented ? 'not implemented' : 'error';
    throw new TraciError(
      'TRACI_COMMAND_FAILED',
      `SUMO answered command 0x${commandId.toString(16)} with ${kind}: ${description || '(no description)'}`,
    );
  }
  if (commandId !== expectedCommandId) {
    throw new TraciError(
      'TRACI_PROTOCOL',
      `SUMO answered command 0x${commandId.toString(16)} where 0x${expectedCommandId.toString(16)} was sent`,
    );
  }
}

/** Reads the response to a get command and returns its typed value. */
export function readGetResponse(
  r: Reader,
  getCommandId: number,
  variableId: number,
  objectId: string,
): TraciValue {
  r.length();
  const responseId = r.ubyte();
  const varId = r.ubyte();
  const id = r.string();
  if (responseId !== getCommandId + RESPONSE_OFFSET || varId !== variableId || id !== objectId) {
    throw new TraciError(
      'TRACI_PROTOCOL',
      `unexpected answer 0x${responseId.toString(16)}/0x${varId.toString(16)}/'${id}' to get 0x${getCommandId.toString(16)}/0x${variableId.toString(16)}/'${objectId}'`,
    );
  }
  return r.typed();
}

/** One object's subscribed values as SUMO sends them after each step. */
export interface SubscriptionResponse {
  /** The subscribe command id this answers (SUMO's response id minus 0x10). */
  readonly subscribeId: number;
  readonly objectId: string;
  /** Values by variable id; a variable SUMO could not read is absent and listed in `errors`. */
  readonly values: ReadonlyMap<number, TraciValue>;
  readonly errors: ReadonlyMap<number, string>;
}

/** Reads one variable-subscription response (context subscriptions are not supported). */
export function readSubscriptionResponse(r: Reader): SubscriptionResponse {
  r.length();
  const responseId = r.ubyte();
  const objectId = r.string();
  const count = r.ubyte();
  const values = new Map<number, TraciValue>();
  const errors = new Map<number, string>();
  for (let i = 0; i < count; i++) {
    const varId = r.ubyte();
    const status = r.ubyte();
    const value = r.typed();
    if (status === RESULT.ok) values.set(varId, value);
    else errors.set(varId, String(value));
  }
  return { subscribeId: responseId - RESPONSE_OFFSET, objectId, values, errors };
}

/** Splits a byte stream into messages (without their 4-byte length). Bounded by MAX_MESSAGE_BYTES. */
export function createFrameSplitter(): { push(chunk: Buffer): Buffer[] } {
  let pending: Buffer = Buffer.alloc(0);
  return {
    push(chunk) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const frames: Buffer[] = [];
      while (pending.length >= 4) {
        const total = pending.readInt32BE(0);
        if (total < 4 || total > MAX_MESSAGE_BYTES) {
          throw new TraciError('TRACI_PROTOCOL', `invalid TraCI message length ${total}`);
        }
        if (pending.length < total) break;
        frames.push(pending.subarray(4, total));
        pending = pending.subarray(total);
      }
      return frames;
    },
  };
}
