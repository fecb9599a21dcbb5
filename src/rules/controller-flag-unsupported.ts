import { cappedEvidence, evidenceFromFact } from '../engine/evidence.js';
import { defineRule } from '../engine/define-rule.js';
import { SignalSet } from '../engine/signals.js';
import type { EvidenceItem, FindingDraft, SignatureMatch } from '../engine/types.js';
import type { ContainerStatusFact, PodFact } from '../model/facts.js';
import { recordNode, workloadOfPod } from './shared/calico.js';

// flag provided but not defined: -lease-duration  (Go flag package, flag.go failf)
const FLAG_MESSAGE = /flag provided but not defined: -{1,2}(?<flag>[\w.-]+)/;

interface Occurrence {
  namespace?: string;
  pod?: string;
  container?: string;
  flag: string;
  match?: SignatureMatch;
  /** Pod status whose termination message carries the error. */
  status?: { pod: PodFact; container: ContainerStatusFact; text: string };
}

/** `--lease-duration=60s`, `-lease-duration`, `--lease-duration 60s` → whether `flag` is set. */
function setsFlag(args: readonly string[], flag: string): boolean {
  return args.some((a) => a.startsWith('-') && a.replace(/^-+/, '').split('=')[0] === flag);
}

function terminationText(c: ContainerStatusFact): string | undefined {
  return [c.lastTerminated?.message, c.terminated?.message, c.stateMessage].find((m) => m && FLAG_MESSAGE.test(m));
}

/**
 * The container's status in a pod; a pod known from a `kubectl get pods` row has only the
 * row's summary of all its containers, which then stands for the container.
 */
function statusOf(pod: PodFact, containerName: string): ContainerStatusFact | undefined {
  return pod.containers.find((c) => c.name === containerName && !c.summary) ?? pod.containers.find((c) => c.summary);
}

function crashLooping(c: ContainerStatusFact | undefined): boolean {
  return c !== undefined && (c.stateReason === 'CrashLoopBackOff' || (c.restartCount > 0 && c.state !== 'running') || c.lastTerminated?.exitCode === 2);
}

