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
