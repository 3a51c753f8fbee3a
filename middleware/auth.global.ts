/**
 * Only /login and /render are open: everything else needs a session. `auth.me` is asked once per
 * page load. /render is the headless renderer: it holds no data and draws only what its caller
 * passes in (asset files it loads still need the caller's session).
 */
export default defineNuxtRouteMiddleware(async (to) => {
  if (to.path === '/render') return
  const session = useSessionStore()
  const user = await session.ensure().catch(() => null)
  if (to.path === '/login') {
    if (user) return navigateTo(safeRedirect(to.query.redirect))
    return
  }
  if (!user) return navigateTo({ path: '/login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } })
})
