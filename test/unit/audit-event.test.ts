// Audit events as lines: upstream's field set per stage, request and response
// objects only at the levels that keep them (managedFields dropped when the policy
// says so), Status answers as responseStatus, annotations, and sourceIPs as
// utilnet.SourceIPs reads X-Forwarded-For and X-Real-Ip.
import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { AuditEvent, type EventRequest } from '../../pkg/apiserver/audit/event.js';
import type { Level } from '../../pkg/apiserver/audit/policy.js';
import { canonicalIP, sourceIPs } from '../../pkg/apiserver/audit/sourceips.js';

const RECEIVED = Date.parse('2026-01-02T03:04:05.678Z');

function newEvent(level: Level, omitManagedFields = false, omitStages: AuditEvent['omitStages'] = []): AuditEvent {
  const req: EventRequest = {
    auditID: '6f0c1e2a-0000-4000-8000-000000000001',
    requestURI: '/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create',
    verb: 'create',
    user: { name: 'viewer-a', uid: 'u1', groups: ['team-a', 'system:authenticated'] },
    sourceIPs: ['127.0.0.1'],
    userAgent: 'kubectl/v1.32.0',
    objectRef: { resource: 'configmaps', namespace: 'default', apiVersion: 'v1' },
    receivedAt: RECEIVED,
  };
  return new AuditEvent(req, { level, omitStages, omitManagedFields });
}

const CM = {
  kind: 'ConfigMap',
  apiVersion: 'v1',
  metadata: { name: 'c1', namespace: 'default', managedFields: [{ manager: 'kubectl-create' }] },
  data: { a: '1' },
};

function parsed(ev: AuditEvent, now = RECEIVED + 5): Record<string, unknown> {
  const line = ev.line(now);
  expect(line).toBeDefined();
  return JSON.parse(line as string) as Record<string, unknown>;
}

