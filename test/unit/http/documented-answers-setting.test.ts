/** UNDOCUMENTED_ANSWERS: how an answer its route entry does not document is handled (functions/http/documented-answers.ts). */
import { describe, expect, it } from 'vitest';
import { undocumentedAnswersSetting } from '../../../functions/http/documented-answers';

describe('the UNDOCUMENTED_ANSWERS setting', () => {
  it('reports unless set, and takes report or fail', () => {
    expect(undocumentedAnswersSetting(undefined)).toBe('report');
    expect(undocumentedAnswersSetting('report')).toBe('report');
    expect(undocumentedAnswersSetting('fail')).toBe('fail');
  });

  it('stops the function at init on any other value, naming the variable', () => {
    for (const value of ['', 'FAIL', 'warn']) {
      expect(() => undocumentedAnswersSetting(value)).toThrow(/UNDOCUMENTED_ANSWERS: must be report or fail/);
    }
  });
});
