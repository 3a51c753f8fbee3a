// Renders a project's main composition on the server to an H.264 video, 16-bit depth PNGs and
// the camera as full matrices, with a progress bar, and downloads the files.
//
//   LATTICE_URL=http://localhost:3000 LATTICE_TOKEN=lat_… npx tsx examples/export.ts <project id> [out folder]
import { createLatticeClient, LatticeExportError, LatticeHttpError, TRPCClientError } from 'lattice/client'

const token = process.env.LATTICE_TOKEN
const [projectId, out = 'export'] = process.argv.slice(2)
if (!token || !projectId) {
  console.error('Usage: LATTICE_TOKEN=lat_… [LATTICE_URL=http://localhost:3000] npx tsx examples/export.ts <project id> [out folder]')
  process.exit(2)
}
const lattice = createLatticeClient({ url: process.env.LATTICE_URL ?? 'http://localhost:3000', token })

function bar(fraction: number, width = 30): string {
  const filled = Math.round(fraction * width)
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`
}

try {
  const project = await lattice.api.projects.get.query({ id: projectId })
  const compositionId = project.document.mainCompositionId
  console.log(`exporting "${project.name}", composition ${compositionId}`)
  const controller = new AbortController()
  // Ctrl-C cancels the export on the server too.
  process.once('SIGINT', () => controller.abort(new Error('cancelled')))
  const { export: done, paths } = await lattice.exportComposition({
    projectId,
    compositionId,
    outputs: [
      { kind: 'video', format: 'h264' },
      { kind: 'sequence', format: 'png16', pass: { type: 'depth' } },
      { kind: 'camera', format: 'matrices' },
    ],
    downloadTo: out,
    signal: controller.signal,
    onProgress: ({ fraction, frame, frames, fps, etaSeconds }) => {
      const rate = fps ? ` ${fps} fps` : ''
      const left = etaSeconds !== null ? ` ${etaSeconds}s left` : ''
      process.stdout.write(`\r${bar(fraction)} frame ${frame}/${frames}${rate}${left}   `)
    },
  })
  process.stdout.write('\n')
  console.log(`done: ${done.frames} frames at ${done.width}×${done.height}`)
  for (const path of paths) console.log(`  ${path}`)
} catch (error) {
  process.stdout.write('\n')
  if (error instanceof LatticeExportError) {
    console.error(error.message)
    process.exit(1)
  }
  // Server messages say what to do: show them as they are.
  if (error instanceof TRPCClientError || error instanceof LatticeHttpError) {
    console.error(`${error instanceof LatticeHttpError ? error.code : error.data?.code}: ${error.message}`)
    process.exit(1)
  }
  throw error
}
