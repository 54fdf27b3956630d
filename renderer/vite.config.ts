import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The window's build, shared by electron-vite (electron.vite.config.ts) and by plain Vite
 * for browser mode (`vite build --config renderer/vite.config.ts`, run from the repo root),
 * so the station can build its window without Electron installed.
 */
export default defineConfig({
  root: 'renderer',
  // Relative asset paths: the same build loads from file:// (Electron) and http:// (browser).
  base: './',
  plugins: [react()],
  build: { outDir: '../out/renderer', emptyOutDir: true },
});
