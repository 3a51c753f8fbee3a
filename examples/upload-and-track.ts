// Uploads media files as assets, follows their processing jobs, and prints what was stored.
//
//   LATTICE_URL=http://localhost:3000 LATTICE_TOKEN=lat_… npx tsx examples/upload-and-track.ts clip.mp4 plate.png
import { createLatticeClient } from 'lattice/client'

const url = process.env.LATTICE_URL ?? 'http://localhost:3000'
const token = process.env.LATTICE_TOKEN
if (!token) {
  console.error('Set LATTICE_TOKEN to an API token (Settings → API tokens).')
  process.exit(2)
}
const files = process.argv.slice(2)
if (files.length === 0) {
  console.error('Name one or more files to upload.')
  process.exit(2)
}

const lattice = createLatticeClient({ url, token })
for (const file of files) {
  const { asset, jobId, deduplicated } = await lattice.uploadAsset(file)
  console.log(`${asset.name}: ${asset.kind}, ${deduplicated ? 'already uploaded' : 'uploaded'} as ${asset.id}`)
  if (jobId) {
    const status = await lattice.waitForJob(jobId, ({ event }) => {
      if (event.type === 'progress') console.log(`  ${event.stage ?? 'processing'} ${Math.round(event.progress * 100)}%`)
    })
    console.log(`  processing ${status}`)
  }
  const stored = await lattice.api.assets.get.query({ id: asset.id })
  console.log(`  ${stored.status}: ${JSON.stringify(stored.metadata)}`)
}
