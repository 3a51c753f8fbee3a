// @ts-check
import withNuxt from './.nuxt/eslint.config.mjs'

export default withNuxt(
  {
    // Generated or built output: nothing here is written by hand.
    ignores: ['.output/**', '.nuxt/**', '.data/**', 'server/db/generated/**', 'coverage/**', '**/dist/**', 'test-results/**', 'bench/results/**'],
  },
)
