import { expect } from 'chai';
import { markdown, type Report } from '../../../bench/report.js';

/** A report with one row that misses its target (3 logins/s where at least 10 are wanted). */
function reportOf(mode: Report['mode']): Report {
  return {
    mode,
    judged: mode === 'full',
    machine: {},
    config: {},
    rows: [
      {
        section: '1. Logins',
        metric: 'logins/s',
        value: 3,
        unit: '/s',
        target: { op: '>=', value: 10 },
        met: mode === 'full' ? false : undefined,
      },
    ],
    errors: [],
    raw: {},
    durationS: 1,
  };
}

describe('benchmark report', () => {
  it('a full run shows each target and whether it was met', () => {
    const md = markdown(reportOf('full'));
    expect(md).to.include('| Metric | Value | Target | Met? |');
    expect(md).to.include('| logins/s | 3 /s | >= 10 /s | **no** |');
  });

  it('a smoke run shows its numbers without targets, so nothing reads as missed', () => {
    const md = markdown(reportOf('smoke'));
    expect(md).to.include('| logins/s | 3 /s |\n');
    expect(md).not.to.match(/Target|Met\?|\*\*no\*\*|>= 10/);
    expect(md).to.match(/^# authsvc benchmark \(smoke: .*no target is judged\)/);
  });
});
