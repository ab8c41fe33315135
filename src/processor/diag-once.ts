// The warn-once helper lives in src/diag.ts; this path is kept for code written against it.
export { DiagOnce } from '../diag.js';
