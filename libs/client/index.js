'use strict';
/*
 * The package's entry: its exports copied into plain data properties. tsc compiles `export * from`
 * into getters that all share one `m[k]` load, so every call across the package boundary paid a
 * megamorphic lookup (5–8 % of the broker's event loop on batched sends). The modules have no
 * import cycles and export no reassigned bindings, so the copy taken once they are loaded is final.
 */
module.exports = Object.defineProperty({ ...require('./dist/index.js') }, '__esModule', { value: true });
