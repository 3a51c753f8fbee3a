import { setFlagsFromString } from 'node:v8'

/**
 * PGlite (PostgreSQL) and Prisma's query compiler are WebAssembly. V8 compiles it with Liftoff,
 * its baseline compiler, then recompiles functions that run hot with TurboFan. PostgreSQL's boot
 * and the first queries make thousands of functions hot at once: TurboFan then competes with the
 * start for the CPU and keeps ~100 MB of optimised code resident (startup bench: 331 → 194 MB
 * idle on PGlite, 183 → 120 MB on PostgreSQL, where only Prisma's compiler is WebAssembly). With
 * Liftoff alone small queries run as fast and the latency and throughput benches do not move
 * beyond their noise; multi-megabyte statements timed alone in PGlite take up to ~1.8× as long.
 *
 * Must run before the first WebAssembly module is compiled: the flag is read at compile time.
 * LATTICE_WASM_OPTIMIZE=1 keeps V8's default (TurboFan for hot code).
 */
export function limitWasmTiering(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.LATTICE_WASM_OPTIMIZE?.trim() === '1') return false
  setFlagsFromString('--liftoff-only')
  return true
}
