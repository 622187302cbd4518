/** `help` or `--help`: the usage goes to stdout; exit code 0. */
export class HelpRequested extends Error {}

/** The command line was called wrong: its message, if any, and the usage go to stderr; exit code 2. */
export class UsageError extends Error {}

/** A failure the operator can act on that no domain rule names (a user nobody has, mistyped passwords): exit 1. */
export class Failure extends Error {}
