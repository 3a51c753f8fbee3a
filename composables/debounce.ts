import type { WatchSource } from 'vue'

/** Calls `callback` once `source` has stopped changing for `ms` (e.g. a search box). */
export function watchDebouncedInput<T>(source: WatchSource<T>, callback: (value: T) => void, ms = 250): void {
  let timer: ReturnType<typeof setTimeout> | undefined
  watch(source, (value) => {
    clearTimeout(timer)
    timer = setTimeout(() => callback(value), ms)
  })
  onScopeDispose(() => clearTimeout(timer))
}
