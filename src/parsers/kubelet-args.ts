/**
 * MicroK8s service argument files (`/var/snap/microk8s/current/args/<component>`, inspect
 * `args/kubelet`, `args/kubelite`, `args/kube-apiserver`, `args/k8s-dqlite`, `args/containerd`…),
 * read by the snap's wrappers with `declare -a args="($(cat $SNAP_DATA/args/$app))"`, so
 * shell quoting and comments apply.
 *
 * Sample (MicroK8s 1.28 inspect report, `args/kubelet`):
 *   --kubeconfig=${SNAP_DATA}/credentials/kubelet.config
 *   --eviction-hard="memory.available<100Mi,nodefs.available<1Gi,imagefs.available<1Gi"
 *   --node-labels="microk8s.io/cluster=true,node.kubernetes.io/microk8s-controlplane=microk8s-controlplane"
 *   --feature-gates=EventedPLEG=true
 *
 * Output: one `KubeletArgsFact`: component (file name), flags (name without dashes → value
 * with quotes removed, `${SNAP_DATA}` kept; a bare `--flag` is `true`; the last occurrence
 * wins, as in pflag), featureGates (`--feature-gates=A=true,B=false`, all occurrences merged).
 *
 * Quirks: `--flag value` form (`args/containerd`: `--config ${SNAP_DATA}/args/containerd.toml`);
 * comment lines and blank lines; values in single or double quotes; lines that are not flags
 * (an env file passed by mistake) are reported as unparsed.
 */
import type { KubeletArgsFact } from '../model/facts.js';
import type { Unparsed } from '../model/records.js';
import type { StateParseResult } from './types.js';
import { baseName, splitLines, type StateParseContext } from './text-table.js';

export interface ArgsParseContext extends StateParseContext {
  /** Component name; default: the file name (`args/kubelet` → `kubelet`). */
  component?: string;
}

/** Shell-style word split of one line: quotes removed, backslash escapes, `#` comments. */
export function shellWords(line: string): { words: string[]; error?: string } {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '#' && !inWord) break;
    else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { words, error: 'unterminated single quote' };
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`'.includes(line[j + 1] ?? '')) j++;
        word += line[j];
      }
      if (j >= line.length) return { words, error: 'unterminated double quote' };
      inWord = true;
      i = j;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return { words };
}

/** `A=true,B=false` → map; entries that are not `name=bool` are returned as problems. */
export function parseFeatureGates(value: string): { gates: Record<string, boolean>; problems: string[] } {
  const gates: Record<string, boolean> = {};
  const problems: string[] = [];
  for (const part of value.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const m = /^([A-Za-z0-9_.-]+)\s*=\s*(true|false)$/i.exec(p);
    if (!m?.[1] || m[2] === undefined) problems.push(p);
    else gates[m[1]] = m[2].toLowerCase() === 'true';
  }
  return { gates, problems };
}

/** An args file → flags and feature gates. Never throws. */
export function parseKubeletArgs(text: string, ctx: ArgsParseContext): StateParseResult<KubeletArgsFact[]> {
  const unparsed: Unparsed[] = [];
  const warnings: string[] = [];
  const fact: KubeletArgsFact = {
    component: ctx.component ?? baseName(ctx.path),
    flags: {},
    flagLines: {},
    featureGates: {},
    source: { path: ctx.path, line: 1 },
  };
  if (ctx.node !== undefined) fact.node = ctx.node;
  let pendingFlag: string | undefined;
  splitLines(text).forEach((line, n) => {
    const lineNo = n + 1;
    const { words, error } = shellWords(line);
    if (error !== undefined) unparsed.push({ path: ctx.path, line: lineNo, reason: error });
    for (const word of words) {
      const flag = /^--?([A-Za-z0-9][\w.-]*)(?:=(.*))?$/s.exec(word);
      if (flag?.[1] !== undefined) {
        const name = flag[1];
        fact.flagLines[name] = lineNo;
        if (flag[2] !== undefined) {
          fact.flags[name] = flag[2];
          pendingFlag = undefined;
        } else {
          fact.flags[name] = 'true';
          pendingFlag = name;
        }
        continue;
      }
      if (pendingFlag !== undefined) {
        fact.flags[pendingFlag] = word;
        pendingFlag = undefined;
        continue;
      }
      unparsed.push({ path: ctx.path, line: lineNo, reason: `not a --flag: ${JSON.stringify(word.slice(0, 80))}` });
      break;
    }
    // A flag's value never continues on the next line (one flag per line in these files).
    pendingFlag = undefined;
  });
  const gates = fact.flags['feature-gates'];
  if (gates !== undefined) {
    // pflag's mapStringBool merges repeated --feature-gates; re-scan every occurrence.
    for (const line of splitLines(text)) {
      for (const w of shellWords(line).words) {
        const m = /^--?feature-gates=(.*)$/s.exec(w);
        if (m?.[1] === undefined) continue;
        const { gates: g, problems } = parseFeatureGates(m[1]);
        Object.assign(fact.featureGates, g);
        for (const p of problems) warnings.push(`${ctx.path}: feature gate ${JSON.stringify(p)} is not name=true|false`);
      }
    }
  }
  return { value: [fact], unparsed, warnings };
}
