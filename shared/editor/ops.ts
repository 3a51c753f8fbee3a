/**
 * Document edits the editor performs, as plain functions on plain data. The editor store runs
 * them inside its recorded `apply`; each area lives in its own module.
 */
export * from './ids'
export * from './layers'
export * from './properties'
export * from './keyframes'
export * from './timecode'
export * from './masks'
export * from './mask-paths'
export * from './motion-path'
