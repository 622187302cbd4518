// The Dockerfile and .dockerignore, checked without a Docker engine.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ENV_VARIABLES, parseEnv } from '../../../src/config/env.js';
import { envOf, execForm, readDockerfile, readText, ROOT, run, type Stage } from './container-files.js';

const stages = readDockerfile();
const final = stages.at(-1)!;
const build = stages[0]!;

const argsOf = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

/** Sources of a COPY/ADD (flags and destination dropped), with the stage they come from, if any. */
function copies(stage: Stage): { from: string | undefined; sources: string[] }[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
    .map(({ args }) => {
      const words = args.startsWith('[') ? execForm(args) : args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((w) => !w.startsWith('--'));
      return { from, sources: paths.slice(0, -1) };
    });
}

/** .dockerignore's patterns, as prefixes of paths (enough for the simple patterns it holds). */
function ignored(path: string): boolean {
  const patterns = readText('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const clean = path.replace(/^\.\//, '').replace(/\/$/, '');
  return patterns.some((p) => {
    const re = new RegExp(
      `^${p
        .replace(/^\//, '')
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')}(/|$)`,
    );
    return re.test(clean);
  });
}

describe('Dockerfile', () => {
  it('builds in one stage and runs from another, on node:20-bookworm-slim', () => {
    expect(stages.length).to.be.at.least(2);
    expect(final.from).to.equal('node:20-bookworm-slim');
    expect(build.name, 'the build stage is named, for COPY --from').to.be.a('string');
  });

  it('installs every dependency to build, then keeps only the production ones', () => {
    const runs = argsOf(build, 'RUN').join('\n');
    expect(runs).to.match(/\bnpm ci\b/);
    expect(runs).to.not.match(/npm ci[^\n]*--omit=dev/);
    expect(runs).to.match(/npm run build/);
    expect(runs).to.match(/npm prune --omit=dev/);
    expect(runs.indexOf('npm prune')).to.be.greaterThan(runs.indexOf('npm run build'));
  });

  it('runs as a user that is not root', () => {
    const users = argsOf(final, 'USER');
    expect(users, 'the final stage sets USER').to.have.length.greaterThan(0);
    const user = users.at(-1)!.split(':')[0]!;
    expect(['root', '0']).to.not.include(user);
  });

  it('runs in production, listening on 3000, with only variables the service reads', () => {
    const env = envOf(final);
    expect(env.NODE_ENV).to.equal('production');
    expect(Object.keys(env).filter((v) => !ENV_VARIABLES.includes(v))).to.deep.equal([]);
    expect(argsOf(final, 'EXPOSE').flatMap((a) => a.split(/\s+/))).to.include('3000');
    const secrets = {
      SESSION_SECRET: 'Zk3v9QpL2xW7nR4tY8mB1cD6fH0jS5gA',
      MFA_KEY_SECRET: 'Hq7uN2cR5vX8zB1eT4yK9mP3sW6aF0dJ',
      TOKEN_KEY_SECRET: 'Qm8w2Rt5Yz1Xc4Vb7Nk0Lp3Hs6Jd9FgT',
    };
    expect(parseEnv({ ...env, ...secrets }).port).to.equal(3000);
  });

  it('starts the API by default, from a compiled file whose source exists', () => {
    const cmd = execForm(argsOf(final, 'CMD').at(-1)!);
    expect(cmd).to.deep.equal(['node', 'dist/src/config/main.js']);
    expect(existsSync(`${ROOT}src/config/main.ts`)).to.equal(true);
  });

  it('puts production dependencies and dist/ in the final image, and never src/ or test/', () => {
    const sources = copies(final).flatMap((c) => c.sources.map((s) => ({ from: c.from, source: s })));
    for (const { from, source } of sources) {
      const path = source.replace(/^\/app\//, '').replace(/^\.\//, '');
      expect(path, `COPY ${from ? `--from=${from} ` : ''}${source}`).to.not.match(/^(src|test)(\/|$)/);
      expect(path, 'no whole build context').to.not.equal('.');
    }
    const fromBuild = sources.filter((s) => s.from === build.name).map((s) => s.source);
    expect(fromBuild).to.include.members(['/app/node_modules', '/app/dist']);
    // Files and folders copied from the context are in it: present and not ignored.
    for (const c of [...copies(build), ...copies(final)].filter((c) => !c.from)) {
      for (const source of c.sources) {
        expect(existsSync(`${ROOT}${source}`), source).to.equal(true);
        expect(ignored(source), `${source} is not in .dockerignore`).to.equal(false);
      }
    }
  });

  it('copies the final files as, or for, the unprivileged user', () => {
    for (const { args } of final.instructions.filter((i) => i.keyword === 'COPY')) expect(args).to.match(/--chown=node:node/);
  });

  describe('HEALTHCHECK', () => {
    const healthcheck = () => {
      const all = argsOf(final, 'HEALTHCHECK');
      expect(all).to.have.length(1);
      return all[0]!;
    };

    it('asks /health/live with node itself (the slim image has no curl)', () => {
      const argv = execForm(healthcheck());
      expect(argv[0]).to.equal('node');
      expect(argv.join(' ')).to.include('/health/live');
      expect(healthcheck()).to.match(/--start-period=\d+s/);
    });

    describe('run here with this Node.js', () => {
      let server: Server;
      let port: number;
      let live = 200;

      before(async () => {
        server = createServer((req, res) => {
          res.statusCode = req.url === '/health/live' ? live : 404;
          res.end();
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        port = (server.address() as AddressInfo).port;
      });
      after(() => new Promise<void>((resolve) => server.close(() => resolve())));

      it('succeeds on 200 and fails on an error status, on the port in PORT', async () => {
        const argv = execForm(healthcheck());
        live = 200;
        expect(await run(argv, { PORT: String(port) })).to.equal(0);
        live = 500;
        expect(await run(argv, { PORT: String(port) })).to.equal(1);
      });
    });
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, build output, tests, secrets and the git history out of the build context', () => {
    for (const path of ['node_modules', 'dist', 'test', '.git', '.env', '.env.production', 'data', 'coverage']) {
      expect(ignored(path), path).to.equal(true);
    }
  });

  it('keeps what the build needs', () => {
    for (const path of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'contract']) {
      expect(ignored(path), path).to.equal(false);
    }
  });
});
