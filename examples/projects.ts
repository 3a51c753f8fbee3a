// Creates a project, renames a copy of it, exports it to a .lattice.json file and lists projects.
//
//   LATTICE_URL=http://localhost:3000 LATTICE_TOKEN=lat_… npx tsx examples/projects.ts "My shot"
import { writeFile } from 'node:fs/promises'
import { createLatticeClient, TRPCClientError } from 'lattice/client'

const lattice = createLatticeClient({ url: process.env.LATTICE_URL ?? 'http://localhost:3000', token: process.env.LATTICE_TOKEN })
const name = process.argv[2] ?? 'Scripted shot'

try {
  const project = await lattice.api.projects.create.mutate({ name, width: 1024, height: 576, fps: 24, frameCount: 121 })
  const copy = await lattice.api.projects.duplicate.mutate({ id: project.id, name: `${name} (alt)` })
  const file = await lattice.api.projects.export.query({ id: project.id })
  const path = `${name.replace(/[^\w.-]+/g, '_')}.lattice.json`
  await writeFile(path, JSON.stringify(file, null, 2))
  console.log(`created ${project.id}, copied to ${copy.id}, exported to ${path}`)
  const { items } = await lattice.api.projects.list.query({ limit: 20 })
  for (const item of items) console.log(`${item.updatedAt.toISOString()}  ${item.name}`)
} catch (error) {
  // Server messages say what to do: show them as they are.
  if (error instanceof TRPCClientError) console.error(`${error.data?.code ?? 'ERROR'}: ${error.message}`)
  else throw error
  process.exit(1)
}
