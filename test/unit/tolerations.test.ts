import { test } from '@jest/globals';
import assert from 'node:assert/strict';
import { isSuperset, mergeTolerations } from '../../pkg/util/tolerations.js';

test('MergeTolerations keeps one of equal tolerations and drops the ones another covers', () => {
  const exists = { key: 'k', operator: 'Exists' };
  const equal = { key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' };
  assert.deepEqual(mergeTolerations([equal], [exists]), [exists]);
  assert.deepEqual(mergeTolerations([exists], [equal, exists]), [exists]);
  assert.deepEqual(mergeTolerations([{ operator: 'Exists' }], [equal, { key: 'other', operator: 'Exists' }]), [{ operator: 'Exists' }]);
  // NoExecute with a shorter toleration time does not cover a longer one.
  const short = { key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 };
  const long = { key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 };
  assert.deepEqual(mergeTolerations([short], [long]), [long]);
  assert.equal(isSuperset(short, long), false);
  assert.equal(isSuperset(long, short), true);
  // An empty operator is Equal, but only an explicit Equal is covered by one (as upstream compares).
  assert.equal(isSuperset({ key: 'k', value: 'v' }, { key: 'k', operator: 'Equal', value: 'v' }), true);
  assert.equal(isSuperset({ key: 'k', operator: 'Equal', value: 'v' }, { key: 'k', value: 'v' }), false);
  assert.deepEqual(mergeTolerations([], []), []);
});
