/** A reason the server cannot start that the user can fix (port taken, data dir locked, bad setting): one line, exit code 2. */
export class StartupError extends Error {
  override name = "StartupError";
}
