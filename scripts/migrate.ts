// `npm run migrate`: applies pending migrations to the configured database without starting the
// server (the server also migrates at start-up; this is for deploy pipelines and checks).
import { databaseConfigFromEnv } from '../server/db/config'
import { openDatabase } from '../server/db/connect'
import { applyMigrations, loadMigrationsFromDir } from '../server/db/migrate'

async function main() {
  const config = databaseConfigFromEnv()
  const db = await openDatabase(config)
  try {
    const report = await applyMigrations(db.sql, await loadMigrationsFromDir('prisma/migrations'))
    const where = config.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL server'
    console.info(report.applied.length > 0
      ? `Applied ${report.applied.join(', ')} to the ${where}.`
      : `The ${where} is up to date (${report.alreadyApplied} migration(s) applied earlier).`)
  } finally {
    await db.close()
  }
}

main().catch((error: Error) => {
  console.error(`Migration failed: ${error.message}`)
  process.exit(1)
})
