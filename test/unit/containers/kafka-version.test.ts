import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { KAFKA_VERSION } from '../../support/apache-kafka.js';

// The tests, `npm run kafka` and `npm run bench` run the Kafka that docker-compose.yml deploys, no other.
describe('the Apache Kafka version', () => {
  it('is the same in docker-compose.yml, test/support/kafka/pom.xml and the test support', () => {
    const compose = readFileSync('docker-compose.yml', 'utf8');
    const images = [...compose.matchAll(/image:\s*apache\/kafka:(\S+)/g)].map((m) => m[1]);
    const pom = readFileSync('test/support/kafka/pom.xml', 'utf8');
    const pinned = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1];

    expect(images, 'apache/kafka images in docker-compose.yml').to.have.length.greaterThan(0);
    expect(new Set(images)).to.deep.equal(new Set([KAFKA_VERSION]));
    expect(pinned).to.equal(KAFKA_VERSION);
  });
});
