// Public face of the error subsystem.
export { ErrorCodes, allErrorCodes, docsLink, SUBSYSTEM_RANGES } from './codes.js';
export type { ErrorCodeInfo, ErrorCodeName, Subsystem } from './codes.js';
export { ExitCode } from './exit-codes.js';
export type { Diagnostic, Severity, SourceLocation } from './diagnostic.js';
export { formatDiagnostic, formatLocation, hasErrors, sortDiagnostics, diagnosticToJson } from './diagnostic.js';
export { GasHammerError, isGasHammerError, asGasHammerError } from './gashammer-error.js';
