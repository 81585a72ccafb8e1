import { migrate } from '../../src/store/migrate.js';
import { openDatabase, type Db } from '../../src/store/open-database.js';
import { createRepositories, type Repositories } from '../../src/store/repositories.js';

/** A fresh ':memory:' database with the real migrations applied. */
export function migratedDb(): Db {
  const db = openDatabase(':memory:');
  migrate(db);
  return db;
}

export function freshRepos(): Repositories {
  return createRepositories(migratedDb());
}

export const T0 = Date.UTC(2026, 2, 2, 9, 0, 0); // Mon 2026-03-02 09:00Z
export const MIN = 60_000;
export const HOUR = 60 * MIN;

export function newTicket(repos: Repositories, over: Partial<Parameters<Repositories['tickets']['createTicket']>[0]> = {}) {
  return repos.tickets.createTicket({ subject: 'Help', requester: 'ann@client.example', level: 'non-commercial', at: T0, ...over });
}

/** Runs fn and returns the error it throws (fails the test when it does not throw). */
export function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected an error');
}

/** The same repositories, counting top-level transactions (= commits). */
export function countingCommits(repos: Repositories): { repos: Repositories; commits: () => number } {
  let commits = 0;
  const counted: Repositories = {
    ...repos,
    transaction(fn, options) {
      if (!repos.db.inTransaction) commits += 1;
      return repos.transaction(fn, options);
    },
  };
  return { repos: counted, commits: () => commits };
}
