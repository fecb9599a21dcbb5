/**
 * Pasted terminal sessions around kubectl / oc: the prompt lines with the commands typed and
 * what each command printed, as operators paste them into incident notes and issue reports
 * (bash/zsh prompts, oh-my-zsh/powerline prompts whose glyphs the paste dropped, `oc` on
 * OpenShift).
 *
 * Sample (openshift/machine-api-operator#107 — shared/samples):
 *   $ oc project openshift-cluster-api
 *   Now using project "openshift-cluster-api" on server "https://dev-api.libvirt.variantweb.net:6443".
 *   [sjennings@cerebellum ~]$ oc get pods
 *   NAME                                             READY     STATUS             RESTARTS   AGE
 *   clusterapi-manager-controllers-c59577c86-pbcvk   1/2       CrashLoopBackOff   8          16m
 *
 * Output: the session is cut into commands at their prompt lines.
 * - `kubectl|oc get pods [-n NS|-A] [-o wide]` output → `PodFact`s as `kubectl-pods-table.ts`
 *   reads them (CrashLoopBackOff, restart counts), in the command's namespace.
 * - `kubectl|oc logs POD [-n NS] [-c C]` output → one `LogRecord` per line, as the log
 *   blocks of `kubectl cluster-info dump` (the same pods/log API bytes): `container` set to
 *   namespace/pod/container, time from the line's own stamp (`logLineTime`), none otherwise.
 * - Everything else is unparsed with its reason: the prompt lines ("shell prompt"), other
 *   commands' output ("output of `oc project`"), kubectl's own notices, lines before the
 *   first prompt.
 *
 * Quirks:
 * - Prompts: `$ `; `user@host:dir$ `, `[user@host dir]$ `, `host:/dir# `,
 *   `sh-4.2$ `, `PS C:\> `; a bare path prompt (` ~  kubectl …`, the powerline glyphs lost in
 *   the paste), `❯ `, `➜ `, `% `, `# ` and `> ` only when a kubectl/oc command follows; the very first line may be
 *   the command alone (`kubectl logs calico-node-67c8s -n calico-system | grep unexpected`).
 * - The namespace is the command's `-n`, else the session's current one (`oc project X`, its
 *   `Now using project "X"` / `Using project "X"` output, `kubectl config set-context --current
 *   --namespace=X`), else '' (unknown: kubeconfig's default). The container is `-c`, kubectl's
 *   `Defaulted container "X"` notice, else '' (the pod's default container).
 * - Filters after a pipe (`| grep x | tail`) keep the output a log, just a part of it.
 * - A pod seen in two tables (`get pods` twice, `-w`) keeps its last row; earlier rows are
 *   unparsed as superseded.
 * - A line of only `...` in a log is the reporter's elision: unparsed.
 */
import type { Facts, PodFact } from '../model/facts.js';
import type { ContainerRef, LogRecord, Unparsed } from '../model/records.js';
import { logLineTime } from './cluster-info-dump.js';
import { parseKubectlPodsTable } from './kubectl-pods-table.js';
import { splitLines } from './text-table.js';
import type { StateParseResult } from './types.js';

export interface ShellSessionContext {
  path: string;
  node?: string;
  /** µs; places year-less klog stamps in `logs` output. */
  referenceTime?: number;
  onRecord(record: LogRecord): void;
}

export interface ShellSessionResult extends StateParseResult<Partial<Facts>> {
  /** Log records handed to `onRecord`. */
  records: number;
  /** Of those, klog lines left without a time (no reference for their year). */
  undated: number;
}

