// `npm test` runs this beside the type check, which leaves a core idle: the proxy test then finds
// the sub-path build ready instead of spending a minute or two of the test run on it.
import { ensureSubpathBuild } from './subpath-build'

await ensureSubpathBuild()
