// esbuild bundles imported CSS into the page's .css file; for the type checker it is just a side effect.
declare module '*.css';
