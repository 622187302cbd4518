// docker-compose.yml, checked without a Docker engine: its shape, its wiring, and that the environment it gives
// the service passes the service's own configuration parser, so the file cannot drift from src/config/env.ts.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { ENV_VARIABLES, InvalidEnvironment, parseEnv } from '../../../src/config/env.js';
import {
  allStrings,
  asArgv,
  dependencies,
  envOf,
  healthcheckArgv,
  interpolate,
  MissingVariable,
  namedVolumes,
  portMappings,
  rawEnvironment,
  readCompose,
  readDockerfile,
  readText,
  requiredVariables,
  ROOT,
  run,
  service,
  type ComposeService,
} from './container-files.js';

const compose = readCompose();
const SERVICES = ['mysql', 'kafka', 'kafka-init', 'authsvc', 'relay'];
const APP_SERVICES = ['authsvc', 'relay'];

/** What a careful caller sets: strong values for exactly the variables the file requires. */
const CALLER: Record<string, string> = {
  SESSION_SECRET: 'Zk3v9QpL2xW7nR4tY8mB1cD6fH0jS5gA', // 32 characters, varied, not a published example
  ADMIN_PASSWORD: 'a long and unusual admin passphrase',
  MFA_KEY_SECRET: 'Hq7uN2cR5vX8zB1eT4yK9mP3sW6aF0dJ',
  TOKEN_KEY_SECRET: 'Qm8w2Rt5Yz1Xc4Vb7Nk0Lp3Hs6Jd9FgT', // 32 characters, varied, not a published example
};

/** The environment a container of the service really gets: the image's ENV, then compose's, interpolated. */
function effectiveEnv(name: string, caller: Record<string, string> = CALLER): Record<string, string> {
  const image = envOf(readDockerfile().at(-1)!);
  const own = Object.fromEntries(Object.entries(rawEnvironment(service(compose, name))).map(([k, v]) => [k, interpolate(v, caller)]));
  return { ...image, ...own };
}

function parseProblems(env: Record<string, string>): string[] {
  try {
    parseEnv(env);
    return [];
  } catch (err) {
    if (err instanceof InvalidEnvironment) return err.problems;
    throw err;
  }
}

/** `KEY1:v1,KEY2:v2` (the listener security protocol map) or `NAME://host:port,…` lists. */
function listeners(value: string): { name: string; host: string; port: string }[] {
  return value.split(',').map((l) => {
    const m = /^([A-Za-z0-9_]+):\/\/([^:]*):(\d+)$/.exec(l.trim());
    if (!m) throw new Error(`cannot read listener ${l}`);
    return { name: m[1]!, host: m[2]!, port: m[3]! };
  });
}

function kafkaEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(rawEnvironment(service(compose, 'kafka'))).map(([k, v]) => [k, interpolate(v, {})]));
}

function kafkaInitOption(option: string): string | undefined {
  const argv = [...asArgv(service(compose, 'kafka-init').entrypoint), ...asArgv(service(compose, 'kafka-init').command)];
  const i = argv.indexOf(option);
  return i < 0 ? undefined : (argv[i + 1] ?? '');
}

