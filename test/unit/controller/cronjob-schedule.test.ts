// The cron schedule parser and the CronJob controller's schedule arithmetic.
import { describe, it } from '@jest/globals';
import assert from 'node:assert/strict';
import type { CronJob } from '../../../api/batch/v1/types.js';
import { cronScheduleError, parseCronSchedule } from '../../../api/batch/v1/cron.js';
import { formatRFC3339InZone, getJobName, mostRecentScheduleTime, nextScheduleTimeDuration } from '../../../pkg/controller/cronjob/utils.js';

const iso = (d: Date | undefined) => d?.toISOString();
function nexts(schedule: string, from: string, n: number, tz?: string): (string | undefined)[] {
  const s = parseCronSchedule(schedule, tz);
  const out: (string | undefined)[] = [];
  let t: Date | undefined = new Date(from);
  for (let i = 0; i < n && t; i++) {
    t = s.next(t);
    out.push(iso(t));
  }
  return out;
}

describe('cron schedule', () => {
  it('*/15 steps through the quarter hours, strictly after the given time', () => {
    assert.deepEqual(nexts('*/15 * * * *', '2024-03-01T10:07:30Z', 4, 'UTC'), [
      '2024-03-01T10:15:00.000Z',
      '2024-03-01T10:30:00.000Z',
      '2024-03-01T10:45:00.000Z',
      '2024-03-01T11:00:00.000Z',
    ]);
    assert.equal(iso(parseCronSchedule('*/15 * * * *', 'UTC').next(new Date('2024-03-01T10:15:00Z'))), '2024-03-01T10:30:00.000Z');
    assert.equal(iso(parseCronSchedule('*/15 * * * *', 'UTC').next(new Date('2024-03-01T10:14:59.500Z'))), '2024-03-01T10:15:00.000Z');
  });

  it('0 9 * * 1-5 runs on weekdays only (2024-03-01 is a Friday)', () => {
    assert.deepEqual(nexts('0 9 * * 1-5', '2024-03-01T09:00:00Z', 3, 'UTC'), [
      '2024-03-04T09:00:00.000Z',
      '2024-03-05T09:00:00.000Z',
      '2024-03-06T09:00:00.000Z',
    ]);
    // Names work the same.
    assert.deepEqual(nexts('0 9 * * MON-fri', '2024-03-01T09:00:00Z', 1, 'UTC'), ['2024-03-04T09:00:00.000Z']);
  });

  it('descriptors', () => {
    assert.deepEqual(nexts('@hourly', '2024-03-01T10:00:00Z', 2, 'UTC'), ['2024-03-01T11:00:00.000Z', '2024-03-01T12:00:00.000Z']);
    assert.deepEqual(nexts('@daily', '2024-03-01T10:00:00Z', 1, 'UTC'), ['2024-03-02T00:00:00.000Z']);
    assert.deepEqual(nexts('@midnight', '2024-03-01T10:00:00Z', 1, 'UTC'), ['2024-03-02T00:00:00.000Z']);
    assert.deepEqual(nexts('@weekly', '2024-03-01T10:00:00Z', 1, 'UTC'), ['2024-03-03T00:00:00.000Z']);
    assert.deepEqual(nexts('@monthly', '2024-03-01T10:00:00Z', 1, 'UTC'), ['2024-04-01T00:00:00.000Z']);
    assert.deepEqual(nexts('@yearly', '2024-03-01T10:00:00Z', 1, 'UTC'), ['2025-01-01T00:00:00.000Z']);
    assert.deepEqual(nexts('@annually', '2024-03-01T10:00:00Z', 1, 'UTC'), ['2025-01-01T00:00:00.000Z']);
    assert.deepEqual(nexts('@every 90s', '2024-03-01T10:00:00.400Z', 1), ['2024-03-01T10:01:30.000Z']);
  });

  it('lists, ranges with steps, month names, and the day-of-month OR day-of-week rule', () => {
    assert.deepEqual(nexts('5,10-20/5 0 * * *', '2024-03-01T00:00:00Z', 4, 'UTC'), [
      '2024-03-01T00:05:00.000Z',
      '2024-03-01T00:10:00.000Z',
      '2024-03-01T00:15:00.000Z',
      '2024-03-01T00:20:00.000Z',
    ]);
    // "N/step" means N to the maximum.
    assert.deepEqual(nexts('50/5 0 * * *', '2024-03-01T00:00:00Z', 3, 'UTC'), [
      '2024-03-01T00:50:00.000Z',
      '2024-03-01T00:55:00.000Z',
      '2024-03-02T00:50:00.000Z',
    ]);
    assert.deepEqual(nexts('0 0 1 feb,Dec *', '2024-03-01T00:00:00Z', 2, 'UTC'), ['2024-12-01T00:00:00.000Z', '2025-02-01T00:00:00.000Z']);
    // Both day fields restricted: either matches (the 13th, or any Friday).
    assert.deepEqual(nexts('0 0 13 * 5', '2024-09-01T00:00:00Z', 3, 'UTC'), [
      '2024-09-06T00:00:00.000Z',
      '2024-09-13T00:00:00.000Z',
      '2024-09-20T00:00:00.000Z',
    ]);
    // An impossible date never fires.
    assert.equal(parseCronSchedule('0 0 30 2 *', 'UTC').next(new Date('2024-01-01T00:00:00Z')), undefined);
  });

  it('time zones: wall-clock times in the zone, across a DST change', () => {
    // 09:00 in New York is 14:00Z in winter (EST) and 13:00Z after 2024-03-10 (EDT).
    assert.deepEqual(nexts('0 9 * * *', '2024-03-08T12:00:00Z', 3, 'America/New_York'), [
      '2024-03-08T14:00:00.000Z',
      '2024-03-09T14:00:00.000Z',
      '2024-03-10T13:00:00.000Z',
    ]);
    // 02:30 does not exist on 2024-03-10 in New York: that day is skipped.
    assert.deepEqual(nexts('30 2 * * *', '2024-03-09T12:00:00Z', 2, 'America/New_York'), ['2024-03-11T06:30:00.000Z', '2024-03-12T06:30:00.000Z']);
    assert.deepEqual(nexts('0 9 * * *', '2024-06-01T00:00:00Z', 1, 'Asia/Kolkata'), ['2024-06-01T03:30:00.000Z']);
    assert.equal(formatRFC3339InZone(new Date('2024-06-01T03:30:00Z'), 'Asia/Kolkata'), '2024-06-01T09:00:00+05:30');
    assert.equal(formatRFC3339InZone(new Date('2024-01-01T14:00:00Z'), 'America/New_York'), '2024-01-01T09:00:00-05:00');
    assert.equal(formatRFC3339InZone(new Date('2024-01-01T14:00:00Z'), undefined), '2024-01-01T14:00:00Z');
  });

  it('errors carry the parser wording', () => {
    assert.equal(cronScheduleError('* * * *'), 'expected exactly 5 fields, found 4: [* * * *]');
    assert.equal(cronScheduleError('60 * * * *'), 'end of range (60) above maximum (59): 60');
    assert.equal(cronScheduleError('* * * * 7'), 'end of range (7) above maximum (6): 7');
    assert.equal(cronScheduleError('@fortnightly'), 'unrecognized descriptor: @fortnightly');
    assert.equal(cronScheduleError('*/0 * * * *'), 'step of range should be a positive number: */0');
    assert.equal(cronScheduleError('@every 1x'), 'failed to parse duration @every 1x');
    assert.equal(cronScheduleError('0 9 * * mon-fri'), undefined);
  });
});

