// The start-up bench's floors: the least a process must do to answer a health check. Plain
// JavaScript run by plain `node` (no tsx), so the floor carries nothing Lattice does not.
//
//   node bench/startup-floor.mjs http                  node:http, no database
//   node bench/startup-floor.mjs pglite <dir>          opens PGlite on <dir> (initdb when new), then node:http
//   node bench/startup-floor.mjs postgres <url>        connects with `pg`, then node:http
//
// GET /health answers {"status":"ok"} after `SELECT 1`. Listens on PORT; BENCH_PGLITE_PARAMS
// (JSON) are PGlite's start parameters, the ones Lattice uses, so the floor runs the same engine.
import { createServer } from 'node:http'

const [mode, target] = process.argv.slice(2)

async function openDatabase() {
  if (mode === 'pglite') {
    const { PGlite } = await import('@electric-sql/pglite')
    const startParams = process.env.BENCH_PGLITE_PARAMS ? JSON.parse(process.env.BENCH_PGLITE_PARAMS) : undefined
    const db = await PGlite.create(target, startParams ? { startParams } : {})
    return { query: (sql) => db.query(sql), close: () => db.close() }
  }
  if (mode === 'postgres') {
    const { default: pg } = await import('pg')
    const pool = new pg.Pool({ connectionString: target, max: 2 })
    await pool.query('SELECT 1')
    return { query: (sql) => pool.query(sql), close: () => pool.end() }
  }
  if (mode === 'http') return null
  throw new Error(`unknown floor mode "${mode}"`)
}

const db = await openDatabase()
const server = createServer(async (req, res) => {
  if (req.url !== '/health') return res.writeHead(404).end()
  if (db) await db.query('SELECT 1')
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}')
})
server.listen(Number(process.env.PORT), '127.0.0.1')
process.on('SIGTERM', () => server.close(async () => {
  await db?.close()
  process.exit(0)
}))
