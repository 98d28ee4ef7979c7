import type { Config } from '../config.js';
import type { Logger } from '../platform/logger.js';
import { openEmbeddedDatabase, type EmbeddedRole } from './embedded-postgres.js';

export interface StoreLocation {
  url: string;
  kind: 'external' | 'embedded';
  /** Stops the embedded server if this process owns it; otherwise nothing. */
  release(): Promise<void>;
}

/** PostgreSQL at DATABASE_URL, else the embedded server on DATA_DIR (started, or borrowed from a running server). */
export async function openStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>, logger: Logger, role: EmbeddedRole): Promise<StoreLocation> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, kind: 'external', release: async () => undefined };
  }
  const embedded = await openEmbeddedDatabase({ dataDir: config.dataDir, role, logger });
  return { url: embedded.url, kind: 'embedded', release: () => embedded.stop() };
}
