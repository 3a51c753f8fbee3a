import { defineConfig } from 'prisma/config'

// Only `prisma generate` is run by the project; migrations are applied by server/db/migrate.ts.
// A URL is given for the CLI's other commands where the native engine exists.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/lattice' },
})
