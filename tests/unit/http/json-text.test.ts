import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createTRPCClient, httpBatchLink } from '@trpc/client'
import { initTRPC } from '@trpc/server'
import { fetchRequestHandler } from '@trpc/server/adapters/fetch'
import { createApp, defineEventHandler, toNodeListener } from 'h3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { spliceJsonTexts, type JsonText } from '../../../shared/json-text'
import { transformer } from '../../../shared/transformer'
import { memberValueStart } from '../../../server/trpc/json-span'
import { handleWithJsonText, jsonTextInput, jsonTextResult, takeInputText } from '../../../server/trpc/json-text'

const stored: JsonText<{ name: string; list: number[] }> = '{"name":"a \\"quoted\\" $& name \\\\","list":[1,2]}'

// A router shaped like the projects one: `get` answers with stored text, `save` reports what it received.
const t = initTRPC.create({ transformer })
const router = t.router({
  get: t.procedure.input(z.object({ id: z.string() })).query(({ input }) => jsonTextResult({ id: input.id, at: new Date(0) }, { document: stored })),
  save: t.procedure.input(z.object({ id: z.string(), document: z.unknown() })).mutation(({ input }) => {
    const { value, text } = jsonTextInput(input.document)
    return { value, text: text ?? null }
  }),
})

describe('JSON text through the tRPC HTTP handler', () => {
  let server: Server
  let client: ReturnType<typeof createTRPCClient<typeof router>>
  beforeAll(async () => {
    const app = createApp()
    app.use('/trpc', defineEventHandler((event) => handleWithJsonText(event, { save: 'document' }, (req) => fetchRequestHandler({ endpoint: '/trpc', router, req }))))
    server = createServer(toNodeListener(app)).listen(0, '127.0.0.1')
    await new Promise((done) => server.once('listening', done))
    client = createTRPCClient<typeof router>({ links: [httpBatchLink({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc`, transformer })] })
  })
  afterAll(() => new Promise<void>((done) => server.close(() => done())))

  it('answers with the stored text in place, which the client reads as the value', async () => {
    expect(await client.get.query({ id: 'p' })).toEqual({ id: 'p', at: new Date(0), document: JSON.parse(stored) })
  })

  it('hands a procedure the text of a field that closes the body, with its parsed value', async () => {
    const document = { name: 'shot "1"', nested: { list: [1, 2.5, -3e-7], flag: true }, text: 'lattice-json-text:x' }
    expect(await client.save.mutate({ id: 'p', document })).toEqual({ value: document, text: JSON.stringify(document) })
  })

  it('leaves inputs in any other shape to tRPC alone', async () => {
    const document = { a: 1 }
    // `document` first: the text cannot be shown to end where the body ends.
    expect(await client.save.mutate({ document, id: 'p' } as never)).toEqual({ value: document, text: null })
    // Two calls in one batch.
    const [one, two] = await Promise.all([client.save.mutate({ id: '1', document: [1] }), client.save.mutate({ id: '2', document: 'x' })])
    expect([one, two]).toEqual([{ value: [1], text: null }, { value: 'x', text: null }])
  })

  it('refuses a taken-out field that is not JSON, as tRPC refuses such a body', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trpc/save?batch=1`
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"0":{"id":"p","document":{"a":tru}}}' })
    expect(response.status).toBe(400)
  })

  it('parses the text for answers and inputs outside an HTTP exchange', () => {
    expect(jsonTextResult({ id: 'p' }, { document: stored })).toEqual({ id: 'p', document: JSON.parse(stored) })
    expect(jsonTextInput('lattice-json-text:not-this-request')).toEqual({ value: 'lattice-json-text:not-this-request' })
  })
})

describe('JSON spans', () => {
  it('finds where a member value starts, skipping members before it', () => {
    const body = '{"0":{"id":"a\\"}b","n":[1,{"x":"]"}],"flag":true,"document":{"k":1}}}'
    expect(body.slice(memberValueStart(body, ['0', 'document']))).toBe('{"k":1}}}')
    expect(memberValueStart(body, ['0', 'missing'])).toBe(-1)
    expect(memberValueStart('[1]', ['0'])).toBe(-1)
  })

  it('takes a field out only when its value ends where the body does', () => {
    const taken = new Map<string, string>()
    const body = '{"0":{"id":"p","document":{"a":[1,"}]\\"",2]}}}'
    const rewritten = takeInputText(body, 'document', true, taken)
    const [marker, text] = [...taken][0]!
    expect(text).toBe('{"a":[1,"}]\\"",2]}')
    expect(JSON.parse(rewritten)).toEqual({ 0: { id: 'p', document: marker } })
    expect(takeInputText('{"id":"p","document":[1]} ', 'document', false, taken)).toMatch(/^\{"id":"p","document":"lattice-json-text:[^"]+"\}$/)
    for (const other of ['{"0":{"document":{"a":1},"id":"p"}}', '{"0":{"id":"p","document":{"a":1}},"1":{}}', '{"0":{"id":"p","document":{"a":1}}', '{"0":{"id":"p"}}']) {
      expect(takeInputText(other, 'document', true, new Map())).toBe(other)
    }
  })

  it('swaps only the markers given, not look-alikes', () => {
    const body = JSON.stringify({ a: 'lattice-json-text:1', b: 'lattice-json-text:2', c: 'x lattice-json-text:1' })
    expect(JSON.parse(spliceJsonTexts(body, new Map([['lattice-json-text:1', '{"real":true}']])))).toEqual({ a: { real: true }, b: 'lattice-json-text:2', c: 'x lattice-json-text:1' })
  })
})
