/**
 * XDR (RFC 4506), the little of it ONC RPC, MOUNT and NFSv3 need: big-endian 32-bit words,
 * 64-bit hypers as bigint, and opaque data padded with zeros to a multiple of four bytes.
 * A decoder that runs past its buffer throws XdrError: a short or garbled reply must never be
 * read as zeros.
 */

export class XdrError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'XdrError'
  }
}

const pad = (n: number) => (4 - (n % 4)) % 4

export class XdrWriter {
  private chunks: Buffer[] = []
  private size = 0

  private push(b: Buffer): this {
    this.chunks.push(b)
    this.size += b.length
    return this
  }

  uint32(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new XdrError(`not an unsigned 32-bit integer: ${v}`)
    const b = Buffer.alloc(4)
    b.writeUInt32BE(v)
    return this.push(b)
  }

  bool(v: boolean): this {
    return this.uint32(v ? 1 : 0)
  }

  uint64(v: bigint | number): this {
    const big = BigInt(v)
    if (big < 0n || big > 0xffffffffffffffffn) throw new XdrError(`not an unsigned 64-bit integer: ${v}`)
    const b = Buffer.alloc(8)
    b.writeBigUInt64BE(big)
    return this.push(b)
  }

  /** Fixed-length opaque: exactly `length` bytes, padded. */
  fixedOpaque(data: Uint8Array, length: number): this {
    if (data.length !== length) throw new XdrError(`fixed opaque needs ${length} bytes, got ${data.length}`)
    this.push(Buffer.from(data))
    return this.push(Buffer.alloc(pad(length)))
  }

  /** Variable-length opaque: a length word, the bytes, padding. */
  opaque(data: Uint8Array, max = 0xffffffff): this {
    if (data.length > max) throw new XdrError(`opaque of ${data.length} bytes exceeds its limit of ${max}`)
    this.uint32(data.length)
    this.push(Buffer.from(data))
    return this.push(Buffer.alloc(pad(data.length)))
  }

  string(s: string, max = 0xffffffff): this {
    return this.opaque(Buffer.from(s, 'utf8'), max)
  }

  /** Appends bytes already XDR-encoded (e.g. procedure arguments). */
  raw(data: Uint8Array): this {
    if (data.length % 4 !== 0) throw new XdrError('raw XDR data must be a multiple of 4 bytes')
    return this.push(Buffer.from(data))
  }

  get length(): number {
    return this.size
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks, this.size)
  }
}

export class XdrReader {
  private pos = 0

  constructor(private readonly buf: Buffer) {}

  private take(n: number, what: string): Buffer {
    if (this.pos + n > this.buf.length) throw new XdrError(`reply too short: ${what} needs ${n} bytes at offset ${this.pos}, only ${this.buf.length - this.pos} left`)
    const b = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return b
  }

  uint32(): number {
    return this.take(4, 'uint32').readUInt32BE()
  }

  bool(): boolean {
    const v = this.uint32()
    if (v > 1) throw new XdrError(`boolean must be 0 or 1, got ${v}`)
    return v === 1
  }

  uint64(): bigint {
    return this.take(8, 'uint64').readBigUInt64BE()
  }

  fixedOpaque(length: number): Buffer {
    const b = this.take(length, 'fixed opaque')
    this.take(pad(length), 'padding')
    return Buffer.from(b)
  }

  opaque(max = 0xffffffff): Buffer {
    const n = this.uint32()
    if (n > max) throw new XdrError(`opaque of ${n} bytes exceeds its limit of ${max}`)
    return this.fixedOpaque(n)
  }

  string(max = 0xffffffff): string {
    return this.opaque(max).toString('utf8')
  }

  /** Skips `n` bytes (padded), e.g. an attribute block we do not use. */
  skip(n: number): void {
    this.take(n + pad(n), 'skipped data')
  }

  get offset(): number {
    return this.pos
  }

  get remaining(): number {
    return this.buf.length - this.pos
  }

  rest(): Buffer {
    return Buffer.from(this.take(this.remaining, 'rest'))
  }
}
