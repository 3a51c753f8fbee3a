import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server'
import type { AppRouter } from '~~/server/trpc/routers'

/** What every procedure returns and takes, straight from the server's router. */
export type RouterOutputs = inferRouterOutputs<AppRouter>
export type RouterInputs = inferRouterInputs<AppRouter>

export type SessionUser = NonNullable<RouterOutputs['auth']['me']>
export type ProjectListItem = RouterOutputs['projects']['list']['items'][number]
export type ProjectDetail = RouterOutputs['projects']['get']
export type ProjectFile = RouterOutputs['projects']['export']
export type ProjectImportResult = RouterOutputs['projects']['import']
export type ProjectCreateInput = RouterInputs['projects']['create']
export type AssetInfo = RouterOutputs['assets']['get']
export type AssetKind = AssetInfo['kind']
export type ApiToken = RouterOutputs['tokens']['list'][number]
export type CreatedToken = RouterOutputs['tokens']['create']
export type UserRow = RouterOutputs['users']['list'][number]
export type UserCreateInput = RouterInputs['users']['create']
export type ExportInfo = RouterOutputs['export']['get']
export type ExportCreateInput = RouterInputs['export']['create']
export type ExportPreset = RouterOutputs['export']['presets'][number]

interface ErrorShape {
  message: string
  data?: { code?: string; zodError?: { formErrors: string[]; fieldErrors: Record<string, string[] | undefined> } | null; details?: Record<string, unknown> | null } | null
}

function asErrorShape(error: unknown): ErrorShape | null {
  if (typeof error !== 'object' || error === null || !('message' in error)) return null
  return error as ErrorShape
}

/** The tRPC error code (`CONFLICT`, `UNAUTHORIZED`, …) or the upload route's `data.code`, if any. */
export function errorCode(error: unknown): string | undefined {
  const code = asErrorShape(error)?.data?.code
  return typeof code === 'string' ? code : undefined
}

/** Machine-readable extras the server attached (e.g. `currentRevision` on a save conflict). */
export function errorDetails(error: unknown): Record<string, unknown> {
  return asErrorShape(error)?.data?.details ?? {}
}

const NETWORK_FAILURE = /failed to fetch|networkerror|<no response>|load failed|fetch failed/i

/**
 * A sentence to show users. Server messages are written for them; input validation errors are
 * reduced to their messages; a dropped connection says so.
 */
export function errorMessage(error: unknown): string {
  const shape = asErrorShape(error)
  if (!shape) return String(error)
  const zod = shape.data?.zodError
  if (zod) {
    const messages = [...zod.formErrors, ...Object.values(zod.fieldErrors).flatMap((each) => each ?? [])]
    if (messages.length > 0) return messages.join(' ')
  }
  if (NETWORK_FAILURE.test(shape.message)) return 'Cannot reach the Lattice server. Check that it is running and try again.'
  return shape.message || 'Something went wrong.'
}

/** `url` from the API (relative to the app) as a browser URL, honouring a sub-path deployment. */
export function appUrl(path: string): string {
  const base = useRuntimeConfig().app.baseURL.replace(/\/$/, '')
  return path.startsWith('/') ? `${base}${path}` : path
}

/** When `error` says the session has ended, sends the user to sign in again. Returns whether it did. */
export function reportUnauthorized(error: unknown): boolean {
  if (errorCode(error) !== 'UNAUTHORIZED') return false
  useSessionStore().expired()
  return true
}

/** Shows an operation's failure as a toast. Returns the message for inline use too. */
export function useErrorToast() {
  const toast = useToast()
  return (title: string, error: unknown): string => {
    if (reportUnauthorized(error)) return errorMessage(error)
    const description = errorMessage(error)
    toast.add({ title, description, color: 'error', icon: 'i-lucide-circle-alert' })
    return description
  }
}
export type TemplateListItem = RouterOutputs['comfy']['templates']['list'][number]
export type TemplateDetail = RouterOutputs['comfy']['templates']['get']
export type TemplateField = TemplateDetail['parameters'][number]
export type WorkflowInspection = RouterOutputs['comfy']['workflows']['inspect']
export type UploadedWorkflow = RouterOutputs['comfy']['workflows']['get']
export type GenerationInfo = RouterOutputs['comfy']['generations']['get']
export type ComfyServerList = RouterOutputs['comfy']['servers']['list']
export type ComfyServer = ComfyServerList['servers'][number]
export type ComfyServerInput = RouterInputs['comfy']['servers']['add']
export type ComfyServerChanges = RouterInputs['comfy']['servers']['update']
