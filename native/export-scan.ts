// AssemblyScript (compiled by `npm run build:native` to native/export-scan.wasm; not part of tsc).
//
// The hot loop of the journald export reader (src/parsers/journald-export.ts): walks the
// `NAME=value` lines of whole entries in one buffer with 16-byte SIMD compares and writes one
// descriptor per entry (where each wanted field's value is), so JavaScript touches only the
// fields it keeps and decodes nothing else. Per entry with a MESSAGE it also
//  - parses __REALTIME_TIMESTAMP (digits only, at most 2^53 - 1, as journal-entry.ts toInt),
//  - interns the short repeating values (host, unit, PID…): a value equal to one of the last
//    16 of its field gets that one's id, so JavaScript decodes each distinct value once,
//  - runs the store's literal prefilter (Wu–Manber over bytes, as engine/literal-matcher.ts
//    over characters) and the goroutine-dump start test on the message bytes: an entry that
//    passes neither is "quiet" and its message need never be decoded.
// It stops, leaving the line to JavaScript, at a line without `=` (a binary field or broken
// framing), at a partial last line, and when the descriptor table is full.

// ---- memory map (all offsets fixed; JavaScript reads them through the exported getters) ----
const MAX_FIELDS: i32 = 16;
const MAX_NAME: i32 = 64;
const STRIDE_WORDS: i32 = 2 + 3 * MAX_FIELDS; // flags, first line, then (start, end, intern) per field
const CAPACITY: i32 = 4096;
const INTERN_WAYS: i32 = 16;
const INTERN_MAX: i32 = 128;
const WAY_BYTES: i32 = 4 + INTERN_MAX;
const MAX_LITERALS: i32 = 1024;
const POOL_BYTES: i32 = 65536;
const TABLE_SIZE: i32 = 1 << 14;
const SCRATCH_BYTES: i32 = 4096;

const BASE: usize = (__heap_base + 63) & ~63;
const SCRATCH: usize = BASE;
const RESULT: usize = SCRATCH + SCRATCH_BYTES; // 8 i32
const FIELD_LEN: usize = RESULT + 64; // i32 × MAX_FIELDS
const FIELD_INTERNED: usize = FIELD_LEN + 4 * MAX_FIELDS; // i32 × MAX_FIELDS
const FIELD_NEXT: usize = FIELD_INTERNED + 4 * MAX_FIELDS; // i32 × MAX_FIELDS: next field of the same name length
const FIELD_BY_LEN: usize = FIELD_NEXT + 4 * MAX_FIELDS; // i32 × (MAX_NAME + 1)
const FIELD_NAMES: usize = FIELD_BY_LEN + 4 * (MAX_NAME + 1 + 15); // MAX_FIELDS × (MAX_NAME + 8)
const SHIFT: usize = FIELD_NAMES + MAX_FIELDS * (MAX_NAME + 8); // u8 × TABLE_SIZE
const AFTER: usize = SHIFT + TABLE_SIZE; // u8 × TABLE_SIZE: shift after a window end was verified
const CAND_HEAD: usize = AFTER + TABLE_SIZE; // i32 × TABLE_SIZE
const LIT_NEXT: usize = CAND_HEAD + 4 * TABLE_SIZE; // i32 × MAX_LITERALS
const LIT_OFF: usize = LIT_NEXT + 4 * MAX_LITERALS;
const LIT_LEN: usize = LIT_OFF + 4 * MAX_LITERALS;
const LIT_POOL: usize = LIT_LEN + 4 * MAX_LITERALS; // POOL_BYTES (+ 8 slack)
const INTERN_STATE: usize = LIT_POOL + POOL_BYTES + 64; // per field: count, recent, next (i32 × 3)
const INTERN_VALUES: usize = INTERN_STATE + 12 * MAX_FIELDS; // per field × way: i32 length + bytes
const DESCRIPTORS: usize = (INTERN_VALUES + <usize>(MAX_FIELDS * INTERN_WAYS * WAY_BYTES) + 63) & ~63;
const TIMESTAMPS: usize = DESCRIPTORS + <usize>(CAPACITY * STRIDE_WORDS * 4); // f64 × CAPACITY
const INPUT: usize = TIMESTAMPS + <usize>(CAPACITY * 8);
/** Bytes after the input a 16-byte load may touch. */
const INPUT_SLACK: usize = 64;

// Descriptor flags.
const HAS_MESSAGE: i32 = 1;
const LOUD: i32 = 2;
const TS_VALID: i32 = 4;
/** Intern code bit: this id now stands for a value not seen under it before. */
const NEW_VALUE: i32 = 0x100;

