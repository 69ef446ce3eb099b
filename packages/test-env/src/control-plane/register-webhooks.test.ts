import { describe, expect, it } from 'vitest';
import { PROBE_LABEL, pointWebhooksAt, probeWebhook } from './register-webhooks.ts';

const server = { url: 'https://127.0.0.1:9443', caBundle: 'Q0E=' };

describe('pointWebhooksAt', () => {
  it('turns service references into local URLs with the caBundle, keeping the path', () => {
    const out = pointWebhooksAt(
      {
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: 'v' },
        webhooks: [
          { name: 'a', clientConfig: { service: { name: 's', namespace: 'n', path: '/validate-image' } } },
          { name: 'b', clientConfig: { url: 'https://hub.example:8443/mutate?x=1' } },
          { name: 'c', clientConfig: { service: { name: 's', namespace: 'n' } } },
        ],
      },
      server,
    );
    expect(out.webhooks.map((w) => w.clientConfig)).toEqual([
      { url: 'https://127.0.0.1:9443/validate-image', caBundle: 'Q0E=' },
      { url: 'https://127.0.0.1:9443/mutate', caBundle: 'Q0E=' },
      { url: 'https://127.0.0.1:9443/', caBundle: 'Q0E=' },
    ]);
    expect(out.apiVersion).toBe('admissionregistration.k8s.io/v1');
  });
});

describe('probeWebhook', () => {
  it('selects only objects labelled with its id and has no side effects', () => {
    const probe = probeWebhook('abc', server);
    expect(probe.objectSelector).toEqual({ matchLabels: { [PROBE_LABEL]: 'abc' } });
    expect(probe.sideEffects).toBe('None');
    expect(probe.clientConfig?.url).toBe('https://127.0.0.1:9443/__hub-testenv/probe/abc');
  });
});
