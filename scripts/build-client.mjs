// Builds the typed client as a package a script outside this repository can install:
//   node scripts/build-client.mjs [--out DIR]     (default: client/dist)
// The folder gets ESM and CommonJS bundles with @trpc/client and eventsource inside (installing it
// needs no registry), and one self-contained declaration file whose AppRouter is the server's.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { build } from 'esbuild'
import { rollup } from 'rollup'
import { dts } from 'rollup-plugin-dts'
import ts from 'typescript'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const ENTRY = join(ROOT, 'client/index.ts')
const NODE_TARGET = 'node20.19'

const { values } = parseArgs({ options: { out: { type: 'string', default: join(ROOT, 'client/dist') } } })
const out = resolve(values.out)

/** Emits a declaration file for the client and every module its types reach, into `dir`. */
function emitDeclarations(dir) {
  const unreadable = (diagnostic) => { throw new Error(`tsconfig.json: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`) }
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: unreadable })
  const options = { ...config.options, noEmit: false, declaration: true, emitDeclarationOnly: true, declarationMap: false, outDir: dir, rootDir: ROOT }
  const program = ts.createProgram({ rootNames: [ENTRY], options })
  const result = program.emit()
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics]
  if (diagnostics.length) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' }
    throw new Error(`The client does not compile:\n${ts.formatDiagnostics(diagnostics, host)}`)
  }
}

/**
 * The procedures' context (database, queue, services) exists only on the server and a client never
 * sees it; its declarations would drag Prisma, pg-boss and onnxruntime into the package. Each of its
 * exports becomes an opaque object type instead.
 */
function opaqueServerContext(declarationsDir) {
  const contextFile = join(declarationsDir, 'server/trpc/context.d.ts')
  const STUB = '\0lattice-server-context.d.ts'
  return {
    name: 'lattice-opaque-server-context',
    async resolveId(source, importer) {
      if (!importer || !source.startsWith('.')) return null
      return resolve(dirname(importer), source) === contextFile.replace(/\.d\.ts$/, '') ? STUB : null
    },
    async load(id) {
      if (id !== STUB) return null
      const real = await readFile(contextFile, 'utf8')
      const names = [...real.matchAll(/^export (?:declare )?(?:interface|type|function|const|class) (\w+)/gm)].map((m) => m[1])
      return names.map((name) => `export type ${name} = object\n`).join('')
    },
  }
}

/** Bare imports in the emitted declarations resolve as they would from the sources, in this repository's node_modules. */
function resolveFromRepository(declarationsDir) {
  const anchor = join(ROOT, 'client/index.ts')
  return {
    name: 'lattice-resolve-from-repository',
    async resolveId(source, importer) {
      if (!importer?.startsWith(declarationsDir) || source.startsWith('.') || source.startsWith('\0')) return null
      return this.resolve(source, anchor, { skipSelf: true })
    },
  }
}

/** One declaration file with everything inlined, so a user's tsc needs nothing but this package. */
async function bundleDeclarations(declarationsDir) {
  const problems = []
  const bundle = await rollup({
    input: join(declarationsDir, 'client/index.d.ts'),
    plugins: [opaqueServerContext(declarationsDir), resolveFromRepository(declarationsDir), dts({ respectExternal: true })],
    // Server modules that are read but whose Node types never reach an export; a leak shows as an import below.
    external: (id) => id.startsWith('node:'),
    onwarn: (warning) => problems.push(warning.message),
  })
  const { output } = await bundle.generate({ format: 'es' })
  await bundle.close()
  const code = output[0].code
  const imports = code.match(/^import .*$/gm) ?? []
  if (problems.length || imports.length) {
    throw new Error(`The client's declarations are not self-contained:\n${[...problems, ...imports].join('\n')}`)
  }
  return code
}

/** The ESM and CommonJS bundles, with the runtime dependencies inside; returns the bundled packages' folders. */
async function bundleJavaScript() {
  // keepNames: bundling renames clashing classes (TRPCClientError → TRPCClientError2), and errors show their class's name.
  const common = { entryPoints: [ENTRY], bundle: true, platform: 'node', target: NODE_TARGET, keepNames: true, logLevel: 'warning', metafile: true, legalComments: 'none' }
  const esm = await build({ ...common, format: 'esm', outfile: join(out, 'index.js') })
  await build({ ...common, format: 'cjs', outfile: join(out, 'index.cjs') })
  const packages = new Set()
  for (const input of Object.keys(esm.metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input)
    if (match) packages.add(resolve(ROOT, match[1]))
  }
  return [...packages].sort()
}

/** The bundled packages' licences, which travel with their code. */
async function writeLicences(packageDirs) {
  const sections = []
  for (const dir of packageDirs) {
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'))
    const text = await readFile(join(dir, 'LICENSE'), 'utf8').catch(() => readFile(join(dir, 'LICENSE.md'), 'utf8')).catch(() => `${pkg.license}`)
    sections.push(`## ${pkg.name} ${pkg.version}\n\n${text.trim()}\n`)
  }
  await writeFile(join(out, 'THIRD-PARTY-LICENSES.md'), `# Bundled packages\n\nThis package includes code from:\n\n${sections.join('\n')}`)
}

async function writeManifest() {
  const app = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8'))
  const manifest = {
    name: '@lattice/client',
    version: app.version,
    description: 'Typed client for Lattice scripts: every tRPC procedure, uploads, downloads and job progress',
    type: 'module',
    engines: app.engines,
    sideEffects: false,
    main: './index.cjs',
    types: './index.d.ts',
    exports: {
      '.': {
        import: { types: './index.d.ts', default: './index.js' },
        require: { types: './index.d.cts', default: './index.cjs' },
      },
      './package.json': './package.json',
    },
  }
  await writeFile(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
}

const declarationsDir = await mkdtemp(join(tmpdir(), 'lattice-client-declarations-'))
try {
  emitDeclarations(declarationsDir)
  const declarations = await bundleDeclarations(declarationsDir)
  await rm(out, { recursive: true, force: true })
  await mkdir(out, { recursive: true })
  await writeFile(join(out, 'index.d.ts'), declarations)
  // The same declarations for `require`, so TypeScript types CommonJS callers without complaint.
  await writeFile(join(out, 'index.d.cts'), declarations)
  await writeLicences(await bundleJavaScript())
  await writeManifest()
  await cp(join(ROOT, 'client/README.md'), join(out, 'README.md'))
  console.log(`[build-client] ${relative(process.cwd(), out) || '.'}: @lattice/client ready (npm install it, or npm pack there)`)
} finally {
  await rm(declarationsDir, { recursive: true, force: true })
}
