import { it } from 'vitest';
import rule from '../../src/rules/pleg-unhealthy.js';
import { runCase, rec } from '../support/rule-tester.js';
it('print', () => {
  const r = runCase(rule, { records: [
        rec('2020-10-08T16:23:14Z', 'worker9', 'k3s', 'E1008 16:23:14.139967    1636 kubelet.go:1846] skipping pod synchronization - PLEG is not healthy: pleg was last seen active 4m51.763621609s ago; threshold is 3m0s', 'worker9/k3s.log', 1, { pid: 1636 })]});
  console.log(JSON.stringify(r, null, 1).slice(0, 1500));
});
