/** A problem with the command line or environment: exit code 2, no report. */
export class UsageError extends Error {}
