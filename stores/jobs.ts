import type { Unsubscribable } from '@trpc/server/observable'
import type { JobEvent, JobStatus } from '~~/shared/jobs'
import { applyJobEvent, initialJobProgress, type JobProgress } from '~~/shared/job-progress'

export interface FollowOptions {
  /** What the caller already knows (e.g. a generation's status from the list). */
  status?: JobStatus
  /** Each event, after it was folded into the job's state. */
  onEvent?: (event: JobEvent, job: JobProgress) => void
  /** Once, when the job ended or its stream stopped. */
  onEnd?: (job: JobProgress | undefined) => void
}

/**
 * Live state of every job the app follows (asset processing, generations, …), from the one
 * `jobs.watch` stream: the one place the UI derives progress. Other stores follow a job here and
 * read its state back.
 */
export const useJobsStore = defineStore('jobs', () => {
  const { $trpc } = useNuxtApp()
  /** Keyed by job id. */
  const live = ref<Record<string, JobProgress>>({})
  const subscriptions = new Map<string, Unsubscribable>()

  /** Follows a job until it ends; following one already followed does nothing. */
  function follow(jobId: string, options: FollowOptions = {}): void {
    if (subscriptions.has(jobId)) return
    // A fresh state each time: the stream replays the job's log from the start.
    live.value[jobId] = initialJobProgress(jobId, options.status)
    let ended = false
    const end = () => {
      if (ended) return
      ended = true
      stop(jobId)
      options.onEnd?.(live.value[jobId])
    }
    const subscription = $trpc.jobs.watch.subscribe({ jobId }, {
      onData: ({ data }) => {
        const job = live.value[jobId]
        if (!job) return
        applyJobEvent(job, data.event)
        options.onEvent?.(data.event, job)
      },
      onError: (failure) => {
        const job = live.value[jobId]
        if (job) job.error = errorMessage(failure)
        end()
      },
      onComplete: end,
    })
    if (ended) subscription.unsubscribe()
    else subscriptions.set(jobId, subscription)
  }

  function stop(jobId: string): void {
    subscriptions.get(jobId)?.unsubscribe()
    subscriptions.delete(jobId)
  }

  /** Stops following and drops what is known of the job. */
  function forget(jobId: string): void {
    stop(jobId)
    delete live.value[jobId]
  }

  function isFollowing(jobId: string): boolean {
    return subscriptions.has(jobId)
  }

  function reset(): void {
    for (const subscription of subscriptions.values()) subscription.unsubscribe()
    subscriptions.clear()
    live.value = {}
  }

  return { live, follow, stop, forget, isFollowing, reset }
})
