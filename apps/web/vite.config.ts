import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const api = `http://127.0.0.1:${process.env.API_PORT ?? 3001}`;

// The workspace packages export TypeScript source; Vite compiles them with the app instead of pre-bundling them.
const workspacePackages = ['@holdspace/client', '@holdspace/domain', '@holdspace/protocol'];

export default defineConfig({
  plugins: [sveltekit()],
  server: {
    host: '127.0.0.1',
    port: Number(process.env.WEB_PORT ?? 5173),
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/socket.io': { target: api, ws: true, changeOrigin: false },
    },
  },
  preview: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/socket.io': { target: api, ws: true, changeOrigin: false },
    },
  },
  optimizeDeps: {
    exclude: workspacePackages,
    include: ['@holdspace/client > socket.io-client', '@holdspace/protocol > zod'],
  },
  ssr: {
    noExternal: workspacePackages,
  },
  build: {
    rolldownOptions: {
      // SvelteKit's own writeBundle step (the adapter writing build/) dominates the build; that is expected, not news.
      checks: { bundlerTimings: false },
    },
  },
});
