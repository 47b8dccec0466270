// The public surface of nsjoin: re-exports only.
export { NsError, ParseError } from './errors.js';
export type { NsErrorDetails } from './errors.js';
export type { NamespaceType } from './namespaces.js';
