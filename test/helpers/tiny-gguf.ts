/**
 * Writes a tiny random-weight llama model as a GGUF v3 file, so the in-process local fallback's
 * real loading and generation code runs in tests (the output is gibberish; tests assert structure).
 *
 * Checked against the GGUF spec (ggml docs/gguf.md: magic "GGUF", version 3, u64 tensor and KV
 * counts, gguf_string = u64 length + bytes, value types 0-12, tensor infos with ne[0] first, data
 * section and every tensor offset aligned to `general.alignment` = 32) and llama.cpp's llama loader
 * (LLM_ARCH_LLAMA: llama.context_length / embedding_length / block_count / feed_forward_length /
 * attention.head_count / attention.head_count_kv / attention.layer_norm_rms_epsilon /
 * rope.dimension_count; tensors token_embd, output_norm, output, blk.N.{attn_norm, attn_q, attn_k,
 * attn_v, attn_output, ffn_norm, ffn_gate, ffn_up, ffn_down}; an SPM ("llama") vocabulary needs
 * the 256 `<0xXX>` byte tokens, since unknown characters and the newline fall back to them).
 */
import { writeFileSync } from 'node:fs';

const ALIGNMENT = 32;

const enum GgufType {
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
}

type KvValue =
  | { type: 'u32'; value: number }
  | { type: 'f32'; value: number }
  | { type: 'string'; value: string }
  | { type: 'strings'; value: string[] }
  | { type: 'f32s'; value: number[] }
  | { type: 'i32s'; value: number[] };

