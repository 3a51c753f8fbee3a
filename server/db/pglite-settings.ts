import { PGlite } from '@electric-sql/pglite'

/**
 * PGlite starts PostgreSQL with a server's defaults, and in WASM every page of shared memory is
 * zeroed, so resident: 128 MB of shared buffers alone. One process with one connection and a
 * small database reads through the OS page cache just as well; 16 MB keeps the catalog and the
 * hot rows, and leaves the WASM heap at its 128 MB minimum (of which ~30 MB is touched).
 */
export const PGLITE_START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=16MB']
