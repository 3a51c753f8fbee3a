// Generates the Prisma client without the native schema engine.
// `prisma generate` never runs the engine, but the CLI insists on resolving one first and would
// otherwise try to download it from outside the npm registry.
import { execFileSync } from 'node:child_process'

const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/false', PRISMA_HIDE_UPDATE_MESSAGE: '1' }
execFileSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env })
