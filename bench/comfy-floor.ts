/**
 * The floor for Lattice's generation numbers: a bare script talking to the same ComfyUI stand-ins
 * directly, with the prompt Lattice sent. It opens one socket per server, POSTs /prompt under its
 * own id, waits for `executing {node: null}`, reads /history and streams the outputs from /view
 * to disk. No database, queue, server choice, events or asset ingest: what Lattice adds is the
 * difference.
 */
import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import WebSocket from 'ws'
import type { ComfyStandIn } from '../tests/comfy/stand-in/server'
import { percentile } from './stats'

type Prompt = Record<string, { class_type: string; inputs: Record<string, unknown> }>

export interface BareComfyResult {
  dispatch: { p50: number; p99: number }
  completion: { p50: number; p99: number }
  perSecond: number
}

/** One socket to a stand-in that resolves each prompt's `executing {node: null}`. */
async function connect(standIn: ComfyStandIn) {
  const clientId = randomUUID().replace(/-/g, '')
  const socket = new WebSocket(`${standIn.url.replace(/^http/, 'ws')}/ws?clientId=${clientId}`)
  await new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject) })
  const waiting = new Map<string, () => void>()
  socket.on('message', (data, isBinary) => {
    if (isBinary) return
    const message = JSON.parse(String(data)) as { type: string; data: { node?: string | null; prompt_id?: string } }
    if (message.type === 'executing' && message.data.node === null && message.data.prompt_id) waiting.get(message.data.prompt_id)?.()
  })
  return { clientId, socket, finished: (promptId: string) => new Promise<void>((resolve) => waiting.set(promptId, resolve)) }
}

/** Submits, waits for the end, downloads every output; returns when the prompt was sent and when its files were on disk. */
async function runBare(standIn: ComfyStandIn, link: Awaited<ReturnType<typeof connect>>, prompt: Prompt, dir: string): Promise<{ promptId: string; sentAt: number; doneAt: number }> {
  const promptId = randomUUID()
  const finished = link.finished(promptId)
  const sentAt = performance.now()
  const response = await fetch(`${standIn.url}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt, client_id: link.clientId, prompt_id: promptId }) })
  if (!response.ok) throw new Error(`POST /prompt answered ${response.status}: ${await response.text()}`)
  await finished
  const history = await (await fetch(`${standIn.url}/history/${promptId}`)).json() as Record<string, { outputs: Record<string, { images?: Array<{ filename: string; subfolder: string; type: string }> }> }>
  for (const output of Object.values(history[promptId]?.outputs ?? {})) {
    for (const image of output.images ?? []) {
      const query = new URLSearchParams({ filename: image.filename, subfolder: image.subfolder, type: image.type })
      const file = await fetch(`${standIn.url}/view?${query}`)
      await pipeline(Readable.fromWeb(file.body as never), createWriteStream(join(dir, `${promptId}-${image.filename}`)))
    }
  }
  return { promptId, sentAt, doneAt: performance.now() }
}

/** `prompt` is a workflow as Lattice sent it; each run gets its own seed so nothing is cached. */
export async function measureBareComfy(standIns: ComfyStandIn[], prompt: Prompt, options: { samples: number; throughputCount: number }): Promise<BareComfyResult> {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-bench-comfy-'))
  const links = await Promise.all(standIns.map(connect))
  const sampler = Object.keys(prompt).find((id) => 'seed' in prompt[id]!.inputs)
  let seed = 500_000
  const fresh = (): Prompt => {
    const copy = structuredClone(prompt)
    if (sampler) copy[sampler]!.inputs.seed = seed++
    return copy
  }
  try {
    const dispatch: number[] = []
    const completion: number[] = []
    for (let i = 0; i < options.samples; i++) {
      const run = await runBare(standIns[0]!, links[0]!, fresh(), dir)
      dispatch.push(standIns[0]!.queuedAt.get(run.promptId)! - run.sentAt)
      completion.push(run.doneAt - standIns[0]!.executor.finishedAt.get(run.promptId)!)
    }
    const start = performance.now()
    await Promise.all(Array.from({ length: options.throughputCount }, (_, i) => runBare(standIns[i % standIns.length]!, links[i % links.length]!, fresh(), dir)))
    const seconds = (performance.now() - start) / 1000
    return {
      dispatch: { p50: percentile(dispatch, 50), p99: percentile(dispatch, 99) },
      completion: { p50: percentile(completion, 50), p99: percentile(completion, 99) },
      perSecond: options.throughputCount / seconds,
    }
  } finally {
    for (const link of links) link.socket.close()
    await rm(dir, { recursive: true, force: true })
  }
}
