import { readFile, readlink } from 'node:fs/promises'
import { hostname } from 'node:os'

/** Who a Lattice process is, as recorded in its Instance row. */
export interface ProcessIdentity {
  host: string
  pid: number
  /** Kernel boot id and pid namespace (Linux); null where they cannot be read. */
  machine: string | null
  /** Start time in clock ticks since boot (Linux); with the pid it names one process of one boot. */
  processStart: string | null
}

export async function currentProcess(): Promise<ProcessIdentity> {
  return { host: hostname(), pid: process.pid, machine: await machineId(), processStart: await startTicks(process.pid) }
}

/**
 * True only when `other` ran in this machine's pid namespace during this boot and its process no
 * longer exists (or its pid now belongs to a process that started at another time). Anything else
 * (another machine or container, no /proc) proves nothing, and the heartbeat decides.
 */
export async function provablyGone(other: { pid: number; machine: string | null; processStart: string | null }): Promise<boolean> {
  const machine = await machineId()
  if (!machine || other.machine !== machine) return false
  try {
    process.kill(other.pid, 0)
  } catch (error) {
    // EPERM: a process with that pid exists but belongs to another user.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return true
  }
  const now = await startTicks(other.pid)
  return now !== null && other.processStart !== null && now !== other.processStart
}

let cachedMachine: Promise<string | null> | undefined

function machineId(): Promise<string | null> {
  cachedMachine ??= (async () => {
    try {
      const boot = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim()
      const pidNamespace = await readlink('/proc/self/ns/pid')
      return `${boot}/${pidNamespace}`
    } catch {
      return null
    }
  })()
  return cachedMachine
}

async function startTicks(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // Field 22, counted after the command name, which is in parentheses and may contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null
  } catch {
    return null
  }
}