// ── prompts ──────────────────────────────────────────────────────────────────────────────
// $ oc project openshift-cluster-api
const SIGIL_PROMPT = /^\$(?:\s+|$)/;
// [sjennings@cerebellum ~]$ oc get pods   /   [root@host /]# kubectl …
const BRACKET_PROMPT = /^\[[\w.-]+@[\w.-]+(?: [^\]]*)?\][$#](?:\s+|$)/;
// ubuntu@k8s01:~$ kubectl …   /   user@mac ~ % kubectl …
const USER_HOST_PROMPT = /^[\w.-]+@[\w.-]+(?::[^\s$#]*|\s+\S+)\s*[$#%](?:\s+|$)/;
// worker01:/root# kubectl …
const HOST_PATH_PROMPT = /^[\w.-]+:\/[^\s$#]*[$#](?:\s+|$)/;
// sh-4.2$ oc get pods   /   bash-5.1# …
const SHELL_PROMPT = /^(?:ba|z)?sh-[\d.]+[$#](?:\s+|$)/;
// PS C:\Users\ops> kubectl get pods
const POWERSHELL_PROMPT = /^PS [A-Za-z]:\\[^>]*>\s*/;
// " ~  kubectl get pods -n aibrix-system"  /  "~/src git:(main) ✗ kubectl …"  /  "➜  ~ kubectl …"  /  "❯ oc …"  /  "% kubectl …"
// (only with a kubectl/oc command after it: `% Total  % Received` is curl's progress; a bare `# ` is
// never a prompt: `# kubectl get pods -n x` heads YAML and notes as a comment)
const PROMPT_DIR = String.raw`(?:~[\w./-]*|\/[\w./-]*)(?:\s+git:\([^)]*\))?(?:\s+[✗✔])?`;
const CLI_PROMPT = new RegExp(String.raw`^\s*(?:[➜❯→λ»>%](?:\s+${PROMPT_DIR})?|${PROMPT_DIR}(?:\s+[$#%❯>])?)\s+`);
// sudo microk8s kubectl …   /   kubectl …   /   oc …   /   k …  (the common alias)
const KUBE_CLI = /^(?:sudo\s+(?:-\S+\s+)*)?(microk8s[ .]kubectl|k3s kubectl|minikube kubectl --|kubectl|oc|k)(?=\s|$)/;

// ── output lines ─────────────────────────────────────────────────────────────────────────
// Defaulted container "calico-node" out of: calico-node, flexvol-driver (init)   /   Error from server (NotFound): …
const KUBECTL_NOTICE = /^(?:Defaulted container "([^"]+)"|Error from server|error: |Unable to connect to the server|No resources found|Warning: |Flag --\S+ has been deprecated)/;
// Now using project "openshift-cluster-api" on server "https://…".   /   Using project "x" on server …
const PROJECT_OUTPUT = /^(?:Now using|Using|Already on) project "([^"]+)"/;
// ...   /   …   (the reporter left lines out)
const ELISION = /^\s*(?:\.{3,}|…)\s*$/;
// I1029 12:11:31.123456       1 main.go:42] …   (a year-less stamp logLineTime needs a reference for)
const KLOG_STAMP = /^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d{6}\s/;

/** kubectl flags that take a value (the next word unless written `--flag=value` / `-nvalue`). */
const VALUE_FLAGS = new Set([
  '-n', '--namespace', '-c', '--container', '-l', '--selector', '-o', '--output', '--context', '--kubeconfig', '--cluster',
  '--user', '-s', '--server', '--tail', '--since', '--since-time', '--limit-bytes', '--request-timeout', '--max-log-requests',
  '--pod-running-timeout', '--field-selector', '--sort-by', '--template', '-L', '--label-columns', '--token', '--as',
  '--as-group', '--chunk-size', '--cache-dir', '--certificate-authority', '--client-certificate', '--client-key',
  '--tls-server-name', '-v', '--v', '--loglevel',
]);

type CommandKind = 'pods-table' | 'logs' | 'other';

interface Command {
  kind: CommandKind;
  /** `oc project`, `kubectl describe`, `cat`: how the reasons name the command. */
  label: string;
  namespace?: string;
  allNamespaces?: boolean;
  pod?: string;
  container?: string;
  /** The current namespace this command sets for the rest of the session. */
  setsNamespace?: string;
  /** `oc project` without an argument prints the current one. */
  printsProject?: boolean;
}

/** Shell words of each command of a line (`a | b; c && d`): the words before a pipe or redirect. */
function commandWords(text: string): string[][] {
  const segments: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  let ignoring = false;
  const endWord = () => {
    if (word !== undefined && !ignoring) words.push(word);
    word = undefined;
  };
  const endSegment = () => {
    endWord();
    if (words.length) segments.push(words);
    words = [];
    ignoring = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word = (word ?? '') + text[++i];
      else word = (word ?? '') + c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\' && i + 1 < text.length) word = (word ?? '') + text[++i];
    else if (c === ' ' || c === '\t') endWord();
    else if (c === ';' || (c === '&' && text[i + 1] === '&') || (c === '|' && text[i + 1] === '|')) {
      if (c !== ';') i++;
      endSegment();
    } else if (c === '|' || c === '>' || c === '<') {
      // A filter or a redirect: the words after it are not this command's.
      endWord();
      ignoring = true;
    } else if (c === '#' && word === undefined) break;
    else word = (word ?? '') + c;
  }
  endSegment();
  return segments;
}

/** One kubectl/oc command's words (after the CLI name) → what it is. */
function kubeCommand(cli: string, words: readonly string[]): Command {
  const flags = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (w === '--') {
      positional.push(...words.slice(i + 1));
      break;
    }
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = eq < 0 ? w : w.slice(0, eq);
      if (eq >= 0) flags.set(name, w.slice(eq + 1));
      else if (VALUE_FLAGS.has(name) && i + 1 < words.length) flags.set(name, words[++i] as string);
      else flags.set(name, true);
    } else if (w.startsWith('-') && w.length > 1) {
      const name = w.slice(0, 2);
      if (VALUE_FLAGS.has(name)) {
        const inline = w.slice(2).replace(/^=/, '');
        if (inline) flags.set(name, inline);
        else if (i + 1 < words.length) flags.set(name, words[++i] as string);
      } else {
        for (const letter of w.slice(1)) flags.set(`-${letter}`, true);
      }
    } else positional.push(w);
  }
  const value = (...names: string[]) => {
    for (const n of names) {
      const v = flags.get(n);
      if (typeof v === 'string') return v;
    }
    return undefined;
  };
  const [verb, ...args] = positional;
  const command: Command = { kind: 'other', label: verb ? `${cli} ${verb}` : cli };
  const namespace = value('-n', '--namespace');
  if (verb === 'config') {
    // kubectl config set-context --current --namespace=X
    if (args[0] === 'set-context' && namespace && (flags.has('--current') || args[1])) command.setsNamespace = namespace;
    return command;
  }
  if (namespace) command.namespace = namespace;
  if (flags.has('-A') || flags.has('--all-namespaces')) command.allNamespaces = true;
  if (verb === 'get') {
    const output = value('-o', '--output');
    if (args.length >= 1 && args.length <= 2 && /^(?:pods?|po)(?:\/\S+)?$/.test(args[0] as string) && (output === undefined || output === 'wide')) {
      command.kind = 'pods-table';
    }
  } else if (verb === 'logs' || verb === 'log') {
    command.kind = 'logs';
    const target = args[0];
    const typed = target ? /^([\w.]+)\/(.+)$/.exec(target) : null;
    if (target && !typed) command.pod = target;
    else if (typed && /^(?:pods?|po)$/.test(typed[1] as string)) command.pod = typed[2] as string;
    const container = value('-c', '--container') ?? (typed ? undefined : args[1]);
    if (container && !flags.has('--all-containers')) command.container = container;
  } else if (cli === 'oc' && (verb === 'project' || verb === 'new-project')) {
    if (args[0]) command.setsNamespace = args[0];
    else command.printsProject = true;
  }
  return command;
}

