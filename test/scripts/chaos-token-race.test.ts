/** The chaos suite's judgement of its head-to-head token race (scripts/chaos/run.ts `judgeTokenRace`). */
import { describe, expect, it } from 'vitest';
import { judgeTokenRace } from '../../scripts/chaos/run';

const racer = (over: Partial<Parameters<typeof judgeTokenRace>[0][number] & object> = {}) => ({
  pid: 1,
  asked: 10_000,
  answered: 11_520,
  refreshed: false,
  fingerprint: 'abc123abc123',
  changed: true,
  ...over,
});

describe('judgeTokenRace', () => {
  it('passes one refresh and one waiter that got the same new token', () => {
    const r = judgeTokenRace([racer({ refreshed: true, answered: 11_510 }), racer({ pid: 2, asked: 10_003, answered: 11_530 })]);
    expect(r).toEqual({
      summary: '2 processes asked 3 ms apart; 1 refreshed, the other answered after 1527 ms with the same token',
    });
  });

  it.each([
    ['both refreshed', [racer({ refreshed: true }), racer({ refreshed: true })], 'both refreshed'],
    ['neither refreshed', [racer(), racer()], 'neither refreshed'],
    ['different tokens', [racer({ refreshed: true }), racer({ fingerprint: 'ffffffffffff' })], 'different or unchanged'],
    ['an unchanged token', [racer({ refreshed: true }), racer({ changed: false })], 'different or unchanged'],
    ['asked after the other had its answer', [racer({ refreshed: true }), racer({ asked: 12_000, answered: 12_100 })], 'not a race'],
    ['the other did not wait', [racer({ refreshed: true }), racer({ answered: 10_200 })], 'did not wait for the lock'],
    ['a racer gave no answer', [racer({ refreshed: true }), undefined], 'no answer'],
  ])('refuses %s', (_name, answers, problem) => {
    expect(judgeTokenRace(answers).problem).toContain(problem);
  });
});