// scan() stop reasons.
const STOP_PARTIAL_LINE: i32 = 0;
const STOP_NOT_TEXT_FIELD: i32 = 1;
const STOP_TABLE_FULL: i32 = 2;

let fieldCount: i32 = 0;
let literalCount: i32 = 0;
let poolUsed: i32 = 0;
let window: i32 = 0;
let messageField: i32 = -1;
let timestampField: i32 = -1;

export function scratch(): usize { return SCRATCH; }
export function results(): usize { return RESULT; }
export function descriptors(): usize { return DESCRIPTORS; }
export function timestamps(): usize { return TIMESTAMPS; }
export function input(): usize { return INPUT; }
export function strideWords(): i32 { return STRIDE_WORDS; }

/** Room for `length` input bytes (plus slack); false when memory cannot grow. */
export function reserveInput(length: i32): bool {
  const needed = INPUT + <usize>length + INPUT_SLACK;
  const have = <usize>memory.size() << 16;
  if (needed <= have) return true;
  return memory.grow(<i32>((needed - have + 0xffff) >> 16)) >= 0;
}

export function resetFields(): void {
  fieldCount = 0;
  messageField = -1;
  timestampField = -1;
  for (let i = 0; i <= MAX_NAME; i++) store<i32>(FIELD_BY_LEN + (<usize>i << 2), -1);
  resetInterned();
}

/** Forgets every interned value (ids handed out before mean nothing after). */
export function resetInterned(): void {
  for (let i = 0; i < MAX_FIELDS; i++) {
    const state = INTERN_STATE + <usize>(i * 12);
    store<i32>(state, 0);
    store<i32>(state, 0, 4);
    store<i32>(state, 0, 8);
  }
}

/**
 * Adds the wanted field whose name is the `length` bytes at scratch(); returns its index or
 * -1 (too many, name too long). `role`: 0 plain, 1 interned, 2 MESSAGE, 3 timestamp.
 */
export function addField(length: i32, role: i32): i32 {
  if (fieldCount >= MAX_FIELDS || length < 1 || length > MAX_NAME) return -1;
  const index = fieldCount++;
  const name = FIELD_NAMES + <usize>(index * (MAX_NAME + 8));
  memory.copy(name, SCRATCH, <usize>length);
  store<i32>(FIELD_LEN + (<usize>index << 2), length);
  store<i32>(FIELD_INTERNED + (<usize>index << 2), role == 1 ? 1 : 0);
  if (role == 2) messageField = index;
  if (role == 3) timestampField = index;
  const head = FIELD_BY_LEN + (<usize>length << 2);
  store<i32>(FIELD_NEXT + (<usize>index << 2), load<i32>(head));
  store<i32>(head, index);
  return index;
}

/** Forgets the literals: until finishLiterals() succeeds, every entry is loud. */
export function resetLiterals(): void {
  literalCount = 0;
  poolUsed = 0;
  window = 0;
}

/** Adds the prefilter literal of `length` bytes at scratch(); false when the tables are full. */
export function addLiteral(length: i32): bool {
  if (literalCount >= MAX_LITERALS || length < 1 || poolUsed + length > POOL_BYTES) return false;
  const index = literalCount++;
  memory.copy(LIT_POOL + <usize>poolUsed, SCRATCH, <usize>length);
  store<i32>(LIT_OFF + (<usize>index << 2), poolUsed);
  store<i32>(LIT_LEN + (<usize>index << 2), length);
  poolUsed += length;
  return true;
}

@inline function block(a: u32, b: u32): u32 {
  return ((a & 0x7f) << 7) | (b & 0x7f);
}

/**
 * Builds the Wu–Manber tables over the literals added. False when they cannot prefilter
 * (no literal, or one shorter than 2 bytes): then every entry is reported loud.
 */
