/**
 * A small JSON reader for kubectl / Kubernetes API output that keeps what `JSON.parse` loses.
 *
 * Sample (`kubectl get ipamblocks -o json`, Calico ≥ v3.23):
 *   {
 *       "apiVersion": "v1",
 *       "items": [
 *           { "apiVersion": "crd.projectcalico.org/v1", "kind": "IPAMBlock",
 *             "spec": { "sequenceNumber": 1690113884806720498, … } }
 *
 * Output: every top-level value of the text (concatenated documents, as `kubectl cluster-info
 * dump` writes them), plus the 1-based line each object/array starts on and whether it was
 * closed. Integers outside ±2^53 stay as their decimal string (Calico `sequenceNumber` values
 * exceed 2^53; `JSON.parse` would round them).
 *
 * Quirks handled: truncated input (a capture cut mid-document) keeps the partial tree and
 * reports where it stopped; `__proto__` keys are stored as plain own properties.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export interface JsonDocument {
  value: JsonValue;
  /** Line the document's first token is on. */
  line: number;
  /** False when the input ended (or broke) inside this document. */
  complete: boolean;
}

export interface JsonSyntaxProblem {
  line: number;
  reason: string;
}

export interface LosslessJson {
  documents: JsonDocument[];
  /** First syntax error; reading stopped there. */
  error?: JsonSyntaxProblem;
  /** Start line of an object or array of this parse. */
  lineOf(value: object): number | undefined;
  /** Whether an object or array of this parse was closed. */
  isComplete(value: object): boolean;
}

// -12, 3.5e-3, 1690113884806720498
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
// 1690113884806720498 (an integer literal, no fraction or exponent)
const INTEGER = /^-?\d+$/;

type Frame =
  | { kind: 'object'; value: JsonObject; key?: string; expect: 'keyOrEnd' | 'key' | 'colon' | 'value' | 'commaOrEnd' }
  | { kind: 'array'; value: JsonValue[]; expect: 'valueOrEnd' | 'value' | 'commaOrEnd' };

class JsonSyntaxError extends Error {}

/**
 * Read all JSON documents in `text`. Never throws: a syntax error ends the reading and is
 * returned with the partial tree. `firstLine` numbers lines of a text cut out of a larger
 * member (a document of a cluster-info dump).
 */
export function parseJsonLossless(text: string, firstLine = 1): LosslessJson {
  const lines = new WeakMap<object, number>();
  const complete = new WeakSet<object>();
  const documents: JsonDocument[] = [];
  const stack: Frame[] = [];
  let i = 0;
  let line = firstLine;
  let error: JsonSyntaxProblem | undefined;

  const fail = (reason: string): never => {
    throw new JsonSyntaxError(reason);
  };

  const skipWhitespace = (): void => {
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) line++;
      else if (c !== 32 && c !== 9 && c !== 13) break;
    }
  };

  const readString = (): string => {
    const start = i;
    let j = i + 1;
    let escaped = false;
    for (; j < text.length; j++) {
      const c = text.charCodeAt(j);
      if (c === 34) break;
      if (c === 92) {
        escaped = true;
        j++;
      } else if (c === 10) {
        fail('newline inside a string');
      }
    }
    if (j >= text.length) fail('unterminated string');
    i = j + 1;
    if (!escaped) return text.slice(start + 1, j);
    try {
      return JSON.parse(text.slice(start, j + 1)) as string;
    } catch {
      return fail('invalid escape in string');
    }
  };

  const attach = (value: JsonValue): void => {
    const top = stack[stack.length - 1];
    if (!top) {
      documents[documents.length - 1]!.value = value;
      return;
    }
    if (top.kind === 'array') {
      top.value.push(value);
    } else {
      const key = top.key ?? '';
      if (key === '__proto__') Object.defineProperty(top.value, key, { value, enumerable: true, writable: true, configurable: true });
      else top.value[key] = value;
      top.key = undefined;
    }
    top.expect = 'commaOrEnd';
  };

  const readValue = (): void => {
    const c = text[i];
    if (c === '{') {
      const value: JsonObject = {};
      lines.set(value, line);
      attach(value);
      stack.push({ kind: 'object', value, expect: 'keyOrEnd' });
      i++;
    } else if (c === '[') {
      const value: JsonValue[] = [];
      lines.set(value, line);
      attach(value);
      stack.push({ kind: 'array', value, expect: 'valueOrEnd' });
      i++;
    } else if (c === '"') {
      attach(readString());
    } else {
      const length = scalarTokenLength(text, i);
      if (length === 0) fail(`unexpected ${c === undefined ? 'end of input' : JSON.stringify(c)}`);
      const token = text.slice(i, i + length);
      i += length;
      if (token === 'true') attach(true);
      else if (token === 'false') attach(false);
      else if (token === 'null') attach(null);
      else {
        const n = Number(token);
        attach(INTEGER.test(token) && !Number.isSafeInteger(n) ? token : n);
      }
    }
  };

  const close = (): void => {
    const frame = stack.pop()!;
    complete.add(frame.value);
    i++;
    if (stack.length === 0) documents[documents.length - 1]!.complete = true;
  };

  try {
    for (;;) {
      skipWhitespace();
      const top = stack[stack.length - 1];
      if (!top) {
        if (i >= text.length) break;
        documents.push({ value: null, line, complete: false });
        readValue();
        if (stack.length === 0) documents[documents.length - 1]!.complete = true;
        continue;
      }
      if (i >= text.length) fail('unexpected end of input (truncated?)');
      const c = text[i];
      if (top.kind === 'object') {
        switch (top.expect) {
          case 'keyOrEnd':
          case 'key':
            if (c === '}' && top.expect === 'keyOrEnd') close();
            else if (c === '"') {
              top.key = readString();
              top.expect = 'colon';
            } else fail(`expected a key, got ${JSON.stringify(c)}`);
            break;
          case 'colon':
            if (c !== ':') fail(`expected ":", got ${JSON.stringify(c)}`);
            i++;
            top.expect = 'value';
            break;
          case 'value':
            readValue();
            break;
          case 'commaOrEnd':
            if (c === ',') {
              i++;
              top.expect = 'key';
            } else if (c === '}') close();
            else fail(`expected "," or "}", got ${JSON.stringify(c)}`);
            break;
        }
      } else {
        switch (top.expect) {
          case 'valueOrEnd':
            if (c === ']') close();
            else readValue();
            break;
          case 'value':
            readValue();
            break;
          case 'commaOrEnd':
            if (c === ',') {
              i++;
              top.expect = 'value';
            } else if (c === ']') close();
            else fail(`expected "," or "]", got ${JSON.stringify(c)}`);
            break;
        }
      }
    }
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    error = { line, reason: e.message };
  }

  return {
    documents,
    ...(error ? { error } : {}),
    lineOf: (value) => lines.get(value),
    isComplete: (value) => complete.has(value),
  };
}

/**
 * Length of the `true` / `false` / `null` / number token starting at `i`, 0 when none does.
 * A token is read greedily and may be followed by anything: `12x` is `12`, then `x`.
 */
export function scalarTokenLength(text: string, i: number): number {
  const c = text[i];
  if (c === 't') return text.startsWith('true', i) ? 4 : 0;
  if (c === 'f') return text.startsWith('false', i) ? 5 : 0;
  if (c === 'n') return text.startsWith('null', i) ? 4 : 0;
  NUMBER.lastIndex = i;
  return NUMBER.exec(text)?.[0].length ?? 0;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
