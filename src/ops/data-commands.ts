/**
 * The data-safety commands of the `switchboard` CLI: `backup`, `restore` and
 * `keys rotate-master`. Each prints one JSON result on stdout (logs go to stderr) and exits
 * non-zero with a `switchboard: <code>: <message>` line when it refuses or fails. On the embedded
 * default they borrow the database a running server owns, or start and stop it themselves.
 */
import path from 'node:path';
import type { Command } from 'commander';
import pg from 'pg';
import { loadConfig, type Config } from '../config.js';
import { createLogger, type Logger } from '../platform/logger.js';
import { publishInvalidation } from '../platform/invalidation.js';
import { connectRedis } from '../platform/redis.js';
import { openStore } from '../store/open-store.js';
import { loadKeyring } from '../vault/keyring.js';
import { rotateMasterKey, verifyKeyring } from '../vault/rotation.js';
import { createBackup } from './backup.js';
import { applyRetention, checkAge, nextRun, parseAge, parseCron } from './backup-schedule.js';
import { restoreBackup } from './restore.js';

function setup(): { config: Config; logger: Logger } {
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  return { config, logger: createLogger({ level: config.logLevel, destination: process.stderr }) };
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

const positiveInt = (name: string) => (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} wants a whole number, got "${value}"`);
  return parsed;
};

interface BackupOptions {
  out?: string;
  schedule?: string;
  keepDaily?: number;
  keepWeekly?: number;
  checkAge?: string;
}

async function backupOnce(config: Config, logger: Logger, outDir: string, options: BackupOptions) {
  const store = await openStore(config, logger, 'cli');
  try {
    const result = await createBackup({ url: store.url, outDir, logger });
    const retain = options.keepDaily !== undefined || options.keepWeekly !== undefined || options.schedule !== undefined;
    const deleted = retain ? applyRetention(outDir, options.keepDaily ?? 7, options.keepWeekly ?? 4) : [];
    return { dir: result.dir, manifest: result.manifest, deleted };
  } finally {
    await store.release();
  }
}

async function backupCommand(options: BackupOptions): Promise<void> {
  const { config, logger } = setup();
  const outDir = path.resolve(options.out ?? path.join(config.dataDir, 'backups'));
  if (options.checkAge !== undefined) {
    const result = checkAge(outDir, parseAge(options.checkAge));
    print(result);
    if (!result.ok) process.exitCode = 1;
    return;
  }
  if (options.schedule === undefined) {
    print(await backupOnce(config, logger, outDir, options));
    return;
  }
  const matches = parseCron(options.schedule);
  let stopping = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    stopping = true;
    wake?.();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  logger.info({ schedule: options.schedule, out: outDir }, 'backup schedule started');
  while (!stopping) {
    const at = nextRun(matches, new Date());
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, Math.max(0, at.getTime() - Date.now()));
    });
    if (stopping) break;
    try {
      const result = await backupOnce(config, logger, outDir, options);
      logger.info({ dir: result.dir, deleted: result.deleted.length }, 'scheduled backup done');
    } catch (error) {
      // The next run tries again; `--check-age` turns the healthcheck red if this keeps failing.
      logger.error({ err: error }, 'scheduled backup failed');
    }
  }
}

async function restoreCommand(dir: string, options: { clean?: boolean }): Promise<void> {
  const { config, logger } = setup();
  const keyring = loadKeyring(config, logger);
  const store = await openStore(config, logger, 'cli');
  try {
    print(await restoreBackup({ dir: path.resolve(dir), url: store.url, keyring, clean: options.clean === true, logger }));
  } finally {
    await store.release();
  }
}

/**
 * Tells every replica on Redis that data keys were rewrapped, so their readiness and
 * `switchboard_wrapped_keys` recount now instead of when their 10 s cache lapses. Best effort:
 * without Redis (one process) or if it fails, the cache lapses as usual.
 */
async function announceRotation(config: Config, logger: Logger): Promise<void> {
  if (!config.redisUrl) return;
  const redis = connectRedis(config.redisUrl, logger, 'switchboard-rotate-master');
  try {
    await publishInvalidation(redis, 'keyring', 'rotated');
  } catch (error) {
    logger.warn({ err: error }, 'could not tell the replicas about the rotation; they recount within 10 s');
  } finally {
    await redis.close();
  }
}

async function rotateCommand(options: { dryRun?: boolean; verify?: boolean; batch: number }): Promise<void> {
  const { config, logger } = setup();
  const keyring = loadKeyring(config, logger);
  const store = await openStore(config, logger, 'cli');
  const pool = new pg.Pool({ connectionString: store.url, max: 2, application_name: 'switchboard-rotate-master' });
  try {
    if (options.verify) {
      const report = await verifyKeyring(pool, keyring);
      print(report);
      if (report.outside_primary > 0 || report.unreadable.length > 0 || Object.keys(report.missing).length > 0) process.exitCode = 1;
      return;
    }
    const report = await rotateMasterKey({ pool, keyring, batchSize: Math.max(1, options.batch), dryRun: options.dryRun === true, logger });
    if (!options.dryRun && report.rewrapped > 0) await announceRotation(config, logger);
    print(report);
  } finally {
    await pool.end();
    await store.release();
  }
}

/** Adds `backup`, `restore` and `keys rotate-master` to the CLI. */
export function registerDataCommands(program: Command, keys: Command): void {
  program
    .command('backup')
    .description('Back up the database (pg_dump, or a row dump on the embedded default) with a manifest; see docs/ops.md')
    .option('--out <dir>', 'directory for backups (default DATA_DIR/backups)')
    .option('--schedule <cron>', 'keep running and back up on this five-field UTC cron schedule, e.g. "0 3 * * *"')
    .option('--keep-daily <n>', 'after each backup keep the newest backup of the last N days (default 7 with --schedule)', positiveInt('--keep-daily'))
    .option('--keep-weekly <n>', 'and of the last N ISO weeks (default 4 with --schedule)', positiveInt('--keep-weekly'))
    .option('--check-age <hours>', 'take no backup: exit 1 unless the newest backup is at most this old (26, 26h, 90m, 2d)')
    .action(backupCommand);
  program
    .command('restore')
    .description('Restore a backup directory into an empty database, then migrate it to this code')
    .argument('<dir>', 'a backup directory (holding manifest.json)')
    .option('--clean', 'drop everything in the target database first')
    .action(restoreCommand);
  keys
    .command('rotate-master')
    .description('Rewrap every data key under the primary SWITCHBOARD_MASTER_KEY (keys in SWITCHBOARD_MASTER_KEYS_PREVIOUS stay readable)')
    .option('--dry-run', 'only report what would be rewrapped')
    .option('--verify', 'count rows per master key and unwrap each; exit 1 unless all are under the primary')
    .option('--batch <n>', 'rows per transaction', positiveInt('--batch'), 100)
    .action(rotateCommand);
}