export function finishLiterals(): bool {
  window = 0;
  if (literalCount == 0) return false;
  let m: i32 = 255;
  for (let i = 0; i < literalCount; i++) {
    const length = load<i32>(LIT_LEN + (<usize>i << 2));
    if (length < m) m = length;
  }
  if (m < 2) return false;
  memory.fill(SHIFT, <u8>(m - 1), <usize>TABLE_SIZE);
  memory.fill(AFTER, <u8>(m - 1), <usize>TABLE_SIZE);
  for (let h = 0; h < TABLE_SIZE; h++) store<i32>(CAND_HEAD + (<usize>h << 2), -1);
  for (let i = 0; i < literalCount; i++) {
    const literal = LIT_POOL + <usize>load<i32>(LIT_OFF + (<usize>i << 2));
    for (let q = 1; q < m; q++) {
      const h = block(load<u8>(literal + <usize>(q - 1)), load<u8>(literal + <usize>q));
      const s = m - 1 - q;
      if (s < <i32>load<u8>(SHIFT + h)) store<u8>(SHIFT + h, <u8>s);
      // Where else the block sits in a window bounds the next window end that can match.
      if (s > 0 && s < <i32>load<u8>(AFTER + h)) store<u8>(AFTER + h, <u8>s);
      if (s == 0) {
        store<i32>(LIT_NEXT + (<usize>i << 2), load<i32>(CAND_HEAD + (h << 2)));
        store<i32>(CAND_HEAD + (h << 2), i);
      }
    }
  }
  window = m;
  return true;
}

/** Position of the first `byte` in [p, end), or end. Reads up to 15 bytes past end (slack). */
@inline function find(p: usize, end: usize, byte: i32): usize {
  const needle = i8x16.splat(<i8>byte);
  while (p < end) {
    let mask = i8x16.bitmask(i8x16.eq(v128.load(p), needle));
    const left = end - p;
    if (left < 16) mask &= (1 << <i32>left) - 1;
    if (mask != 0) return p + <usize>ctz(mask);
    p += 16;
  }
  return end;
}

function sameBytes(a: usize, b: usize, length: i32): bool {
  let i: i32 = 0;
  while (i + 8 <= length) {
    if (load<u64>(a + <usize>i) != load<u64>(b + <usize>i)) return false;
    i += 8;
  }
  while (i < length) {
    if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
    i++;
  }
  return true;
}

/** Index of the wanted field named by [p, p + length), or -1. */
@inline function fieldAt(p: usize, length: i32): i32 {
  if (length > MAX_NAME) return -1;
  let index = load<i32>(FIELD_BY_LEN + (<usize>length << 2));
  while (index >= 0) {
    if (sameBytes(p, FIELD_NAMES + <usize>(index * (MAX_NAME + 8)), length)) return index;
    index = load<i32>(FIELD_NEXT + (<usize>index << 2));
  }
  return -1;
}

/** Id of the value among its field's last INTERN_WAYS values (| NEW_VALUE when it replaces one), -1 when too long. */
function intern(field: i32, p: usize, length: i32): i32 {
  if (length > INTERN_MAX) return -1;
  const state = INTERN_STATE + <usize>(field * 12);
  const count = load<i32>(state);
  const recent = load<i32>(state, 4);
  const ways = INTERN_VALUES + <usize>(field * INTERN_WAYS * WAY_BYTES);
  if (count > 0) {
    const way = ways + <usize>(recent * WAY_BYTES);
    if (load<i32>(way) == length && sameBytes(way + 4, p, length)) return recent;
    for (let k = 0; k < count; k++) {
      if (k == recent) continue;
      const other = ways + <usize>(k * WAY_BYTES);
      if (load<i32>(other) == length && sameBytes(other + 4, p, length)) {
        store<i32>(state, k, 4);
        return k;
      }
    }
  }
  let k = count;
  if (k < INTERN_WAYS) {
    store<i32>(state, count + 1);
  } else {
    k = load<i32>(state, 8);
    store<i32>(state, (k + 1) % INTERN_WAYS, 8);
  }
  const way = ways + <usize>(k * WAY_BYTES);
  store<i32>(way, length);
  memory.copy(way + 4, p, <usize>length);
  store<i32>(state, k, 4);
  return k | NEW_VALUE;
}

/** Digits only, at most 2^53 - 1 (Number.isSafeInteger); NaN otherwise. */
function decimal(p: usize, length: i32): f64 {
  if (length == 0) return NaN;
  let value: u64 = 0;
  for (let i = 0; i < length; i++) {
    const digit = <u32>load<u8>(p + <usize>i) - 0x30;
    if (digit > 9) return NaN;
    value = value * 10 + <u64>digit;
    if (value > 9007199254740991) return NaN;
  }
  return <f64>value;
}

