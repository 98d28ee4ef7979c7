/**
 * The durable half of usage recording: every record is appended (one `write`, no fsync) to a
 * segment file in the spool directory before the response that produced it completes, so a
 * `kill -9` of the process loses nothing the OS already has. The flusher seals the active segment,
 * inserts its records and deletes it; a segment whose insert failed (PostgreSQL down) stays sealed
 * on disk and is replayed later — by this process, or by the next one to start on this DATA_DIR.
 *
 * Segment names: `usage-<epoch ms>-<pid>-<random>.open` while written, renamed to `.jsonl` when
 * sealed (rename is atomic). An `.open` segment whose process is gone is sealed by whoever finds
 * it. One JSON record per line; a torn last line (a crash mid-write) is skipped with a warning.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../platform/logger.js';

const OPEN = '.open';
const SEALED = '.jsonl';
const NAME = /^usage-\d+-(\d+)-[0-9a-f]+\.(open|jsonl)$/;

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function createUsageSpool(options: { dir: string; logger: Logger }) {
  const { dir, logger } = options;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let active: { fd: number; file: string; lines: number } | undefined;
  let lastWriteError = 0;

  const open = () => {
    const file = path.join(dir, `usage-${Date.now()}-${process.pid}-${randomBytes(4).toString('hex')}${OPEN}`);
    active = { fd: openSync(file, 'a', 0o600), file, lines: 0 };
    return active;
  };

  return {
    dir,
    /** Appends one record, given as its JSON; never throws (the request path must not fail because a disk did). */
    append(line: string): boolean {
      try {
        const segment = active ?? open();
        writeSync(segment.fd, `${line}\n`);
        segment.lines += 1;
        return true;
      } catch (error) {
        if (Date.now() - lastWriteError > 10_000) {
          lastWriteError = Date.now();
          logger.error({ err: error, dir }, 'usage spool write failed: records are kept in memory only until they reach the database');
        }
        return false;
      }
    },

    /** Closes the active segment (if it holds anything) and returns its sealed path. */
    seal(): string | undefined {
      if (!active) return undefined;
      const { fd, file } = active;
      active = undefined;
      closeSync(fd);
      const sealed = file.slice(0, -OPEN.length) + SEALED;
      renameSync(file, sealed);
      return sealed;
    },

    /**
     * Sealed segments waiting to be inserted, oldest first, after sealing any `.open` segment
     * left by a process that no longer runs.
     */
    backlog(): string[] {
      const names = readdirSync(dir).filter((name) => NAME.test(name));
      for (const name of names) {
        const match = NAME.exec(name)!;
        if (match[2] === 'open' && !processAlive(Number(match[1]))) {
          const from = path.join(dir, name);
          try {
            renameSync(from, from.slice(0, -OPEN.length) + SEALED);
          } catch {
            // Another process sealed it first.
          }
        }
      }
      const startedAt = (name: string) => Number(name.split('-')[1]);
      return readdirSync(dir)
        .filter((name) => name.endsWith(SEALED) && NAME.test(name))
        .sort((a, b) => startedAt(a) - startedAt(b) || a.localeCompare(b))
        .map((name) => path.join(dir, name));
    },

    /** The records of a sealed segment, as their JSON lines; lines that do not parse are skipped and logged. */
    read(file: string): string[] {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      const lines: string[] = [];
      let skipped = 0;
      for (const line of text.split('\n')) {
        if (line === '') continue;
        try {
          // Only a whole record goes on: a torn line from a crash, or a line that is not a record, is skipped.
          const row: unknown = JSON.parse(line);
          if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new TypeError('not a record');
          lines.push(line);
        } catch {
          skipped += 1;
        }
      }
      if (skipped > 0) logger.warn({ file: path.basename(file), skipped }, 'usage spool: unreadable lines skipped (a write cut short by a crash)');
      return lines;
    },

    remove(file: string): void {
      rmSync(file, { force: true });
    },

    /** Seals the active segment, so what is left in it is replayed by whoever starts next. */
    close(): void {
      if (active) this.seal();
    },
  };
}

export type UsageSpool = ReturnType<typeof createUsageSpool>;
