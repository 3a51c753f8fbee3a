import { mountSuspended } from '@nuxt/test-utils/runtime'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import GenerateCard from '~/components/generate/GenerateCard.vue'
import { useGenerationsStore } from '~/stores/generations'
import { useJobsStore } from '~/stores/jobs'
import { GENERATION_ID, generationsServer, JOB_ID, queuedGeneration } from './support/generations-server'
import { serveTrpc } from './support/trpc-stand-in'

/** The queue's first card, bound to the store the way the Generate page binds it. */
const FirstCard = defineComponent(() => {
  const generations = useGenerationsStore()
  return () => {
    const generation = generations.items[0]
    return generation ? h(GenerateCard, { generation, live: generations.live[generation.id] }) : null
  }
})

// Events cross a real SSE stream: wait until the store has folded them in.
const eventually = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 5 })

const OUTPUT = 'c0ffee00-0000-4000-8000-000000000001'

describe('generations store: progress from job events', () => {
  let server: ReturnType<typeof generationsServer>
  let stop: () => void
  let generations: ReturnType<typeof useGenerationsStore>
  let jobs: ReturnType<typeof useJobsStore>

  beforeEach(async () => {
    server = generationsServer()
    stop = serveTrpc(server.trpc)
    generations = useGenerationsStore()
    jobs = useJobsStore()
    await generations.load()
  })

  afterEach(() => {
    // Unsubscribes: the stand-in's stream sees the client leave.
    generations.reset()
    stop()
  })

  it('follows a generation that has not finished', async () => {
    expect(generations.items.map((item) => item.id)).toEqual([GENERATION_ID])
    expect(jobs.isFollowing(JOB_ID)).toBe(true)
    await eventually(() => expect(server.state.watches).toBe(1))
  })

  it('a queue position, then sampler steps, become the row\'s progress and the card\'s words', async () => {
    const card = await mountSuspended(FirstCard)
    expect(card.get('[data-testid="generation-card"]').text()).toContain('Waiting for a server')

    server.job.emit({ type: 'status', status: 'dispatched', attempt: 1 }, { type: 'progress', progress: 0, ahead: 2 })
    await eventually(() => expect(generations.items[0]!.progress.ahead).toBe(2))
    expect(generations.items[0]!.status).toBe('dispatched')
    expect(card.text()).toContain('Sent to ComfyUI')
    expect(card.text()).toContain('2 ahead')

    server.job.emit({ type: 'status', status: 'running', attempt: 1 }, { type: 'progress', progress: 0.4, node: '3', classType: 'KSampler', step: 8, max: 20 })
    await eventually(() => expect(generations.items[0]!.progress.fraction).toBe(0.4))
    // The detail is the latest event's: the queue position is gone once the sampler runs.
    expect(generations.items[0]!.progress).toEqual({ node: '3', classType: 'KSampler', step: 8, max: 20, fraction: 0.4 })
    expect(generations.items[0]!.status).toBe('running')
    expect(card.get('[data-testid="generation-status"]').text()).toBe('running')
    expect(card.text()).toContain('40% · step 8/20')
    expect(card.text()).not.toContain('ahead')

    server.job.emit({ type: 'progress', progress: 0.85, node: '3', classType: 'KSampler', step: 17, max: 20 })
    await eventually(() => expect(card.text()).toContain('85% · step 17/20'))
  })

  it('previews and log lines are live state beside the row; the card shows the latest preview', async () => {
    const card = await mountSuspended(FirstCard)
    server.job.emit(
      { type: 'status', status: 'running', attempt: 1 },
      { type: 'preview', node: '3', dataUrl: 'data:image/png;base64,AAAA' },
      { type: 'log', level: 'info', message: 'Sampling with euler' },
      { type: 'preview', node: '3', dataUrl: 'data:image/png;base64,BBBB' },
    )
    await eventually(() => expect(generations.live[GENERATION_ID]?.preview).toBe('data:image/png;base64,BBBB'))
    expect(generations.live[GENERATION_ID]?.message).toBe('Sampling with euler')
    expect(card.get('[data-testid="generation-preview"]').attributes('src')).toBe('data:image/png;base64,BBBB')
  })

  it('success reloads the row from the server, stops following, and the card shows the outputs instead of progress', async () => {
    const card = await mountSuspended(FirstCard)
    server.job.emit(
      { type: 'status', status: 'running', attempt: 1 },
      { type: 'progress', progress: 0.9, step: 18, max: 20 },
      { type: 'preview', dataUrl: 'data:image/png;base64,AAAA' },
      { type: 'outputs', assetIds: [OUTPUT] },
    )
    await eventually(() => expect(generations.items[0]!.outputs).toEqual([OUTPUT]))

    server.state.record = queuedGeneration({
      status: 'succeeded', progress: { fraction: 1 }, attempts: 1, outputs: [OUTPUT],
      startedAt: new Date('2026-03-01T10:00:01Z'), finishedAt: new Date('2026-03-01T10:00:13Z'), durationMs: 12_400,
    })
    server.job.emit({ type: 'status', status: 'succeeded', attempt: 1 })
    await eventually(() => expect(generations.items[0]!.durationMs).toBe(12_400))

    expect(generations.items[0]!.status).toBe('succeeded')
    expect(generations.items[0]!.finishedAt).toBeInstanceOf(Date)
    expect(jobs.isFollowing(JOB_ID)).toBe(false)
    expect(generations.live[GENERATION_ID]?.preview).toBeNull()
    expect(card.find('[data-testid="generation-progress"]').exists()).toBe(false)
    expect(card.find('[data-testid="generation-preview"]').exists()).toBe(false)
    expect(card.get('[data-testid="generation-output"]').attributes('src')).toBe(`/api/assets/${OUTPUT}/thumbnail`)
    expect(card.text()).toContain('12.4 s')
  })

  it('a failure shows the job\'s error on the row as soon as it arrives, then the row is reloaded', async () => {
    const card = await mountSuspended(FirstCard)
    const error = 'ComfyUI ran out of GPU memory; lower the size or the batch and retry.'
    server.state.record = queuedGeneration({ status: 'failed', error, errorKind: 'comfy', attempts: 1, finishedAt: new Date('2026-03-01T10:00:05Z') })
    const release = server.holdReloads()
    server.job.emit({ type: 'status', status: 'running', attempt: 1 }, { type: 'status', status: 'failed', attempt: 1, error })

    // Before the reload answers, the row already says what the event said.
    await eventually(() => expect(generations.items[0]!.status).toBe('failed'))
    expect(generations.items[0]!.error).toBe(error)
    expect(generations.items[0]!.errorKind).toBeNull()
    expect(card.get('[data-testid="generation-error"]').text()).toBe(error)
    expect(card.find('[data-testid="generation-retry"]').exists()).toBe(true)
    expect(card.find('[data-testid="generation-progress"]').exists()).toBe(false)

    release()
    await eventually(() => expect(generations.items[0]!.errorKind).toBe('comfy'))
    expect(jobs.isFollowing(JOB_ID)).toBe(false)
  })
})
