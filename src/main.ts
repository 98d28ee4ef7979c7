/**
 * The `switchboard` CLI: `serve`, `worker`, `migrate`, `users create`, `keys generate`. Every command works
 * on the embedded default and on DATABASE_URL; on the embedded default the CLI borrows the
 * database a running server owns, or starts and stops it itself.
 */
import { Command, Option } from 'commander';
import { createAccountsService } from './accounts/accounts.service.js';
import { createAccountsStore } from './accounts/accounts.store.js';
import { createAccessTokens } from './accounts/tokens.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createAuditLog } from './platform/audit.js';
import { systemClock } from './platform/clock.js';
import { isAppError } from './platform/errors.js';
import { registerDataCommands } from './ops/data-commands.js';
import { createLogger, type Logger } from './platform/logger.js';
import { packageVersion } from './platform/package-info.js';
import { startServer } from './server.js';
import cluster from 'node:cluster';
import { runClusterPrimary } from './cluster.js';
import { startWorker } from './worker.js';
import { connectDatabase } from './store/db.js';
import { runMigrations } from './store/migrate.js';
import { openStore } from './store/open-store.js';
import { generateMasterKey, loadKeyring } from './vault/keyring.js';

/**
 * `serve` logs to stdout like any service; one-shot commands log to stderr so that their stdout
 * carries only their result (JSON a script can parse).
 */
function setup(options: { logLevel?: string; oneShot?: boolean } = {}): { config: Config; logger: Logger } {
  const config = loadConfig(options.logLevel ? { ...process.env, LOG_LEVEL: options.logLevel } : process.env);
  const logger = createLogger({ level: config.logLevel, ...(options.oneShot ? { destination: process.stderr } : {}) });
  return { config, logger };
}

/** Open the store for a one-shot command, run `fn`, and always release what was started. */
async function withStore<T>(config: Config, logger: Logger, fn: (url: string) => Promise<T>): Promise<T> {
  const store = await openStore(config, logger, 'cli');
  try {
    return await fn(store.url);
  } finally {
    await store.release();
  }
}

async function serveCommand(options: { workers?: string }): Promise<void> {
  const { config, logger } = setup();
  const workers = options.workers === undefined ? config.workers : Number(options.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new ConfigError([`--workers: must be a whole number from 1 to 64 (got "${options.workers}")`]);
  if (workers > 1 && cluster.isPrimary) {
    const primary = await runClusterPrimary(config, logger, workers);
    let signals = 0;
    const stopCluster = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) process.exit(1);
      void primary.shutdown(signal).then((code) => {
        logger.info({ code }, 'cluster stopped');
        logger.flush();
        process.exit(code);
      });
    };
    process.on('SIGTERM', stopCluster);
    process.on('SIGINT', stopCluster);
    return;
  }
  // A cluster worker is reloaded by its primary; a hangup sent to the whole process group must not kill it.
  if (cluster.isWorker) process.on('SIGHUP', () => undefined);
  const running = await startServer(config, logger);
  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    running.shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function workerCommand(): Promise<void> {
  const { config, logger } = setup();
  const running = await startWorker(config, logger);
  let signals = 0;
  const stop = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) process.exit(1);
    running.shutdown(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'worker shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function migrateCommand(): Promise<void> {
  const { config, logger } = setup({ logLevel: process.env.LOG_LEVEL ?? 'warn', oneShot: true });
  const result = await withStore(config, logger, (url) => runMigrations(url));
  process.stdout.write(`migrations: ${result.applied} applied, ${result.total} total\n`);
}

async function createUserCommand(options: { email: string; password: string; admin?: boolean }): Promise<void> {
  const { config, logger } = setup({ logLevel: process.env.LOG_LEVEL ?? 'warn', oneShot: true });
  const keyring = loadKeyring(config, logger);
  const user = await withStore(config, logger, async (url) => {
    if (config.migrateOnStart) await runMigrations(url);
    const database = connectDatabase(url, { maxConnections: 2, applicationName: 'switchboard-cli' });
    try {
      const accounts = createAccountsService({
        db: database.db,
        store: createAccountsStore(database.db),
        tokens: createAccessTokens(keyring, config.accessTokenTtlSeconds),
        audit: createAuditLog(database.db),
        clock: systemClock,
        refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
      });
      return await accounts.createUser({ email: options.email, password: options.password, isAdmin: options.admin === true, verified: true });
    } finally {
      await database.close();
    }
  });
  process.stdout.write(`${JSON.stringify(user)}\n`);
}

const program = new Command()
  .name('switchboard')
  .description('Switchboard: a multi-tenant AI gateway. Configuration comes from the environment (see docs/configuration.md).')
  .version(packageVersion(), '-v, --version')
  .showHelpAfterError();

program
  .command('serve')
  .description('Serve the management API (/api) and the AI gateway (/v1) on PORT (default 8080)')
  .option('--workers <n>', 'HTTP worker processes (node:cluster when above 1); default SWITCHBOARD_WORKERS or 1')
  .action(serveCommand);
program.command('worker').description('Run queued jobs (video generation) from the queue on Redis (needs REDIS_URL; without it serve runs jobs)').action(workerCommand);
program.command('migrate').description('Apply pending database migrations (under an advisory lock)').action(migrateCommand);

const users = program.command('users').description('Manage users');
users
  .command('create')
  .description('Create a verified user (for operators and scripts)')
  .requiredOption('--email <email>', 'email address')
  .addOption(new Option('--password <password>', 'password (at least 8 characters); or set SWITCHBOARD_PASSWORD').env('SWITCHBOARD_PASSWORD').makeOptionMandatory())
  .option('--admin', 'make the user a platform admin')
  .action(createUserCommand);

const keys = program.command('keys').description('Master keys');
keys
  .command('generate')
  .description('Print a new random master key (32 bytes, base64) for SWITCHBOARD_MASTER_KEY')
  .action(() => {
    process.stdout.write(`${generateMasterKey()}\n`);
  });
registerDataCommands(program, keys);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  if (isAppError(error)) {
    process.stderr.write(`switchboard: ${error.publicMessage}\n`);
    process.exit(1);
  }
  process.stderr.write(`switchboard: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