export default defineRule({
  id: 'controller-flag-unsupported',
  meta: {
    title: 'Controller crash-loops on a command-line flag its binary does not know',
    severity: 'medium',
    kind: 'failure-mode',
    symptoms:
      'A controller Deployment goes into CrashLoopBackOff right after a patch that added flags; its log is just `flag provided but not defined: -<flag>` followed by the usage text.',
    why:
      "Go's flag package rejects any flag the binary does not define and exits (status 2) before the program starts. Flags copied from newer releases or from another project's naming (--leader-election-* vs --leader-elect-* vs --lease-duration) crash an older binary on every start (004).",
    inputs: [['container-logs', 'node-journal', 'pods']],
    signals: [
      { name: 'flag not defined', description: '`flag provided but not defined: -<flag>` in the container log or termination message', weight: 3, input: 'container-logs' },
      { name: 'container crash-looping', description: 'the container is in CrashLoopBackOff / restarting (a flag error exits with status 2)', weight: 1, input: 'pods' },
      { name: 'flag still in the spec', description: 'the workload or pod spec still passes the flag', weight: 1, input: 'workloads' },
    ],
    runbook: [
      { step: 'Remove `-{{flag}}` from container {{container}} of {{namespace}}/{{workload}} (and from its manifest source / GitOps repo, or it comes back)', command: 'kubectl -n {{namespace}} edit {{workload}}' },
      { step: 'Check the rollout recovers', command: 'kubectl -n {{namespace}} rollout status {{workload}}' },
      { step: 'Before patching flags into a controller, check its binary supports them (`<binary> --help`)', command: "sudo microk8s ctr image pull {{image}} && sudo microk8s ctr run --rm {{image}} flag-check {{binary}} --help 2>&1 | grep -e '-{{flag}}'" },
    ],
    references: ['004_e1f13a7f36a305a4.txt#Timeline (AEST — UTC+10)', '004_e1f13a7f36a305a4.txt#Lessons Learned'],
    falsePositives: [
      'An old container log kept in the capture after the flag was removed: when the current pods run without the flag the rule stays quiet.',
      'Cobra-based binaries say `unknown flag: --x` instead; those are not matched.',
      'A pod known only from a `kubectl get pods` table: its STATUS/RESTARTS sum up all its containers, so a crash-looping sidecar next to a container that once logged the flag error counts as crash-looping.',
    ],
  },
  evaluate(ctx) {
    const { facts } = ctx;
    const occurrences: Occurrence[] = [];
    for (const m of ctx.matches('flag-not-defined')) {
      const flag = m.groups.flag;
      if (!flag) continue;
      const ref = m.record.container;
      occurrences.push({ namespace: ref?.namespace, pod: ref?.pod, container: ref?.container, flag, match: m });
    }
    for (const pod of facts.pods) {
      for (const c of [...pod.containers, ...pod.initContainers]) {
        const text = terminationText(c);
        const flag = text ? FLAG_MESSAGE.exec(text)?.groups?.flag : undefined;
        if (text && flag) occurrences.push({ namespace: pod.namespace, pod: pod.name, container: c.name, flag, status: { pod, container: c, text } });
      }
    }

    const groups = new Map<string, Occurrence[]>();
    for (const o of occurrences) {
      const workload = o.namespace && o.pod ? workloadOfPod(facts, o.namespace, o.pod) : `node ${o.match ? recordNode(o.match, facts.pods) ?? '' : ''}`;
      const key = `${o.namespace ?? ''}|${workload}|${o.container ?? ''}|${o.flag}`;
      groups.set(key, [...(groups.get(key) ?? []), o]);
    }

    const findings: FindingDraft[] = [];
    let checked = new SignalSet().check('flag not defined', false).list();
    for (const [key, list] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
      const [namespace, workload, containerName, flag] = key.split('|') as [string, string, string, string];
      const finding = evaluateGroup(namespace, workload, containerName, flag, list);
      if (finding) {
        findings.push(finding);
        checked = finding.signals;
      }
    }
    return { findings, checked };

    function evaluateGroup(namespace: string, workload: string, containerName: string, flag: string, list: Occurrence[]): FindingDraft | undefined {
      const [kind, name] = workload.split('/');
      const related = facts.pods.filter((p) => p.namespace === namespace && (list.some((o) => o.pod === p.name) || workloadOfPod(facts, namespace, p.name) === workload));
      const statuses = related.map((p) => statusOf(p, containerName)).filter((c): c is ContainerStatusFact => c !== undefined);
      const podArgs = related.flatMap((p) => p.specArgs[containerName] ?? []);
      const owner = facts.workloads.find((w) => w.namespace === namespace && w.name === name && w.kind.toLowerCase() === kind);
      const ownerContainer = owner?.containers.find((c) => c.name === containerName) ?? owner?.containers[0];
      const inSpec = setsFlag([...podArgs, ...(ownerContainer?.args ?? []), ...(ownerContainer?.command ?? [])], flag);
      const looping = statuses.some(crashLooping);
      const hasPods = ctx.hasInput('pods');
      const hasWorkloads = ctx.hasInput('workloads');

      // The flag error may be history: the namespace's current pods and workloads (when the
      // capture shows them: a pasted table or a dump of another namespace does not) run without
      // the flag and without restarts.
      const namespaceSeen = facts.pods.some((p) => p.namespace === namespace) || facts.workloads.some((w) => w.namespace === namespace);
      if (namespaceSeen && !looping && !inSpec && !list.some((o) => o.status)) return undefined;

      const signals = new SignalSet()
        .set('flag not defined', 'present', `-${flag}: ${list.length} occurrence(s)`)
        .check('container crash-looping', hasPods && related.length ? looping : undefined,
          statuses.length ? statuses.map((c) => `${c.summary ? 'pod (get pods row)' : c.name} ${c.stateReason ?? c.state}, ${c.restartCount} restarts`).join('; ') : undefined)
        .check('flag still in the spec', hasWorkloads || podArgs.length ? inSpec : undefined,
          inSpec ? [...podArgs, ...(ownerContainer?.args ?? [])].filter((a) => setsFlag([a], flag)).join(' ') : undefined);

      const matches = list.map((o) => o.match).filter((m): m is SignatureMatch => m !== undefined);
      const evidence: EvidenceItem[] = cappedEvidence(matches, 3);
      for (const o of list.filter((x) => x.status).slice(0, 2)) {
        const s = o.status!;
        evidence.push(evidenceFromFact(s.pod.source, `pod ${s.pod.namespace}/${s.pod.name} container ${s.container.name} terminated: ${s.text.trim()}`, s.pod.nodeName));
      }
      if (owner && inSpec) {
        evidence.push(evidenceFromFact(owner.source, `${owner.kind} ${owner.namespace}/${owner.name} container ${ownerContainer?.name ?? '?'} args: ${(ownerContainer?.args ?? []).join(' ')}`));
      }

      const usage = matches.length
        ? ctx.matches('go-flag-usage').find((u) => matches.some((m) => m.record.source.path === u.record.source.path))
        : undefined;
      const binary = usage?.groups.binary ?? ownerContainer?.command[0] ?? '<binary>';
      const image = ownerContainer?.image ?? statuses.find((c) => c.image)?.image ?? '<image>';
      const nodes = [...new Set([
        ...matches.map((m) => recordNode(m, facts.pods)),
        ...related.map((p) => p.nodeName),
      ].filter((n): n is string => Boolean(n)))].sort();
      const restarts = Math.max(0, ...statuses.map((c) => c.restartCount));
      const times = matches.map((m) => m.record.ts).filter((t): t is number => t !== undefined);
      const where = namespace ? `${namespace}/${workload}` : `a process on ${nodes.join(', ') || 'an unknown node'}`;
      return {
        nodes,
        window: times.length ? { start: Math.min(...times), end: Math.max(...times) } : undefined,
        summary: `${where}${containerName ? ` (container ${containerName}${image !== '<image>' ? `, ${image}` : ''})` : ''} exits on start with "flag provided but not defined: -${flag}"${restarts ? ` and has restarted ${restarts} times` : ''}: its binary does not support that flag${inSpec ? ', which the spec still passes' : ''}.`,
        signals: signals.list(),
        evidence,
        values: { namespace: namespace || '<namespace>', workload: name ? workload : '<workload>', container: containerName || '<container>', flag, binary, image },
        facts: { flag, occurrences: list.length, restarts },
      };
    }
  },
});
