import type { z } from 'zod'

/** `compositions.main.layers[2].transform` from zod's path segments. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$-]*$/.test(segment)) out += out ? `.${segment}` : segment
    else out += `[${JSON.stringify(String(segment))}]`
  }
  return out || '(document)'
}

/** zod's generic prefix adds nothing once the path says where the problem is. */
function shortMessage(message: string): string {
  return message.replace(/^Invalid input: /, '')
}

/**
 * One line per zod issue, `path: message`, joined with "; ", keeping the first `max` and
 * counting the rest, e.g. `compositions.main.layers[2].transform.opacity.value: expected
 * number, received string`.
 */
export function formatZodIssues(error: z.ZodError, max = 5): string {
  const shown = error.issues.slice(0, max).map((issue) => `${formatIssuePath(issue.path)}: ${shortMessage(issue.message)}`)
  const hidden = error.issues.length - shown.length
  return hidden > 0 ? `${shown.join('; ')}; and ${hidden} more` : shown.join('; ')
}
