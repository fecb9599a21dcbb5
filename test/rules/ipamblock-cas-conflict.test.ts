import rule from '../../src/rules/ipamblock-cas-conflict.js';
import { ruleTester } from '../support/rule-tester.js';
import { containerd, kubelite } from '../support/kubelet-builders.js';

const CTRD = 'k8s03/containerd.log';

ruleTester(rule, {
  valid: [
    {
      name: 'near miss: the same conflict wording on a PodDisruptionBudget (kubelite, microk8s inspect)',
      records: [kubelite('2026-05-17T16:33:40Z', 'k8s03', 'E1029 17:33:40.665053    8451 disruption.go:626] Error syncing PodDisruptionBudget istio-system/istiod, requeuing: Operation cannot be fulfilled on poddisruptionbudgets.policy "istiod": the object has been modified; please apply your changes to the latest version and try again', 'k8s03/kubelite.log', 2010)],
    },
    {
      name: 'near miss: an IPAM block line that is not a conflict',
      records: [containerd('2026-05-17T16:33:40Z', 'k8s03', '2026-05-17 16:33:40.118 [INFO][28114] ipam/ipam.go 1170: Successfully claimed IPs: [10.1.108.134/26] block=10.1.108.64/26 handle="k8s-pod-network.3f1c"', CTRD, 7)],
    },
  ],
  invalid: [
    {
      name: '000: CAS conflicts during concurrent CNI DEL are counted as noise',
      records: [
        containerd('2026-05-17T16:40:12Z', 'k8s03', '2026-05-17 16:40:12.311 [WARNING][30211] ipam/ipam.go 1163: Error updating block - retry #0 error=operation cannot be fulfilled on ipamblocks.crd.projectcalico.org "10-1-237-64-26": the object has been modified; please apply your changes to the latest version and try again', CTRD, 41),
        containerd('2026-05-17T16:40:12Z', 'k8s03', '2026-05-17 16:40:12.862 [WARNING][30215] ipam/ipam.go 1163: Error updating block - retry #0 error=operation cannot be fulfilled on ipamblocks.crd.projectcalico.org "10-1-237-64-26": the object has been modified; please apply your changes to the latest version and try again', CTRD, 44),
      ],
      expect: [{ nodes: ['k8s03'], evidence: [{ path: CTRD, line: 41 }, { path: CTRD, line: 44 }], facts: { count: 2 } }],
    },
  ],
});