class ByteWriter {
  private chunks: Buffer[] = [];
  length = 0;
  private push(buffer: Buffer) {
    this.chunks.push(buffer);
    this.length += buffer.length;
  }
  u32(value: number) {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(value);
    this.push(b);
  }
  i32(value: number) {
    const b = Buffer.alloc(4);
    b.writeInt32LE(value);
    this.push(b);
  }
  u64(value: number) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value));
    this.push(b);
  }
  f32(value: number) {
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    this.push(b);
  }
  string(value: string) {
    const bytes = Buffer.from(value, 'utf8');
    this.u64(bytes.length);
    this.push(bytes);
  }
  bytes(buffer: Buffer) {
    this.push(buffer);
  }
  pad(alignment: number) {
    const rest = this.length % alignment;
    if (rest !== 0) this.push(Buffer.alloc(alignment - rest));
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** mulberry32: a fixed seed gives the same file every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TinyGgufOptions {
  embedding?: number;
  layers?: number;
  heads?: number;
  contextLength?: number;
  seed?: number;
  name?: string;
}

/** The vocabulary: unk/bos/eos, the 256 byte tokens, then a few word pieces. */
function vocabulary(): { tokens: string[]; scores: number[]; types: number[] } {
  const tokens = ['<unk>', '<s>', '</s>'];
  const types = [2, 3, 3]; // UNKNOWN, CONTROL, CONTROL
  for (let byte = 0; byte < 256; byte++) {
    tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(6); // BYTE
  }
  const pieces = ['▁', ...'abcdefghijklmnopqrstuvwxyz'.split(''), ...['hello', 'world', 'the', 'local', 'model', 'say', 'ok', 'yes', 'no'].map((word) => `▁${word}`)];
  for (const piece of pieces) {
    tokens.push(piece);
    types.push(1); // NORMAL
  }
  const scores = tokens.map((_, index) => (types[index] === 1 ? -index / 10 : 0));
  return { tokens, scores, types };
}

export function writeTinyGguf(file: string, options: TinyGgufOptions = {}): { vocabSize: number } {
  const nEmbd = options.embedding ?? 64;
  const nLayer = options.layers ?? 2;
  const nHead = options.heads ?? 4;
  const nCtx = options.contextLength ?? 256;
  const nFf = nEmbd * 2;
  const next = random(options.seed ?? 42);
  const vocab = vocabulary();
  const nVocab = vocab.tokens.length;

  const kv: Array<[string, KvValue]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: options.name ?? 'tiny-random-llama' }],
    ['general.alignment', { type: 'u32', value: ALIGNMENT }],
    ['general.file_type', { type: 'u32', value: 0 }], // ALL_F32
    ['llama.context_length', { type: 'u32', value: nCtx }],
    ['llama.embedding_length', { type: 'u32', value: nEmbd }],
    ['llama.block_count', { type: 'u32', value: nLayer }],
    ['llama.feed_forward_length', { type: 'u32', value: nFf }],
    ['llama.attention.head_count', { type: 'u32', value: nHead }],
    ['llama.attention.head_count_kv', { type: 'u32', value: nHead }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.rope.dimension_count', { type: 'u32', value: nEmbd / nHead }],
    ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
    ['llama.vocab_size', { type: 'u32', value: nVocab }],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'strings', value: vocab.tokens }],
    ['tokenizer.ggml.scores', { type: 'f32s', value: vocab.scores }],
    ['tokenizer.ggml.token_type', { type: 'i32s', value: vocab.types }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: 0 }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: 1 }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: 2 }],
    ['tokenizer.ggml.add_bos_token', { type: 'u32', value: 1 }],
  ];
  // add_bos_token is a bool in llama.cpp's writer; keep the right type.
  const boolKeys = new Set(['tokenizer.ggml.add_bos_token']);

  // ne[0] first, as ggml stores them.
  const tensors: Array<{ name: string; dims: number[]; fill: 'random' | 'ones' }> = [
    { name: 'token_embd.weight', dims: [nEmbd, nVocab], fill: 'random' },
    { name: 'output_norm.weight', dims: [nEmbd], fill: 'ones' },
    { name: 'output.weight', dims: [nEmbd, nVocab], fill: 'random' },
  ];
  for (let layer = 0; layer < nLayer; layer++) {
    const blk = `blk.${layer}`;
    tensors.push(
      { name: `${blk}.attn_norm.weight`, dims: [nEmbd], fill: 'ones' },
      { name: `${blk}.attn_q.weight`, dims: [nEmbd, nEmbd], fill: 'random' },
      { name: `${blk}.attn_k.weight`, dims: [nEmbd, nEmbd], fill: 'random' },
      { name: `${blk}.attn_v.weight`, dims: [nEmbd, nEmbd], fill: 'random' },
      { name: `${blk}.attn_output.weight`, dims: [nEmbd, nEmbd], fill: 'random' },
      { name: `${blk}.ffn_norm.weight`, dims: [nEmbd], fill: 'ones' },
      { name: `${blk}.ffn_gate.weight`, dims: [nEmbd, nFf], fill: 'random' },
      { name: `${blk}.ffn_up.weight`, dims: [nEmbd, nFf], fill: 'random' },
      { name: `${blk}.ffn_down.weight`, dims: [nFf, nEmbd], fill: 'random' },
    );
  }

  const out = new ByteWriter();
  out.bytes(Buffer.from('GGUF', 'ascii'));
  out.u32(3);
  out.u64(tensors.length);
  out.u64(kv.length);
  for (const [key, entry] of kv) {
    out.string(key);
    if (boolKeys.has(key)) {
      out.u32(GgufType.BOOL);
      out.bytes(Buffer.from([entry.value ? 1 : 0]));
      continue;
    }
    switch (entry.type) {
      case 'u32':
        out.u32(GgufType.UINT32);
        out.u32(entry.value);
        break;
      case 'f32':
        out.u32(GgufType.FLOAT32);
        out.f32(entry.value);
        break;
      case 'string':
        out.u32(GgufType.STRING);
        out.string(entry.value);
        break;
      case 'strings':
        out.u32(GgufType.ARRAY);
        out.u32(GgufType.STRING);
        out.u64(entry.value.length);
        for (const item of entry.value) out.string(item);
        break;
      case 'f32s':
        out.u32(GgufType.ARRAY);
        out.u32(GgufType.FLOAT32);
        out.u64(entry.value.length);
        for (const item of entry.value) out.f32(item);
        break;
      case 'i32s':
        out.u32(GgufType.ARRAY);
        out.u32(GgufType.INT32);
        out.u64(entry.value.length);
        for (const item of entry.value) out.i32(item);
        break;
    }
  }

  const data: Buffer[] = [];
  let offset = 0;
  for (const tensor of tensors) {
    const count = tensor.dims.reduce((a, b) => a * b, 1);
    const buffer = Buffer.alloc(count * 4);
    for (let i = 0; i < count; i++) buffer.writeFloatLE(tensor.fill === 'ones' ? 1 : (next() - 0.5) * 0.2, i * 4);
    out.string(tensor.name);
    out.u32(tensor.dims.length);
    for (const dim of tensor.dims) out.u64(dim);
    out.u32(0); // GGML_TYPE_F32
    out.u64(offset);
    const padded = Math.ceil(buffer.length / ALIGNMENT) * ALIGNMENT;
    data.push(buffer, Buffer.alloc(padded - buffer.length));
    offset += padded;
  }
  out.pad(ALIGNMENT);
  for (const chunk of data) out.bytes(chunk);
  writeFileSync(file, out.toBuffer());
  return { vocabSize: nVocab };
}
