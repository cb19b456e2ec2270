/**
 * Errors the user can fix (bad input, missing files) carry exit code 1 and a one-line
 * message; everything else is an internal error (exit code 2).
 */
export class UserError extends Error {
  override readonly name = 'UserError';
}

/** The addon marks its errors with a code; map them onto the two kinds. */
export function isUserError(error: unknown): boolean {
  if (error instanceof UserError) return true;
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 'E_MADNIS_USER'
  );
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Write failures the user fixes on their side: the storage is full or cannot be written. */
const STORAGE_FAILURES: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
};

/**
 * A write to `path` that failed because the storage is full (or read-only) becomes the
 * user's one-line error, naming the file and what to do; any other error is returned as it is.
 */
export function storageError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (error instanceof UserError || !code || !(code in STORAGE_FAILURES)) return error;
  return new UserError(`cannot write ${path}: ${STORAGE_FAILURES[code]} (${code}); free some space or write elsewhere (--out), then run again`, { cause: error });
}

/** An error of storageError (or a raw one it would convert). */
export function isStorageError(error: unknown): boolean {
  const raw = error instanceof UserError ? error.cause : error;
  const code = (raw as NodeJS.ErrnoException | undefined)?.code;
  return Boolean(code && code in STORAGE_FAILURES);
}
