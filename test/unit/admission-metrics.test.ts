// The admission chain's metrics: one observation per phase, one per plugin that took
// part, under its upstream name (the webhooks' validating side under its own), with a
// refusal ending the phase and labelled rejected.
import { describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { AdmissionMetrics, runAdmissionPhase, type NamedAdmissionPlugin } from '../../pkg/registry/admission/metrics.js';
import { parseExposition } from '../../pkg/util/promtext.js';

interface Plugin extends NamedAdmissionPlugin {
  admit?(): Promise<void>;
  validate?(): Promise<void>;
}

const ran: string[] = [];
const plugin = (name: string, parts: { admit?: boolean; validate?: 'ok' | 'refuse' }, validatingName?: string): Plugin => ({
  name,
  validatingName,
  admit: parts.admit ? async () => void ran.push(`${name} admit`) : undefined,
  validate:
    parts.validate &&
    (async () => {
      ran.push(`${name} validate`);
      if (parts.validate === 'refuse') throw new Error(`${name} says no`);
    }),
});

describe('runAdmissionPhase', () => {
  it('observes the phase and each plugin that took part', async () => {
    const registry = new Registry();
    const metrics = new AdmissionMetrics(registry);
    const plugins = [
      plugin('LimitRanger', { admit: true, validate: 'ok' }),
      plugin('MutatingAdmissionWebhook', { admit: true, validate: 'refuse' }, 'ValidatingAdmissionWebhook'),
      plugin('ResourceQuota', { validate: 'ok' }),
    ];
    ran.length = 0;
    await runAdmissionPhase(plugins, metrics, 'admit', 'CREATE', (p) => p.admit?.());
    await expect(runAdmissionPhase(plugins, metrics, 'validate', 'CREATE', (p) => p.validate?.())).rejects.toThrow('MutatingAdmissionWebhook says no');
    expect(ran).toEqual(['LimitRanger admit', 'MutatingAdmissionWebhook admit', 'LimitRanger validate', 'MutatingAdmissionWebhook validate']);

    const m = parseExposition(await registry.metrics());
    const step = 'apiserver_admission_step_admission_duration_seconds_count';
    expect(m.value(step, { type: 'admit', operation: 'CREATE', rejected: 'false' })).toBe(1);
    expect(m.value(step, { type: 'validate', operation: 'CREATE', rejected: 'true' })).toBe(1);
    expect(m.find(step, { type: 'validate', rejected: 'false' })).toHaveLength(0);
    const controller = 'apiserver_admission_controller_admission_duration_seconds_count';
    const seen = m.find(controller).map((s) => [s.labels.get('name'), s.labels.get('type'), s.labels.get('rejected'), s.value]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ['LimitRanger', 'admit', 'false', 1],
        ['MutatingAdmissionWebhook', 'admit', 'false', 1],
        ['LimitRanger', 'validate', 'false', 1],
        ['ValidatingAdmissionWebhook', 'validate', 'true', 1],
      ]),
    );
    // ResourceQuota, after the refusal, never ran; no plugin without an admit step was observed admitting.
    expect(seen).toHaveLength(4);
  });

  it('runs the plugins the same without metrics', async () => {
    ran.length = 0;
    await expect(
      runAdmissionPhase([plugin('A', { validate: 'refuse' }), plugin('B', { validate: 'ok' })], undefined, 'validate', 'DELETE', (p) => p.validate?.()),
    ).rejects.toThrow('A says no');
    expect(ran).toEqual(['A validate']);
  });
});
