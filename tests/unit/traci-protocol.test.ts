/** TraCI framing and typed values without a socket. */
import { describe, expect, it } from 'vitest';
import { TYPE } from '../../traci/constants.ts';
import {
  createFrameSplitter,
  encodeCommand,
  encodeMessage,
  readStatus,
  readSubscriptionResponse,
} from '../../traci/protocol.ts';
import { Reader, Writer } from '../../traci/storage.ts';

describe('TraCI framing', () => {
  it('a short command has a one-byte length counting length and id', () => {
    const cmd = encodeCommand(0x02, Buffer.from([1, 2, 3]));
    expect([...cmd]).toEqual([5, 0x02, 1, 2, 3]);
  });

  it('a command over 255 bytes has 0 then a 4-byte length counting those bytes too', () => {
    const body = Buffer.alloc(300, 7);
    const cmd = encodeCommand(0xc2, body);
    expect(cmd[0]).toBe(0);
    expect(cmd.readInt32BE(1)).toBe(1 + 4 + 1 + 300);
    expect(cmd[5]).toBe(0xc2);
    expect(cmd.length).toBe(306);
    const r = new Reader(cmd);
    expect(r.length()).toBe(306);
  });

  it('a message starts with its total length including the 4 length bytes', () => {
    const msg = encodeMessage([encodeCommand(0x00), encodeCommand(0x7f)]);
    expect(msg.readInt32BE(0)).toBe(msg.length);
    expect(msg.length).toBe(4 + 2 + 2);
  });

  it('the splitter rebuilds messages from any chunking', () => {
    const a = encodeMessage([encodeCommand(0x01, Buffer.from('abc'))]);
    const b = encodeMessage([encodeCommand(0x02)]);
    const stream = Buffer.concat([a, b]);
    for (let cut = 1; cut < stream.length; cut++) {
      const s = createFrameSplitter();
      const frames = [...s.push(stream.subarray(0, cut)), ...s.push(stream.subarray(cut))];
      expect(frames.map((f) => [...f])).toEqual([[...a.subarray(4)], [...b.subarray(4)]]);
    }
  });

  it('a nonsense length is a protocol error, not an unbounded buffer', () => {
    const s = createFrameSplitter();
    const bad = Buffer.alloc(4);
    bad.writeInt32BE(2);
    expect(() => s.push(bad)).toThrow(/invalid TraCI message length/);
  });
});

describe('TraCI values', () => {
  it('typed values round-trip', () => {
    const buf = new Writer()
      .typedInt(-5)
      .typedDouble(2.5)
      .typedString('GrGr')
      .typedStringList(['a', 'b'])
      .ubyte(TYPE.compound)
      .int(2)
      .typedInt(1)
      .typedString('x')
      .bytes();
    const r = new Reader(buf);
    expect(r.typed()).toBe(-5);
    expect(r.typed()).toBe(2.5);
    expect(r.typed()).toBe('GrGr');
    expect(r.typed()).toEqual(['a', 'b']);
    expect(r.typed()).toEqual([1, 'x']);
    expect(r.remaining).toBe(0);
  });

  it('reading past the end is a protocol error', () => {
    expect(() => new Reader(Buffer.from([TYPE.integer, 0, 0])).typed()).toThrow(/ends early/);
  });

  it('an error status carries SUMO’s description and the code TRACI_COMMAND_FAILED', () => {
    const w = new Writer().ubyte(0xa2).ubyte(0xff).string('no such tls');
    const status = new Writer()
      .ubyte(w.length + 1)
      .raw(w.bytes())
      .bytes();
    expect(() => readStatus(new Reader(status), 0xa2)).toThrow(
      expect.objectContaining({
        code: 'TRACI_COMMAND_FAILED',
        message: expect.stringContaining('no such tls'),
      }),
    );
  });

  it('a subscription response keeps values and per-variable errors apart', () => {
    const body = new Writer()
      .ubyte(0xe0)
      .string('loop1')
      .ubyte(2)
      .ubyte(0x10)
      .ubyte(0x00)
      .typedInt(3)
      .ubyte(0x13)
      .ubyte(0xff)
      .typedString('bad var')
      .bytes();
    const buf = new Writer()
      .ubyte(body.length + 1)
      .raw(body)
      .bytes();
    const response = readSubscriptionResponse(new Reader(buf));
    expect(response.subscribeId).toBe(0xd0);
    expect(response.objectId).toBe('loop1');
    expect(response.values.get(0x10)).toBe(3);
    expect(response.errors.get(0x13)).toBe('bad var');
  });
});