describe('docker-compose.yml', () => {
  describe('services', () => {
    it('has exactly mysql, kafka, kafka-init, authsvc and relay', () => {
      expect(Object.keys(compose.services)).to.have.members(SERVICES);
    });

    it('runs MySQL 8.4 and the official Apache Kafka image, the topic job on the same image as the broker', () => {
      expect(service(compose, 'mysql').image).to.equal('mysql:8.4');
      expect(service(compose, 'kafka').image).to.match(/^apache\/kafka:\d+\.\d+\.\d+$/);
      expect(service(compose, 'kafka-init').image).to.equal(service(compose, 'kafka').image);
    });

    it('builds authsvc and relay from this directory, the API with the image command and the relay with relay-main', () => {
      for (const name of APP_SERVICES) {
        const { build, image } = service(compose, name);
        expect(typeof build === 'string' ? build : build?.context, name).to.equal('.');
        expect(image, name).to.equal(undefined);
      }
      expect(service(compose, 'authsvc').command).to.equal(undefined);
      const relay = asArgv(service(compose, 'relay').command);
      expect(relay).to.deep.equal(['node', 'dist/src/config/relay-main.js']);
      // The compiled path comes from a source file that exists.
      expect(existsSync(`${ROOT}${relay[1]!.replace(/^dist\//, '').replace(/\.js$/, '.ts')}`)).to.equal(true);
    });

    it('publishes the API on 3000, the Kafka host listener on loopback only, and nothing of MySQL or the relay', () => {
      expect(portMappings(service(compose, 'authsvc'))).to.deep.include({ hostIp: undefined, published: '3000', target: '3000' });
      expect(service(compose, 'relay').ports ?? []).to.deep.equal([]);
      expect(service(compose, 'mysql').ports ?? []).to.deep.equal([]);
      expect(service(compose, 'kafka-init').ports ?? []).to.deep.equal([]);
      for (const p of portMappings(service(compose, 'kafka'))) expect(p.hostIp, `kafka port ${p.target}`).to.equal('127.0.0.1');
    });

    it('gives every service but the one-shot kafka-init a healthcheck, and lets kafka-init exit for good', () => {
      for (const name of SERVICES.filter((s) => s !== 'kafka-init')) {
        const hc = service(compose, name).healthcheck;
        expect(hc?.disable, name).to.not.equal(true);
        expect(hc?.test, name).to.be.an('array').with.length.greaterThan(1);
      }
      expect(service(compose, 'kafka-init').healthcheck).to.equal(undefined);
      expect(service(compose, 'kafka-init').restart).to.equal('no');
    });

    it('checks MySQL with mysqladmin ping, Kafka with its own tools, the API on /health/ready', () => {
      expect(service(compose, 'mysql').healthcheck!.test).to.include.members(['mysqladmin', 'ping']);
      expect(healthcheckArgv(service(compose, 'kafka').healthcheck!.test!)[0]).to.match(
        /^\/opt\/kafka\/bin\/kafka-(broker-api-versions|topics)\.sh$/,
      );
      expect(healthcheckArgv(service(compose, 'authsvc').healthcheck!.test!).join(' ')).to.include('/health/ready');
    });

    it('keeps MySQL and Kafka data in named volumes, all declared and all used', () => {
      const declared = Object.keys(compose.volumes ?? {});
      const used = Object.values(compose.services).flatMap((s) => namedVolumes(s).map((v) => v.source));
      expect(used).to.have.members(declared);
      expect(namedVolumes(service(compose, 'mysql'))).to.deep.include({ source: 'mysql-data', target: '/var/lib/mysql' });
      const kafkaVolume = namedVolumes(service(compose, 'kafka'))[0];
      expect(kafkaVolume?.target, 'the volume holds the broker log dirs').to.equal(kafkaEnv().KAFKA_LOG_DIRS);
    });

    it('starts each service only when what it needs is healthy, or done', () => {
      expect(dependencies(service(compose, 'kafka-init'))).to.deep.equal({ kafka: 'service_healthy' });
      expect(dependencies(service(compose, 'authsvc'))).to.deep.equal({
        mysql: 'service_healthy',
        'kafka-init': 'service_completed_successfully',
      });
      // The relay also waits for the API to be ready, i.e. for its migrations, rather than race it for knex's lock.
      expect(dependencies(service(compose, 'relay'))).to.deep.equal({
        mysql: 'service_healthy',
        'kafka-init': 'service_completed_successfully',
        authsvc: 'service_healthy',
      });
      for (const [name, s] of Object.entries(compose.services)) {
        for (const [dep, condition] of Object.entries(dependencies(s))) {
          if (condition === 'service_healthy') expect(service(compose, dep).healthcheck, `${name} waits on ${dep}`).to.not.equal(undefined);
        }
      }
    });
  });

  describe('interpolation', () => {
    it('uses only valid ${…} syntax anywhere in the file', () => {
      for (const text of allStrings(compose)) expect(() => interpolate(text, CALLER), text).to.not.throw();
    });

    it('refuses to start without SESSION_SECRET, MFA_KEY_SECRET and TOKEN_KEY_SECRET (API and relay) and ADMIN_PASSWORD (API), and needs nothing else', () => {
      const required = (s: ComposeService) => Object.values(rawEnvironment(s)).flatMap(requiredVariables);
      expect(required(service(compose, 'authsvc'))).to.have.members([
        'SESSION_SECRET',
        'ADMIN_PASSWORD',
        'MFA_KEY_SECRET',
        'TOKEN_KEY_SECRET',
      ]);
      expect(required(service(compose, 'relay'))).to.have.members(['SESSION_SECRET', 'MFA_KEY_SECRET', 'TOKEN_KEY_SECRET']);
      expect([...new Set(allStrings(compose).flatMap(requiredVariables))]).to.have.members([
        'SESSION_SECRET',
        'ADMIN_PASSWORD',
        'MFA_KEY_SECRET',
        'TOKEN_KEY_SECRET',
      ]);
      try {
        effectiveEnv('relay', {});
        expect.fail('expected a missing SESSION_SECRET to stop compose');
      } catch (err) {
        expect(err).to.be.instanceOf(MissingVariable);
        expect((err as MissingVariable).variable).to.equal('SESSION_SECRET');
        expect((err as MissingVariable).hint).to.match(/32/);
      }
    });
  });

  describe('the environment of authsvc and relay', () => {
    for (const name of APP_SERVICES) {
      it(`${name}: names only variables the service reads`, () => {
        const unknown = Object.keys(effectiveEnv(name)).filter((v) => !ENV_VARIABLES.includes(v));
        expect(unknown).to.deep.equal([]);
      });

      it(`${name}: passes parseEnv as a production configuration, on MySQL and Kafka`, () => {
        const given = effectiveEnv(name);
        expect(parseProblems(given)).to.deep.equal([]);
        const env = parseEnv(given);
        expect(env.nodeEnv).to.equal('production');
        expect(env.sessionCookieSecure).to.equal(true);
        expect(env.databaseUrl).to.match(/^mysql:\/\//);
        expect(env.kafka, 'relay-main refuses to start without KAFKA_BROKERS').to.not.equal(undefined);
        expect(given).to.not.have.property('SESSION_COOKIE_SECURE'); // production refuses false; true is the default
      });
    }

    it('runs the relay as its own service, not inside the API', () => {
      expect(parseEnv(effectiveEnv('authsvc')).outbox.relayInProcess).to.equal(false);
      expect(parseEnv(effectiveEnv('relay')).outbox.relayInProcess, 'relay-main publishes regardless').to.be.a('boolean');
    });

    it('gives the API the start-up admin and the proxy setting, with defaults that parse', () => {
      const env = parseEnv(effectiveEnv('authsvc'));
      expect(env.admin).to.deep.equal({ username: 'admin', password: CALLER.ADMIN_PASSWORD });
      expect(env.trustProxy).to.equal(0);
      expect(env.logLevel).to.equal('info');
    });

    it('refuses a weak SESSION_SECRET, as the service would at start-up', () => {
      const problems = parseProblems(effectiveEnv('authsvc', { ...CALLER, SESSION_SECRET: 'changeme' }));
      expect(problems.join('\n')).to.match(/^SESSION_SECRET:/m);
    });

    it('also parses with NODE_ENV=development, the documented local trial over plain HTTP', () => {
      expect(readText('docker-compose.yml')).to.match(/NODE_ENV: development/);
      const env = parseEnv({ ...effectiveEnv('authsvc'), NODE_ENV: 'development' });
      expect(env.sessionCookieSecure).to.equal(false);
    });

    it('points both at the same database, broker and topic', () => {
      const [api, relay] = APP_SERVICES.map((n) => effectiveEnv(n));
      for (const v of ['DATABASE_URL', 'KAFKA_BROKERS', 'KAFKA_TOPIC', 'NODE_ENV', 'SESSION_SECRET']) {
        expect(relay![v], v).to.equal(api![v]);
      }
    });

    it('reaches MySQL by its service name, with the database and account the mysql service creates', () => {
      const mysql = Object.fromEntries(
        Object.entries(rawEnvironment(service(compose, 'mysql'))).map(([k, v]) => [k, interpolate(v, CALLER)]),
      );
      const url = new URL(effectiveEnv('authsvc').DATABASE_URL!);
      expect(url.hostname).to.equal('mysql');
      expect(url.port || '3306').to.equal('3306');
      expect(url.pathname).to.equal(`/${mysql.MYSQL_DATABASE}`);
      expect(decodeURIComponent(url.username)).to.equal(mysql.MYSQL_USER);
      expect(decodeURIComponent(url.password)).to.equal(mysql.MYSQL_PASSWORD);
    });
  });

  describe('Kafka', () => {
    it('runs one KRaft node as broker and controller, replication factor 1, no topic auto-creation', () => {
      const env = kafkaEnv();
      expect(env.KAFKA_PROCESS_ROLES!.split(',').sort()).to.deep.equal(['broker', 'controller']);
      expect(env.KAFKA_NODE_ID).to.match(/^\d+$/);
      expect(env.CLUSTER_ID).to.match(/^[A-Za-z0-9_-]{22}$/);
      expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).to.equal('1');
      expect(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).to.equal('1');
      expect(env.KAFKA_TRANSACTION_STATE_LOG_MIN_ISR).to.equal('1');
      expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).to.equal('false');
      // The quorum is this node, on its controller listener.
      const controller = listeners(env.KAFKA_LISTENERS!).find((l) => l.name === env.KAFKA_CONTROLLER_LISTENER_NAMES);
      expect(env.KAFKA_CONTROLLER_QUORUM_VOTERS).to.equal(`${env.KAFKA_NODE_ID}@kafka:${controller?.port}`);
    });

    it('declares a protocol for every listener and advertises only listeners it has', () => {
      const env = kafkaEnv();
      const protocols = Object.fromEntries(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP!.split(',').map((p) => p.split(':')));
      const own = listeners(env.KAFKA_LISTENERS!);
      for (const l of own) expect(protocols, l.name).to.have.property(l.name);
      for (const a of listeners(env.KAFKA_ADVERTISED_LISTENERS!)) {
        expect(own.find((l) => l.name === a.name)?.port, `advertised ${a.name}`).to.equal(a.port);
      }
      expect(own.map((l) => l.name)).to.include(env.KAFKA_INTER_BROKER_LISTENER_NAME);
    });

    it('advertises, on the compose network, every broker address authsvc and relay use', () => {
      const advertised = listeners(kafkaEnv().KAFKA_ADVERTISED_LISTENERS!).map((l) => `${l.host}:${l.port}`);
      for (const name of APP_SERVICES) {
        for (const broker of parseEnv(effectiveEnv(name)).kafka!.brokers) {
          expect(advertised, `${name} uses ${broker}`).to.include(broker);
          expect(broker.split(':')[0], 'a service name on the compose network').to.equal('kafka');
        }
      }
      expect(advertised, 'kafka-init bootstraps from it too').to.include(kafkaInitOption('--bootstrap-server'));
    });

    it('advertises a host listener on the port it publishes', () => {
      const host = listeners(kafkaEnv().KAFKA_ADVERTISED_LISTENERS!).filter((l) => l.host === 'localhost');
      expect(host).to.have.length(1);
      expect(portMappings(service(compose, 'kafka'))).to.deep.include({
        hostIp: '127.0.0.1',
        published: host[0]!.port,
        target: host[0]!.port,
      });
    });

    it('creates, once, the topic the service publishes to, with 3 partitions', () => {
      expect(asArgv(service(compose, 'kafka-init').entrypoint)[0]).to.equal('/opt/kafka/bin/kafka-topics.sh');
      expect(kafkaInitOption('--create')).to.not.equal(undefined);
      expect(kafkaInitOption('--if-not-exists')).to.not.equal(undefined);
      expect(kafkaInitOption('--partitions')).to.equal('3');
      expect(kafkaInitOption('--replication-factor')).to.equal('1');
      for (const name of APP_SERVICES) {
        expect(parseEnv(effectiveEnv(name)).kafka!.topic, name).to.equal(kafkaInitOption('--topic'));
      }
    });
  });

  describe('healthcheck commands, run here with this Node.js', () => {
    let server: Server;
    let port: number;
    const status: Record<string, number> = {};

    before(async () => {
      server = createHttpServer((req, res) => {
        res.statusCode = status[req.url ?? ''] ?? 404;
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const authsvcCheck = () => healthcheckArgv(service(compose, 'authsvc').healthcheck!.test!);

    it('authsvc: healthy when /health/ready answers 200, not when it answers 503', async () => {
      status['/health/ready'] = 200;
      expect(await run(authsvcCheck(), { PORT: String(port) })).to.equal(0);
      status['/health/ready'] = 503;
      expect(await run(authsvcCheck(), { PORT: String(port) })).to.equal(1);
    });

    it('authsvc: unhealthy when nothing listens', async () => {
      const closed = createTcpServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const free = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      expect(await run(authsvcCheck(), { PORT: String(free) })).to.equal(1);
    });

    it('relay: healthy when the database and every broker accept a connection, unhealthy when one does not', async () => {
      const listening = await Promise.all(
        [0, 1, 2].map(async () => {
          const s = createTcpServer((socket) => socket.destroy());
          await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
          return s;
        }),
      );
      const [db, b1, b2] = listening.map((s) => (s.address() as AddressInfo).port);
      const check = healthcheckArgv(service(compose, 'relay').healthcheck!.test!);
      const env = { DATABASE_URL: `mysql://u:p@127.0.0.1:${db}/authsvc`, KAFKA_BROKERS: `127.0.0.1:${b1}, 127.0.0.1:${b2}` };
      try {
        expect(await run(check, env)).to.equal(0);
        await new Promise<void>((resolve) => listening[2]!.close(() => resolve()));
        expect(await run(check, env)).to.equal(1);
      } finally {
        for (const s of listening) if (s.listening) s.close();
      }
    });
  });
});
