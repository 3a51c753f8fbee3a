import { isLink, type Workflow } from '../../shared/comfy/workflow'

/**
 * How many progress steps a node is expected to report, read from its inputs before it runs: a
 * sampler's `steps` (KSampler and the pack variants that take a `latent_image`), the slice a
 * `KSamplerAdvanced` runs, or the `steps` of the scheduler whose sigmas a custom sampler takes.
 * Any other node counts as one step, so a run's progress follows where its time goes rather than
 * its node count. The first `progress` message of a node replaces the estimate with its real count.
 */
export function plannedSteps(workflow: Workflow, node: string): number {
  const inputs = workflow[node]?.inputs
  // A scheduler has `steps` too but runs in an instant: only a node that denoises a latent samples.
  if (!inputs || !('latent_image' in inputs)) return 1
  const steps = wholeNumber(inputs.steps)
  if (steps !== undefined) {
    const start = wholeNumber(inputs.start_at_step) ?? 0
    const end = Math.min(steps, wholeNumber(inputs.end_at_step) ?? steps)
    return Math.max(1, end - start)
  }
  const sigmas = inputs.sigmas
  if (isLink(sigmas) && typeof sigmas[0] === 'string') return Math.max(1, wholeNumber(workflow[sigmas[0]]?.inputs.steps) ?? 1)
  return 1
}

function wholeNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined
}
