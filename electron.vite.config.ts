import { resolve } from 'node:path';

import { defineConfig } from 'electron-vite';

import renderer from './renderer/vite.config';

// Electron is an optional dependency and often absent (CI, browser mode). electron-vite reads
// the installed Electron's version to pick build targets; without it, name the one we pin.
process.env.ELECTRON_MAJOR_VER ??= '41';

/** Builds main, preload and the window into out/, from our folders rather than src/. */
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve('main/electron/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload cannot require node_modules: bundle everything into one file.
      externalizeDeps: false,
      isolatedEntries: true,
      rollupOptions: {
        input: { index: resolve('preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    ...renderer,
    root: resolve('renderer'),
    build: {
      ...renderer.build,
      outDir: resolve('out/renderer'),
      rollupOptions: { input: { index: resolve('renderer/index.html') } },
    },
  },
});