describe('audit events', () => {
  it('RequestReceived has the request, no status, no objects; its stage time is the receipt', () => {
    const ev = newEvent('RequestResponse');
    expect(parsed(ev)).toEqual({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'RequestResponse',
      auditID: '6f0c1e2a-0000-4000-8000-000000000001',
      stage: 'RequestReceived',
      requestURI: '/api/v1/namespaces/default/configmaps?fieldManager=kubectl-create',
      verb: 'create',
      user: { username: 'viewer-a', uid: 'u1', groups: ['team-a', 'system:authenticated'] },
      sourceIPs: ['127.0.0.1'],
      userAgent: 'kubectl/v1.32.0',
      objectRef: { resource: 'configmaps', namespace: 'default', apiVersion: 'v1' },
      requestReceivedTimestamp: '2026-01-02T03:04:05.678000Z',
      stageTimestamp: '2026-01-02T03:04:05.678000Z',
    });
  });

  it('RequestResponse keeps both objects; the request object names the object being created', () => {
    const ev = newEvent('RequestResponse');
    ev.logRequestObject(CM);
    // The handlers go on to change the object: what was sent is what is logged.
    const created = { ...CM, metadata: { ...CM.metadata, uid: 'uid-1', resourceVersion: '7' } };
    ev.logResponseObject(created);
    ev.addAnnotation('authorization.k8s.io/decision', 'allow');
    ev.addAnnotation('authorization.k8s.io/decision', 'forbid');
    ev.stage = 'ResponseComplete';
    ev.responseStatus = { metadata: {}, code: 201 };
    const e = parsed(ev);
    expect(e.objectRef).toEqual({ resource: 'configmaps', namespace: 'default', name: 'c1', apiVersion: 'v1' });
    expect(e.requestObject).toEqual(CM);
    expect(e.responseObject).toEqual(created);
    expect(e.responseStatus).toEqual({ metadata: {}, code: 201 });
    expect(e.annotations).toEqual({ 'authorization.k8s.io/decision': 'allow' });
    expect(e.stageTimestamp).toBe('2026-01-02T03:04:05.683000Z');
  });

  it('Request keeps the request object only; Metadata neither, but still names the object', () => {
    const request = newEvent('Request');
    request.logRequestObject(CM);
    request.logResponseObject(CM);
    request.stage = 'ResponseComplete';
    expect(parsed(request).requestObject).toEqual(CM);
    expect(parsed(request).responseObject).toBeUndefined();
    const metadata = newEvent('Metadata');
    metadata.logRequestObject(CM);
    metadata.logResponseObject(CM);
    metadata.stage = 'ResponseComplete';
    const m = parsed(metadata);
    expect(m.requestObject).toBeUndefined();
    expect(m.responseObject).toBeUndefined();
    expect((m.objectRef as Record<string, string>).name).toBe('c1');
  });

  it('omitManagedFields drops metadata.managedFields from objects, list items and table rows, not from what was sent', () => {
    const ev = newEvent('RequestResponse', true);
    ev.logRequestObject(CM);
    ev.logResponseJSON(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: {}, items: [CM] }));
    ev.stage = 'ResponseComplete';
    const e = parsed(ev);
    expect((e.requestObject as typeof CM).metadata).toEqual({ name: 'c1', namespace: 'default' });
    expect((e.responseObject as { items: (typeof CM)[] }).items[0].metadata).toEqual({ name: 'c1', namespace: 'default' });
    expect(CM.metadata.managedFields).toHaveLength(1);
    const table = newEvent('RequestResponse', true);
    table.logResponseObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', rows: [{ cells: ['c1'], object: CM }] });
    table.stage = 'ResponseComplete';
    expect((parsed(table).responseObject as { rows: Array<{ object: typeof CM }> }).rows[0].object.metadata.managedFields).toBeUndefined();
  });

  it('a Status answer is the responseStatus at Metadata; bodies that are not objects are not logged', () => {
    const ev = newEvent('RequestResponse');
    ev.logRequestObject('text');
    ev.logRequestPatch([{ op: 'add', path: '/x', value: 1 }]);
    ev.logResponseObject({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'configmaps is forbidden: User "viewer-a" cannot create resource "configmaps"',
      reason: 'Forbidden',
      details: { kind: 'configmaps' },
      code: 403,
    });
    ev.stage = 'ResponseComplete';
    const e = parsed(ev);
    expect(e.requestObject).toBeUndefined();
    expect(e.responseStatus).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'configmaps is forbidden: User "viewer-a" cannot create resource "configmaps"',
      reason: 'Forbidden',
      details: { kind: 'configmaps' },
      code: 403,
    });
  });

  it('an omitted stage writes nothing; a long user agent is truncated', () => {
    const ev = newEvent('Metadata', false, ['RequestReceived']);
    expect(ev.line(RECEIVED)).toBeUndefined();
    ev.stage = 'ResponseComplete';
    expect(ev.line(RECEIVED)).toBeDefined();
    const long = new AuditEvent(
      { auditID: 'x', requestURI: '/', verb: 'get', sourceIPs: [], userAgent: 'a'.repeat(2000), receivedAt: RECEIVED },
      { level: 'Metadata', omitStages: [], omitManagedFields: false },
    );
    const e = parsed(long);
    expect(e.userAgent).toBe(`${'a'.repeat(1024)}...TRUNCATED`);
    expect(e.user).toEqual({});
    expect(e.sourceIPs).toBeUndefined();
  });
});

describe('sourceIPs', () => {
  const req = (remote: string, headers: Record<string, string> = {}) => ({ headers, socket: { remoteAddress: remote } }) as unknown as IncomingMessage;

  it.each([
    ['the connection only', req('127.0.0.1'), ['127.0.0.1']],
    ['an IPv4-mapped connection address', req('::ffff:127.0.0.1'), ['127.0.0.1']],
    ['X-Forwarded-For, then the connection', req('10.0.0.9', { 'x-forwarded-for': '1.2.3.4, bogus, 2001:DB8:0::1' }), ['1.2.3.4', '2001:db8::1', '10.0.0.9']],
    ['the connection not repeated when last', req('10.0.0.9', { 'x-forwarded-for': '1.2.3.4,10.0.0.9' }), ['1.2.3.4', '10.0.0.9']],
    ['X-Real-Ip unless already listed', req('10.0.0.9', { 'x-forwarded-for': '1.2.3.4', 'x-real-ip': '1.2.3.4' }), ['1.2.3.4', '10.0.0.9']],
    ['X-Real-Ip', req('10.0.0.9', { 'x-real-ip': '5.6.7.8' }), ['5.6.7.8', '10.0.0.9']],
  ])('%s', (_name, r, want) => {
    expect(sourceIPs(r)).toEqual(want);
  });

  it('reads addresses as Go does', () => {
    expect(canonicalIP('010.001.000.001')).toBe('10.1.0.1');
    expect(canonicalIP('::FFFF:7f00:1')).toBe('127.0.0.1');
    expect(canonicalIP('256.1.1.1')).toBeUndefined();
    expect(canonicalIP('example.com')).toBeUndefined();
    expect(canonicalIP('fe80::1%eth0')).toBeUndefined();
  });
});
