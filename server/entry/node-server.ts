// The server entry: Nitro's node-server entry, with Lattice's header limit and clear answers to
// requests the HTTP parser refuses (client-errors.ts). Everything else is as Nitro starts it.
import '#nitro-internal-pollyfills'
import { Server as HttpServer, type ServerOptions } from 'node:http'
import { Server as HttpsServer } from 'node:https'
import wsAdapter from 'crossws/adapters/node'
import destr from 'destr'
import { toNodeListener } from 'h3'
import { useNitroApp, useRuntimeConfig } from 'nitropack/runtime'
import { setupGracefulShutdown, startScheduleRunner, trapUnhandledNodeErrors } from 'nitropack/runtime/internal/index'
import { answerClientErrors, MAX_HEADER_BYTES } from './client-errors'

const cert = process.env.NITRO_SSL_CERT
const key = process.env.NITRO_SSL_KEY
const nitroApp = useNitroApp()
const options: ServerOptions = { maxHeaderSize: MAX_HEADER_BYTES }
const server = cert && key ? new HttpsServer({ ...options, key, cert }, toNodeListener(nitroApp.h3App)) : new HttpServer(options, toNodeListener(nitroApp.h3App))
answerClientErrors(server)

const configuredPort = destr<number | string | undefined>(process.env.NITRO_PORT || process.env.PORT)
const port = configuredPort === 0 ? 0 : configuredPort || 3000
const host = process.env.NITRO_HOST || process.env.HOST
const socketPath = process.env.NITRO_UNIX_SOCKET
const listener = server.listen(socketPath ? { path: socketPath } : { port: Number(port), host }, () => {
  const address = listener.address()
  if (typeof address === 'string') {
    console.log(`Listening on unix socket ${address}`)
    return
  }
  if (!address) return
  const protocol = cert && key ? 'https' : 'http'
  const baseURL = (useRuntimeConfig().app.baseURL || '').replace(/\/$/, '')
  console.log(`Listening on ${protocol}://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}${baseURL}`)
})
trapUnhandledNodeErrors()
setupGracefulShutdown(listener, nitroApp)
if (import.meta._websocket) {
  const { handleUpgrade } = wsAdapter(nitroApp.h3App.websocket)
  server.on('upgrade', handleUpgrade)
}
if (import.meta._tasks) startScheduleRunner()

export default {}
