// Style sheets are bundled by esbuild into the hashed app-*.css (scripts/build-ui.mjs).
declare module '*.css'
