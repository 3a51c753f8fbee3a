import { isTerminalJobStatus, type JobEvent, type JobProgressDetail, type JobStatus } from './jobs'

/** What a job's events say about it so far: the one derivation the stores and scripts share. */
export interface JobProgress {
  jobId: string
  status: JobStatus
  attempt: number
  /** 0..1 over the whole job. */
  progress: number
  detail: JobProgressDetail
  /** The latest error (kept while the job retries; cleared when it succeeds). */
  error: string | null
  /** The latest log line. */
  message: string | null
  /** The latest preview image (a data URL), cleared when the job ends. */
  preview: string | null
  /** Assets the job produced, once it announced them. */
  outputs: string[] | null
  result: Record<string, unknown> | null
}

export function initialJobProgress(jobId: string, status: JobStatus = 'queued'): JobProgress {
  return { jobId, status, attempt: 0, progress: 0, detail: {}, error: null, message: null, preview: null, outputs: null, result: null }
}

/**
 * Folds one event into what is known of the job. A replayed log (a retried job streams its
 * earlier attempts first) folds to the same state as one followed live.
 */
export function applyJobEvent(state: JobProgress, event: JobEvent): void {
  switch (event.type) {
    case 'status':
      state.status = event.status
      state.attempt = event.attempt
      if (event.error) state.error = event.error
      if (event.status === 'queued' && event.attempt === 0) {
        // Queued anew (created, or retried by the user): nothing of an earlier run applies.
        Object.assign(state, { progress: 0, detail: {}, error: null, message: null, preview: null, outputs: null, result: null })
      }
      if (event.status === 'succeeded') Object.assign(state, { progress: 1, error: null })
      if (isTerminalJobStatus(event.status)) state.preview = null
      break
    case 'progress': {
      const { type: _type, progress, ...detail } = event
      state.progress = progress
      state.detail = detail
      break
    }
    case 'preview':
      state.preview = event.dataUrl
      break
    case 'log':
      state.message = event.message
      break
    case 'error':
      state.error = event.message
      break
    case 'outputs':
      state.outputs = event.assetIds
      break
    case 'result':
      state.result = event.result
      break
  }
}
