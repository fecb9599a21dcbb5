import type { Signature } from './signatures.js';

/** Log signatures added by the kubelet rules (see signatures.ts for the format). */
export const KUBELET_SIGNATURES: readonly Signature[] = [
  {
    // I0123 09:24:28.723456     312 server.go:525] "Kubelet version" kubeletVersion="v1.35.0"
    // (kubelet cmd/kubelet/app/server.go, the first klog line of every kubelet start)
    id: 'kubelet-version-startup',
    literals: ['"Kubelet version"'],
    regex: /"Kubelet version" kubeletVersion=\\?"(?<version>v[^"\\]+)/,
    description: 'kubelet startup line: "Kubelet version" kubeletVersion="v…" (cmd/kubelet/app/server.go)',
  },
];