/** Some prefilter literal occurs in [p, p + n). */
function anyLiteral(p: usize, n: i32): bool {
  const m = window;
  let i = m - 1;
  while (i < n) {
    const h = block(load<u8>(p + <usize>(i - 1)), load<u8>(p + <usize>i));
    const s = <i32>load<u8>(SHIFT + h);
    if (s > 0) {
      i += s;
      continue;
    }
    const start = i - (m - 1);
    for (let l = load<i32>(CAND_HEAD + (h << 2)); l >= 0; l = load<i32>(LIT_NEXT + (<usize>l << 2))) {
      const length = load<i32>(LIT_LEN + (<usize>l << 2));
      if (start + length <= n && sameBytes(p + <usize>start, LIT_POOL + <usize>load<i32>(LIT_OFF + (<usize>l << 2)), length)) return true;
    }
    i += <i32>load<u8>(AFTER + h);
  }
  return false;
}

/**
 * Could the message start a goroutine dump (goroutine-dump.ts isGoroutineDumpStart)? Its
 * first character after leading white space is `g`, `S`, `p` or `f`. Bytes of 0x80 and up are
 * skipped as possible Unicode white space, so the answer errs towards yes.
 */
function mayStartDump(p: usize, n: i32): bool {
  for (let i = 0; i < n; i++) {
    const c = load<u8>(p + <usize>i);
    if (c <= 0x20 || c >= 0x80) continue;
    return c == 0x67 || c == 0x53 || c == 0x70 || c == 0x66;
  }
  return false;
}

/** Times, interns and prefilters the finished entry of descriptor `index` (at `d`). */
function finishEntry(d: usize, index: i32): void {
  if (messageField < 0) return;
  const messageStart = load<i32>(d + 8 + <usize>(messageField * 12));
  if (messageStart < 0) return;
  let flags = HAS_MESSAGE;
  const messageLength = load<i32>(d + 12 + <usize>(messageField * 12)) - messageStart;
  if (window == 0 || anyLiteral(INPUT + <usize>messageStart, messageLength) || mayStartDump(INPUT + <usize>messageStart, messageLength)) flags |= LOUD;
  for (let f = 0; f < fieldCount; f++) {
    const at = d + 8 + <usize>(f * 12);
    const start = load<i32>(at);
    if (start < 0) continue;
    const length = load<i32>(at, 4) - start;
    if (f == timestampField) {
      const ts = decimal(INPUT + <usize>start, length);
      store<f64>(TIMESTAMPS + (<usize>index << 3), ts);
      if (ts == ts) flags |= TS_VALID;
    } else if (load<i32>(FIELD_INTERNED + (<usize>f << 2)) != 0) {
      store<i32>(at, intern(f, INPUT + <usize>start, length), 8);
    }
  }
  store<i32>(d, flags);
}

/**
 * Reads the lines of input()[from, to), whole entries only. Results: consumed bytes, lines
 * read, entries finished (descriptors 0…n-1), whether an entry is in progress (its fields so
 * far in descriptor n, its first line's index in word 1). Returns why it stopped.
 */
export function scan(from: i32, to: i32): i32 {
  const end = INPUT + <usize>to;
  let ls = INPUT + <usize>from;
  let lines: i32 = 0;
  let entries: i32 = 0;
  let inEntry = false;
  let d: usize = DESCRIPTORS;
  let reason = STOP_PARTIAL_LINE;
  while (true) {
    const nl = find(ls, end, 0x0a);
    if (nl >= end) break;
    if (nl == ls) {
      if (inEntry) {
        finishEntry(d, entries);
        entries++;
        inEntry = false;
      }
      lines++;
      ls = nl + 1;
      continue;
    }
    const eq = find(ls, nl, 0x3d);
    if (eq >= nl) {
      reason = STOP_NOT_TEXT_FIELD;
      break;
    }
    if (!inEntry) {
      if (entries == CAPACITY) {
        reason = STOP_TABLE_FULL;
        break;
      }
      d = DESCRIPTORS + <usize>(entries * STRIDE_WORDS * 4);
      store<i32>(d, 0);
      store<i32>(d, lines, 4);
      for (let f = 0; f < fieldCount; f++) store<i32>(d + 8 + <usize>(f * 12), -1);
      inEntry = true;
    }
    const field = fieldAt(ls, <i32>(eq - ls));
    if (field >= 0) {
      const at = d + 8 + <usize>(field * 12);
      if (load<i32>(at) < 0) {
        store<i32>(at, <i32>(eq + 1 - INPUT));
        store<i32>(at, <i32>(nl - INPUT), 4);
        store<i32>(at, -1, 8);
      }
    }
    lines++;
    ls = nl + 1;
  }
  store<i32>(RESULT, <i32>(ls - INPUT) - from);
  store<i32>(RESULT, lines, 4);
  store<i32>(RESULT, entries, 8);
  store<i32>(RESULT, inEntry ? 1 : 0, 12);
  return reason;
}
