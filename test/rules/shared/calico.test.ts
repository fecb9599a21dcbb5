import { describe, expect, it } from 'vitest';
import {
  blockBase, cidrContains, isCalico313OrOlder, parseCalicoImage, parseCidr, parseIpv4, parseKubeVersion, stripMask, workloadOfPod,
} from '../../../src/rules/shared/calico.js';
import { emptyFacts } from '../../../src/model/facts.js';
import { container, pod } from '../../support/calico-builders.js';

describe('parseCalicoImage', () => {
  it('reads component and version from the image forms seen in MicroK8s and operator installs', () => {
    expect(parseCalicoImage('calico/node:v3.13.2')).toMatchObject({ component: 'node', tag: 'v3.13.2', version: { major: 3, minor: 13, patch: 2 } });
    expect(parseCalicoImage('docker.io/calico/kube-controllers:v3.29.3')).toMatchObject({ component: 'kube-controllers', tag: 'v3.29.3' });
    expect(parseCalicoImage('quay.io/calico/cni:v3.25.1@sha256:0123abcd')).toMatchObject({ component: 'cni', version: { major: 3, minor: 25, patch: 1 } });
    expect(parseCalicoImage('registry.example.com:5000/mirror/calico/typha:v3.30.0-0.dev')).toMatchObject({ component: 'typha', version: { minor: 30 } });
  });

  it('ignores other images and untagged Calico images', () => {
    expect(parseCalicoImage('cdkbot/calico-node:latest')).toBeUndefined();
    expect(parseCalicoImage('calico/node')).toBeUndefined();
    expect(parseCalicoImage('calico/node:latest')).toBeUndefined();
    expect(parseCalicoImage('gcr.io/kubebuilder/kube-rbac-proxy:v0.15.0')).toBeUndefined();
  });

  it('treats v3.13.x and older as too old', () => {
    expect(isCalico313OrOlder({ major: 3, minor: 13, patch: 2 })).toBe(true);
    expect(isCalico313OrOlder({ major: 2, minor: 6, patch: 0 })).toBe(true);
    expect(isCalico313OrOlder({ major: 3, minor: 14, patch: 0 })).toBe(false);
  });

  it('parses kubelet versions', () => {
    expect(parseKubeVersion('v1.35.0')).toEqual({ major: 1, minor: 35, patch: 0 });
    expect(parseKubeVersion('v1.34.2+k3s1')).toEqual({ major: 1, minor: 34, patch: 2 });
    expect(parseKubeVersion('unknown')).toBeUndefined();
  });
});

describe('IPv4 CIDR arithmetic', () => {
  it('computes block base addresses (002: 10.1.235.128/26 holds the VTEP 10.1.235.133)', () => {
    expect(blockBase('10.1.235.128/26')).toBe('10.1.235.128');
    expect(blockBase('10.1.235.133/26')).toBe('10.1.235.128');
    expect(blockBase('10.1.236.64/26')).toBe('10.1.236.64');
    expect(blockBase('192.168.1.7')).toBe('192.168.1.7');
    expect(blockBase('0.0.0.0/0')).toBe('0.0.0.0');
    expect(blockBase('255.255.255.255/1')).toBe('128.0.0.0');
  });

  it('tests containment of addresses and subnets', () => {
    expect(cidrContains('10.1.235.128/26', '10.1.235.133')).toBe(true);
    expect(cidrContains('10.1.235.128/26', '10.1.235.192')).toBe(false);
    expect(cidrContains('10.1.0.0/16', '10.1.236.0/26')).toBe(true);
    expect(cidrContains('10.1.236.0/26', '10.1.0.0/16')).toBe(false);
    expect(cidrContains('10.233.72.0/26', '10.233.72.0')).toBe(true);
  });

  it('rejects malformed input instead of guessing', () => {
    expect(parseIpv4('10.1.235')).toBeUndefined();
    expect(parseIpv4('10.1.235.256')).toBeUndefined();
    expect(parseCidr('10.1.235.128/33')).toBeUndefined();
    expect(parseCidr('default')).toBeUndefined();
    expect(parseCidr('fd00:10:244::/122')).toBeUndefined();
    expect(cidrContains('bogus', '10.0.0.1')).toBe(false);
    expect(stripMask('10.1.235.133/32')).toBe('10.1.235.133');
  });
});

describe('workloadOfPod', () => {
  it('follows ReplicaSet ownership and falls back to the pod name', () => {
    const facts = emptyFacts();
    facts.pods.push(pod('ci', 'awx-operator-controller-manager-6d9c7f7b6-2mz8x', 'k8s02', [container('manager', 'quay.io/ansible/awx-operator:2.7.2')], {
      ownerKind: 'ReplicaSet', ownerName: 'awx-operator-controller-manager-6d9c7f7b6',
    }));
    facts.pods.push(pod('kube-system', 'calico-node-7hx2d', 'k8s02', [], { ownerKind: 'DaemonSet', ownerName: 'calico-node' }));
    expect(workloadOfPod(facts, 'ci', 'awx-operator-controller-manager-6d9c7f7b6-2mz8x')).toBe('deployment/awx-operator-controller-manager');
    expect(workloadOfPod(facts, 'kube-system', 'calico-node-7hx2d')).toBe('daemonset/calico-node');
    expect(workloadOfPod(facts, 'gh', 'gh-arc-actions-runner-controller-7b9f6c5d8-kx2vq')).toBe('deployment/gh-arc-actions-runner-controller');
    expect(workloadOfPod(facts, 'default', 'standalone')).toBe('pod/standalone');
  });
});