describe('CronJob schedule arithmetic', () => {
  const cj = (extra: Partial<CronJob['spec']> = {}, status: CronJob['status'] = {}): CronJob => ({
    metadata: { name: 'hello', namespace: 'default', uid: 'u1', creationTimestamp: '2024-03-01T10:00:30Z' },
    spec: { schedule: '* * * * *', jobTemplate: {}, ...extra },
    status,
  });
  const every = parseCronSchedule('* * * * *', 'UTC');

  it('finds the most recent unmet time and counts misses', () => {
    assert.equal(mostRecentScheduleTime(cj(), new Date('2024-03-01T10:00:59Z'), every, true).mostRecentTime, undefined);
    const one = mostRecentScheduleTime(cj(), new Date('2024-03-01T10:01:10Z'), every, true);
    assert.equal(iso(one.mostRecentTime), '2024-03-01T10:01:00.000Z');
    assert.equal(one.missed, 'none');
    const few = mostRecentScheduleTime(cj(), new Date('2024-03-01T10:05:10Z'), every, true);
    assert.equal(iso(few.mostRecentTime), '2024-03-01T10:05:00.000Z');
    assert.equal(few.missed, 'few');
    assert.equal(mostRecentScheduleTime(cj(), new Date('2024-03-01T13:00:10Z'), every, true).missed, 'many');
    // startingDeadlineSeconds bounds how far back we look.
    assert.equal(mostRecentScheduleTime(cj({ startingDeadlineSeconds: 200 }), new Date('2024-03-01T13:00:10Z'), every, true).missed, 'few');
    // The last schedule time moves the start.
    assert.equal(
      mostRecentScheduleTime(cj({}, { lastScheduleTime: '2024-03-01T10:05:00Z' }), new Date('2024-03-01T10:05:30Z'), every, true).mostRecentTime,
      undefined,
    );
  });

  it('requeues just after the next activation and names jobs by minutes since the epoch', () => {
    assert.equal(nextScheduleTimeDuration(cj(), new Date('2024-03-01T10:00:40Z'), every), 20_100);
    assert.equal(getJobName(cj(), new Date('2024-03-01T10:01:00Z')), `hello-${Date.parse('2024-03-01T10:01:00Z') / 60_000}`);
  });
});
