import { expect } from 'chai';
import { TimerPacer } from '../../../src/adapters/timing/timer-pacer.js';

describe('TimerPacer', () => {
  it('answers no sooner than the floor, with the work’s result', async () => {
    const started = performance.now();
    const result = await new TimerPacer().atLeast(120, async () => 'done');
    expect(result).to.equal('done');
    expect(performance.now() - started).to.be.at.least(115); // timers may fire a little early, never much
  });

  it('adds nothing when the work already took longer than the floor', async () => {
    const started = performance.now();
    await new TimerPacer().atLeast(10, () => new Promise((done) => setTimeout(done, 80)));
    expect(performance.now() - started).to.be.below(400);
  });

  it('passes a failure on at once', async () => {
    const started = performance.now();
    const failed = await new TimerPacer().atLeast(2_000, () => Promise.reject(new Error('refused'))).catch((e: Error) => e);
    expect(failed.message).to.equal('refused');
    expect(performance.now() - started).to.be.below(1_000);
  });
});
