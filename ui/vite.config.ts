import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

/** The API's paths, proxied to a running service by `npm run dev:ui` (API_V1_PREFIX empty). */
const API_PATHS = '^/(operators|sources|contacts|leads|stats|health)(/|$)'

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: '../dist/ui', emptyOutDir: true },
  server: { proxy: { [API_PATHS]: 'http://127.0.0.1:8000' } },
})
