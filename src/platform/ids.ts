import { monotonicFactory, isValid } from 'ulid';

const next = monotonicFactory();

/** A new ULID: 26 Crockford base32 characters, sortable by creation time. */
export const newId = (): string => next();

export const isUlid = (value: string): boolean => value.length === 26 && isValid(value);
