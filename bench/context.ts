/**
 * What every phase of the benchmark is given: the settings of this run (smoke or full), the database and Kafka the
 * driver (run.ts) set up, how to start a service and where to put what it measured. A phase reads nothing else.
 */
import type { Knex } from 'knex';
import type { Target } from './report.js';

export const PASSWORD = 'bench password 0123456789';
/** The libuv thread pool of every child (bcrypt runs there): a login load uses twice as many connections. */
export const POOL = Number(process.env.UV_THREADPOOL_SIZE || 4);

export type BenchConfig = ReturnType<typeof benchConfig>;

export function benchConfig(smoke: boolean) {
  return smoke
    ? {
        durationS: 1,
        warmS: 0.5,
        costs: [4],
        loginUsers: 4,
        readConnections: 20,
        fixedRate: 100,
        eventsRate: 200,
        eventsDurationS: 2,
        loginRate: 20,
        baseUsers: 1000,
        growthUsers: 2000,
        sessions: 1000,
        backlog: 1000,
        samples: 10,
      }
    : {
        durationS: 15,
        warmS: 3,
        costs: [10, 12],
        loginUsers: 4,
        readConnections: 20,
        fixedRate: 100,
        eventsRate: 200,
        eventsDurationS: 20,
        loginRate: 5,
        baseUsers: 1000,
        growthUsers: 1_000_000,
        sessions: 100_000,
        backlog: 50_000,
        samples: 20,
      };
}

export type RowSink = (section: string, metric: string, value: number | string, unit?: string, target?: Target, note?: string) => void;

export interface BenchContext {
  cfg: BenchConfig;
  smoke: boolean;
  /** The cost of the service most phases run on (the first of cfg.costs). */
  primaryCost: number;
  /** The bench database, migrated; `url` is what a service is given. */
  db: Knex;
  kafka: { brokers: string[]; topic: string };
  /** Where the services' and the relay's logs go. */
  logDir: string;
  /** The login users seeded per bcrypt cost. */
  loginUsersByCost: Map<number, string[]>;
  /** A row of the report. */
  row: RowSink;
  /** What the report keeps beside its rows, by phase. */
  raw: Record<string, unknown>;
  /** Runs `run` when the run ends or is interrupted, last registered first. */
  cleanup(name: string, run: () => Promise<unknown>): void;
  /** The bcrypt hash of PASSWORD at `cost`, computed once. */
  hashFor(cost: number): Promise<string>;
  /** The environment of a service or relay process at `cost`. */
  serviceEnv(cost: number, extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** Notes an error in the report when dist/ changed since the run began. */
  checkDist(when: string): void;
}
