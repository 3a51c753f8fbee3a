import type { Ref } from 'vue'

/**
 * A form in a modal: its fields reset to `blank()` (then `prefill`) each time the modal opens,
 * a pending flag for the submit button, and the server's refusal shown inside the form rather
 * than as a toast, so the user can correct it without losing what they typed.
 */
export function useDialogForm<T extends object>(open: Ref<boolean>, blank: () => T, prefill?: (state: T) => void) {
  const state = reactive(blank()) as T
  const pending = ref(false)
  const failure = ref<string | null>(null)

  watch(open, (isOpen) => {
    if (!isOpen) return
    Object.assign(state, blank())
    prefill?.(state)
    failure.value = null
  })

  /** Runs the action; the modal closes when it succeeds and shows its error when it fails. */
  async function submit(action: () => Promise<void>): Promise<boolean> {
    failure.value = null
    pending.value = true
    try {
      await action()
      open.value = false
      return true
    } catch (error) {
      failure.value = errorMessage(error)
      return false
    } finally {
      pending.value = false
    }
  }

  /** A problem found before anything is sent. */
  function refuse(message: string): void {
    failure.value = message
  }

  return { state, pending, failure, submit, refuse }
}