/**
 * What was typed on a prompt line; `needsCli` when the prompt is only a prompt if a
 * kubectl/oc command follows (` ~  `, `% `, or the bare first line). Undefined: no prompt.
 */
function typedAfterPrompt(line: string, first: boolean): { typed: string; needsCli: boolean } | undefined {
  for (const prompt of [SIGIL_PROMPT, BRACKET_PROMPT, USER_HOST_PROMPT, HOST_PATH_PROMPT, SHELL_PROMPT, POWERSHELL_PROMPT]) {
    const m = prompt.exec(line);
    if (m) return { typed: line.slice(m[0].length), needsCli: false };
  }
  const m = CLI_PROMPT.exec(line);
  if (m) return { typed: line.slice(m[0].length), needsCli: true };
  return first ? { typed: line, needsCli: true } : undefined;
}

/** The command of a line that is a prompt (or, first in the member, a bare kubectl/oc command); undefined otherwise. */
function commandLine(line: string, first: boolean): Command | undefined {
  const prompted = typedAfterPrompt(line, first);
  if (prompted === undefined) return undefined;
  const { typed: rest, needsCli } = prompted;
  let command: Command | undefined;
  for (const words of commandWords(rest)) {
    const cli = KUBE_CLI.exec(words.join(' '));
    let current: Command;
    if (cli) {
      const cliWords = (cli[0] as string).split(/\s+/).length;
      current = kubeCommand(cli[1] === 'oc' ? 'oc' : 'kubectl', words.slice(cliWords));
    } else {
      if (needsCli) return undefined;
      current = { kind: 'other', label: words[0] ?? '' };
    }
    // The namespace a command sets holds for the commands after it on the line too.
    if (command?.setsNamespace && !current.setsNamespace) current.setsNamespace = command.setsNamespace;
    command = current;
  }
  if (needsCli && !command) return undefined;
  return command ?? { kind: 'other', label: '' };
}

/** A line that opens a kubectl/oc command whose output the shell-session parser reads. */
export function isKubectlSessionLine(line: string, first: boolean): boolean {
  const command = commandLine(line, first);
  return command !== undefined && command.kind !== 'other';
}

// journalctl -u kubelet   /   kubectl describe pod x   /   kubectl get events   /   ip route   /   cat pods.json
const OTHER_READERS = /^(?:sudo\s+)?(?:(?:microk8s[ .])?(?:journalctl|iptables(?:-save)?|ip|arp|ps|pgrep|ctr|crictl|systemctl|date|cat|head|tail|less)\b|.*\s(?:describe|get\s+(?:events?|ev)\b))/;

