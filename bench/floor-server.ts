/**
 * The floors' HTTP server: node:http with nothing else, run as its own process like Lattice so
 * neither shares the load generator's event loop. Prints `FLOOR_PORT=<port>` when listening.
 *
 *   GET  /health          a constant JSON body (BENCH_HEALTH_BODY), like a health check answer
 *   GET  /blob?bytes=N    N bytes of JSON-ish filler, like a large query result
 *   POST /sink            reads the whole body, answers `{}`, like a large mutation
 */
import { createServer } from 'node:http'

const healthBody = Buffer.from(process.env.BENCH_HEALTH_BODY ?? '{"status":"ok"}')
const blobs = new Map<number, Buffer>()

function blob(bytes: number): Buffer {
  let body = blobs.get(bytes)
  if (!body) {
    body = Buffer.alloc(bytes, '{"value":[640.5,360.25,0],"frame":12},')
    blobs.set(bytes, body)
  }
  return body
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://floor')
  if (req.method === 'GET' && url.pathname === '/health') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': healthBody.length })
    res.end(healthBody)
  } else if (req.method === 'GET' && url.pathname === '/blob') {
    const body = blob(Math.max(0, Math.min(64 * 1024 * 1024, Number(url.searchParams.get('bytes')) || 0)))
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
    res.end(body)
  } else if (req.method === 'POST' && url.pathname === '/sink') {
    let received = 0
    req.on('data', (chunk: Buffer) => { received += chunk.length })
    req.on('end', () => {
      const body = Buffer.from(JSON.stringify({ received }))
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
      res.end(body)
    })
  } else {
    res.writeHead(404).end()
  }
})
server.keepAliveTimeout = 60_000
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  console.log(`FLOOR_PORT=${typeof address === 'object' && address ? address.port : 0}`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
