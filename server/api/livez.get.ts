import { defineEventHandler } from 'h3'

/** Liveness without touching the database (the process answers); `system.health` checks the database too. */
export default defineEventHandler(() => ({ status: 'ok' }))
