/** Only /login is open: everything else needs a session. `auth.me` is asked once per page load. */
export default defineNuxtRouteMiddleware(async (to) => {
  const session = useSessionStore()
  const user = await session.ensure().catch(() => null)
  if (to.path === '/login') {
    if (user) return navigateTo(safeRedirect(to.query.redirect))
    return
  }
  if (!user) return navigateTo({ path: '/login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } })
})
