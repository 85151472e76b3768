/// <reference types="vitest/config" />
import { defineConfig } from "vite";

export default defineConfig({
  base: "./",
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
  },
  build: {
    outDir: "dist",
    target: "es2021",
    emptyOutDir: true,
    // Keep every asset as a file: the CSP allows no data: URLs.
    assetsInlineLimit: 0,
    // No modulepreload polyfill: it would be an inline script.
    modulePreload: { polyfill: false },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
