import type { Signature } from './signatures.js';

/** Log signatures added by the calico rules (see signatures.ts for the format). */
export const CALICO_SIGNATURES: readonly Signature[] = [
  {
    // 2025-04-03 10:00:01.123 [FATAL][1] main.go 99: Invalid controller 'ipam' provided.
    // (kube-controllers/pkg/config/runconfig.go: log.Fatalf("Invalid controller '%s' provided.", controllerType))
    id: 'kube-controllers-invalid-controller',
    literals: ["Invalid controller '"],
    regex: /Invalid controller '(?<controller>[^']*)' provided/,
    description: "calico-kube-controllers exits on an ENABLED_CONTROLLERS token it does not know (formats §2.3)",
  },
  {
    // Usage of /machine-controller-manager:
    // (Go flag package, printed right after `flag provided but not defined: -<flag>`)
    id: 'go-flag-usage',
    literals: ['Usage of '],
    regex: /^Usage of (?<binary>\S+):\s*$/,
    description: 'Go flag package usage header naming the binary that rejected a flag (004)',
  },
];
