/** A point on the viewport, in composition pixels: client pixels from `element`'s corner over `scale`. */
export function framePoint(event: { clientX: number; clientY: number }, element: Element, scale: number): [number, number] {
  const rect = element.getBoundingClientRect()
  return [(event.clientX - rect.left) / scale, (event.clientY - rect.top) / scale]
}

/**
 * Drags of the handles drawn over the viewport (transform, mask, motion path): follows the
 * pointer from a press until it is released, then closes the undo step the drag's live edits
 * made. A press that travels less than `threshold` screen pixels makes no move at all.
 */
export function useCanvasDrag() {
  const editor = useEditorStore()

  function drag(event: PointerEvent, move: (e: PointerEvent) => void, options: { threshold?: number; done?: (moved: boolean) => void } = {}): void {
    if (event.button !== 0) return
    // No preventDefault: the press must still move focus off inputs, so keys reach the editor.
    event.stopPropagation()
    ;(document.activeElement as HTMLElement | null)?.blur?.()
    const threshold = options.threshold ?? 0
    const x0 = event.clientX
    const y0 = event.clientY
    let moved = false
    const onMove = (e: PointerEvent) => {
      if (!moved && Math.hypot(e.clientX - x0, e.clientY - y0) < threshold) return
      moved = true
      move(e)
    }
    const onUp = () => {
      window.removeEventListener('pointermove', onMove)
      window.removeEventListener('pointerup', onUp)
      options.done?.(moved)
      editor.sealHistory()
    }
    window.addEventListener('pointermove', onMove)
    window.addEventListener('pointerup', onUp)
  }

  return { drag }
}