/**
 * For the sniffer: the lines are a kubectl/oc session this parser reads — some prompt runs
 * `get pods` or `logs`, and none runs a command whose output another reader takes (a
 * journal, `describe` events, routes…): a mixed paste is left to the line vote.
 */
export function isKubectlSession(lines: readonly string[]): boolean {
  let reads = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const command = commandLine(line, i === 0);
    if (command === undefined) continue;
    if (command.kind !== 'other') reads = true;
    else if (OTHER_READERS.test(typedAfterPrompt(line, i === 0)?.typed.trimStart() ?? '')) return false;
  }
  return reads;
}

interface Block {
  command: Command;
  /** Output lines, with their 1-based line numbers. */
  lines: Array<{ text: string; line: number }>;
}

/** Reads a pasted kubectl/oc session. Never throws. */
export function parseShellSession(text: string, ctx: ShellSessionContext): ShellSessionResult {
  const unparsed: Unparsed[] = [];
  const pods: PodFact[] = [];
  const result: ShellSessionResult = { value: {}, unparsed, warnings: [], records: 0, undated: 0 };
  const skip = (line: number, reason: string) => unparsed.push({ path: ctx.path, line, reason });
  let namespace: string | undefined;
  let block: Block | undefined;
  let seenContent = false;

  const finish = (): void => {
    if (!block) return;
    const { command, lines } = block;
    block = undefined;
    const output = command.label ? `output of \`${command.label}\`` : 'output of a command not shown';
    // kubectl's own notices come before (or instead of) the output.
    let body = 0;
    while (body < lines.length) {
      const { text: t, line } = lines[body]!;
      if (t.trim() === '') {
        body++;
        continue;
      }
      const notice = KUBECTL_NOTICE.exec(t);
      if (!notice || command.kind === 'other') break;
      if (notice[1] && command.kind === 'logs' && !command.container) command.container = notice[1];
      skip(line, 'kubectl message');
      body++;
    }
    const rest = lines.slice(body);
    const ns = command.namespace ?? namespace;
    if (command.kind === 'pods-table' && rest.length) {
      const first = rest[0]!.line;
      const table = parseKubectlPodsTable('\n'.repeat(first - 1) + rest.map((l) => l.text).join('\n'), {
        path: ctx.path,
        ...(ctx.node ? { node: ctx.node } : {}),
        ...(command.allNamespaces ? {} : { namespace: ns ?? '' }),
      });
      pods.push(...table.value);
      unparsed.push(...table.unparsed);
      return;
    }
    if (command.kind === 'logs') {
      const container: ContainerRef | undefined = command.pod ? { namespace: ns ?? '', pod: command.pod, container: command.container ?? '' } : undefined;
      for (const { text: t, line } of rest) {
        if (t.trim() === '') continue;
        if (ELISION.test(t)) {
          skip(line, 'elided in the paste');
          continue;
        }
        const ts = logLineTime(t, ctx.referenceTime);
        const record: LogRecord = { ts, message: t, source: { path: ctx.path, line } };
        if (ctx.node) record.node = ctx.node;
        if (container) record.container = { ...container };
        if (ts === undefined && KLOG_STAMP.test(t)) result.undated++;
        result.records++;
        ctx.onRecord(record);
      }
      return;
    }
    for (const { text: t, line } of rest) {
      if (t.trim() === '') continue;
      const project = command.printsProject || command.setsNamespace !== undefined ? PROJECT_OUTPUT.exec(t) : null;
      if (project) namespace = project[1];
      skip(line, output);
    }
  };

  splitLines(text).forEach((line, index) => {
    const lineNo = index + 1;
    const command = commandLine(line, !seenContent);
    if (line.trim() !== '') seenContent = true;
    if (command) {
      finish();
      skip(lineNo, 'shell prompt');
      if (command.setsNamespace !== undefined) namespace = command.setsNamespace;
      block = { command, lines: [] };
      return;
    }
    if (block) block.lines.push({ text: line, line: lineNo });
    else if (line.trim() !== '') skip(lineNo, 'before the first shell prompt');
  });
  finish();

  // A pod listed again later (a second `get pods`, `-w`): the last row is its state.
  const last = new Map<string, PodFact>();
  for (const pod of pods) last.set(`${pod.namespace}/${pod.name}`, pod);
  const kept = pods.filter((pod) => last.get(`${pod.namespace}/${pod.name}`) === pod);
  const keptSet = new Set(kept);
  for (const pod of pods) if (!keptSet.has(pod)) skip(pod.source.line ?? 0, 'superseded by a later row of the same pod');
  unparsed.sort((a, b) => a.line - b.line);
  if (kept.length) result.value.pods = kept;
  return result;
}
