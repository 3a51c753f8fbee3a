/** A camera trajectory file, ready to store: its text and what to call and serve it as. */
export interface CameraFile {
  /** Without the dot. */
  extension: string
  mime: string
  text: string
}

export function jsonFile(value: unknown): CameraFile {
  return { extension: 'json', mime: 'application/json', text: `${JSON.stringify(value, null, 2)}\n` }
}

export function textFile(lines: string[]): CameraFile {
  // Ends with exactly one newline: the Python readers split on lines and would choke on an empty last one.
  return { extension: 'txt', mime: 'text/plain', text: `${lines.join('\n')}\n` }
}
