// Password policy for new and changed passwords.
import { badRequest } from '../core/errors.js';

export const MIN_PASSWORD_LENGTH = 10;

/** At least 10 characters with at least one letter and one digit. */
export function checkPasswordPolicy(password: string, field = 'password'): void {
  if (password.length < MIN_PASSWORD_LENGTH || !/\p{L}/u.test(password) || !/\p{Nd}/u.test(password)) {
    throw badRequest('auth.passwordPolicy', { min: MIN_PASSWORD_LENGTH }, field);
  }
}
