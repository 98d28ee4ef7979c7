/** Client-side checks mirroring the server's (8–1024 character passwords); the server still decides. */
import * as z from 'zod/mini';

export const PASSWORD_RULES = 'At least 8 characters. Long passphrases are welcome (up to 1024 characters).';

const email = z.string().check(z.trim(), z.minLength(1, 'Enter your email address.'), z.maxLength(320, 'That address is too long.'), z.email('Enter a valid email address, like name@example.com.'));
const newPassword = z.string().check(z.minLength(8, 'The password needs at least 8 characters.'), z.maxLength(1024, 'The password can have at most 1024 characters.'));

export const loginSchema = z.object({ email, password: z.string().check(z.minLength(1, 'Enter your password.')) });
export const signupSchema = z.object({ email, password: newPassword });
export const emailSchema = z.object({ email });
export const resetSchema = z.object({ password: newPassword });

/** Search params: `next` only as a same-origin path (no `//host` open redirect). */
export const loginSearch = z.object({ next: z.optional(z.string()) });
export const tokenSearch = z.object({ token: z.optional(z.string()) });

export function safeNext(next: string | undefined): string | undefined {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return undefined;
  if (next.startsWith('/login') || next.startsWith('/signup')) return undefined;
  return next;
}
