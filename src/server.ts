// Opens the database, migrates it, bootstraps the admin and builds the HTTP app.
import { openDatabase, type Database } from './db/database.js';
import { migrate } from './db/migrate.js';
import { buildApp, type App } from './http/app.js';
import { defaultConfig, type AppConfig, type AppContext } from './core/context.js';
import { bootstrapAdmin } from './org/auth.js';
import { encryptLegacy, verifyKeys } from './privacy/store.js';

export interface PlatformOptions {
  databaseUrl?: string;
  dataDir?: string;
  adminPassword?: string;
  logger?: boolean;
  config?: Partial<AppConfig>;
}

export interface Platform {
  app: App;
  db: Database;
  /** The context the routes were built with: its order listeners keep projections and measures current. */
  ctx: AppContext;
  config: AppConfig;
  close(): Promise<void>;
}

export async function startPlatform(opts: PlatformOptions): Promise<Platform> {
  const db = await openDatabase({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir });
  try {
    await migrate(db);
    await verifyKeys(db);
    await encryptLegacy(db);
    await bootstrapAdmin(db, opts.adminPassword);
    const config = { ...defaultConfig, ...opts.config };
    const ctx: AppContext = { db, config, orderListeners: [] };
    const app = await buildApp(ctx, { logger: opts.logger });
    return {
      app,
      db,
      ctx,
      config,
      async close() {
        await app.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}
