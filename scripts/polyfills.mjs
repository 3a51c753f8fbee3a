// Node 20 lacks Map.groupBy, which vitest 5's reporter calls when it prints a failure.
if (typeof Map.groupBy !== 'function') {
  Map.groupBy = (items, keyOf) => {
    const groups = new Map()
    let i = 0
    for (const item of items) {
      const key = keyOf(item, i++)
      if (!groups.has(key)) groups.set(key, [])
      groups.get(key).push(item)
    }
    return groups
  }
}
