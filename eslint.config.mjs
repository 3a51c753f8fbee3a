// @ts-check
import withNuxt from './.nuxt/eslint.config.mjs'

export default withNuxt(
  {
    // Generated or built output: nothing here is written by hand.
    ignores: ['.output/**', '.nuxt/**', '.data/**', 'server/db/generated/**', 'coverage/**', '**/dist/**', 'test-results/**', 'bench/results/**'],
  },
  {
    rules: {
      // The project document and the stores keep entries in plain records keyed by id (JSON that is
      // saved, validated by zod and patched for undo), not Maps, so removing one is a delete by key.
      '@typescript-eslint/no-dynamic-delete': 'off',
    },
  },
)
