/**
 * A problem with what the user gave us (a file, an argument, a config): reported as one
 * line, exit code 2, never with a stack trace unless --debug.
 */
export class InputError extends Error {
  constructor(
    message: string,
    /** The file concerned, when there is one. */
    readonly file?: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}
