/**
 * Big-endian reading and writing of TraCI values (the functional core of the client).
 * Strings are Latin-1, as SUMO reads and writes them.
 */
import { TYPE } from './constants.ts';
import { TraciError } from './errors.ts';

/** A decoded typed value. Compounds decode to arrays of their items. */
export type TraciValue =
  | number
  | string
  | readonly string[]
  | readonly number[]
  | { readonly x: number; readonly y: number; readonly z?: number }
  | readonly TraciValue[];

/** Appends raw and typed values; `bytes()` returns what was written. */
export class Writer {
  #chunks: Buffer[] = [];
  #length = 0;

  #push(chunk: Buffer): this {
    this.#chunks.push(chunk);
    this.#length += chunk.length;
    return this;
  }
  get length(): number {
    return this.#length;
  }
  ubyte(value: number): this {
    const b = Buffer.alloc(1);
    b.writeUInt8(value);
    return this.#push(b);
  }
  int(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    return this.#push(b);
  }
  double(value: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(value);
    return this.#push(b);
  }
  string(value: string): this {
    const text = Buffer.from(value, 'latin1');
    return this.int(text.length).#push(text);
  }
  stringList(values: readonly string[]): this {
    this.int(values.length);
    for (const v of values) this.string(v);
    return this;
  }
  raw(bytes: Buffer): this {
    return this.#push(bytes);
  }
  typedInt(value: number): this {
    return this.ubyte(TYPE.integer).int(value);
  }
  typedDouble(value: number): this {
    return this.ubyte(TYPE.double).double(value);
  }
  typedString(value: string): this {
    return this.ubyte(TYPE.string).string(value);
  }
  typedStringList(values: readonly string[]): this {
    return this.ubyte(TYPE.stringList).stringList(values);
  }
  bytes(): Buffer {
    return Buffer.concat(this.#chunks, this.#length);
  }
}

/** Reads values in order from one buffer; reading past the end is a TRACI_PROTOCOL error. */
export class Reader {
  readonly #buf: Buffer;
  #pos: number;

  constructor(buf: Buffer, pos = 0) {
    this.#buf = buf;
    this.#pos = pos;
  }
  get position(): number {
    return this.#pos;
  }
  get remaining(): number {
    return this.#buf.length - this.#pos;
  }
  #take(n: number): number {
    if (this.#pos + n > this.#buf.length) {
      throw new TraciError(
        'TRACI_PROTOCOL',
        `TraCI message ends early: needed ${n} bytes at offset ${this.#pos} of ${this.#buf.length}`,
      );
    }
    const at = this.#pos;
    this.#pos += n;
    return at;
  }
  ubyte(): number {
    return this.#buf.readUInt8(this.#take(1));
  }
  byte(): number {
    return this.#buf.readInt8(this.#take(1));
  }
  int(): number {
    return this.#buf.readInt32BE(this.#take(4));
  }
  double(): number {
    return this.#buf.readDoubleBE(this.#take(8));
  }
  string(): string {
    const n = this.int();
    const at = this.#take(n);
    return this.#buf.toString('latin1', at, at + n);
  }
  stringList(): string[] {
    const n = this.int();
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.string());
    return out;
  }
  /** A command or response length: one byte, or 0 followed by a 4-byte length. */
  length(): number {
    const short = this.ubyte();
    return short > 0 ? short : this.int();
  }
  skip(n: number): void {
    this.#take(n);
  }

  /** A value preceded by its type tag. */
  typed(): TraciValue {
    const type = this.ubyte();
    switch (type) {
      case TYPE.ubyte:
        return this.ubyte();
      case TYPE.byte:
        return this.byte();
      case TYPE.integer:
        return this.int();
      case TYPE.double:
        return this.double();
      case TYPE.string:
        return this.string();
      case TYPE.stringList:
        return this.stringList();
      case TYPE.doubleList: {
        const n = this.int();
        const out: number[] = [];
        for (let i = 0; i < n; i++) out.push(this.double());
        return out;
      }
      case TYPE.position2d:
        return { x: this.double(), y: this.double() };
      case TYPE.position3d:
        return { x: this.double(), y: this.double(), z: this.double() };
      case TYPE.color:
        return [this.ubyte(), this.ubyte(), this.ubyte(), this.ubyte()];
      case TYPE.polygon: {
        const n = this.length();
        const out: number[] = [];
        for (let i = 0; i < n; i++) out.push(this.double(), this.double());
        return out;
      }
      case TYPE.compound: {
        const n = this.int();
        const out: TraciValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.typed());
        return out;
      }
      default:
        throw new TraciError(
          'TRACI_PROTOCOL',
          `unknown TraCI type tag 0x${type.toString(16)} at offset ${this.#pos - 1}`,
        );
    }
  }
}
