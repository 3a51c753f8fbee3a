import type { RunningLattice } from './start'

/**
 * The process-wide Lattice instance. The Nitro plugin starts it; request handlers await it, so
 * requests that arrive during start-up (migrations, first PGlite initdb) wait instead of failing.
 */
let instance: Promise<RunningLattice> | null = null

export function provideLattice(starting: Promise<RunningLattice>): void {
  instance = starting
}

export function useLattice(): Promise<RunningLattice> {
  if (!instance) throw new Error('Lattice is not started: the server plugin did not run.')
  return instance
}
