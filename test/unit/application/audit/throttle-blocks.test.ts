import { expect } from 'chai';
import { ThrottleBlocks } from '../../../../src/application/audit/throttle-blocks.js';

describe('ThrottleBlocks', () => {
  it('begins a block once per account or client until it ends', () => {
    const blocks = new ThrottleBlocks();
    expect(blocks.begins({ account: 'ada', client: 'a' }, 1000, 0)).to.equal(true);
    expect(blocks.begins({ account: 'ada', client: 'b' }, 1000, 10)).to.equal(false); // same account
    expect(blocks.begins({ account: 'bob', client: 'a' }, 1000, 20)).to.equal(false); // same client
    expect(blocks.begins({ account: 'bob', client: 'b' }, 1000, 30)).to.equal(true);
    expect(blocks.begins({ account: 'ada', client: 'c' }, 2000, 1000)).to.equal(true); // the first block ended
  });

  it('stays within its capacity, forgetting ended blocks first and then the oldest', () => {
    const blocks = new ThrottleBlocks(4);
    for (let i = 0; i < 1000; i += 1) expect(blocks.begins({ account: `name${i}` }, i + 10, i)).to.equal(true);
    expect((blocks as unknown as { until: Map<string, number> }).until.size).to.be.at.most(4);
    expect(blocks.begins({ account: 'name999' }, 2000, 1000)).to.equal(false); // recent ones are kept
  });
});
