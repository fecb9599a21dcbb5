/**
 * Known errors: the CLI prints them as one line (input and reason, plus a hint) and exits
 * with code 2. Anything else is a bug and keeps its stack.
 */
export class UsageError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An input that cannot be read at all (missing, unreadable, not a bundle). */
export class InputError extends Error {
  constructor(readonly input: string, readonly reason: string, readonly hint?: string) {
    super(`${input}: ${reason}`);
    this.name = 'InputError';
  }
}
