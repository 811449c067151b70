import { UsageError } from '../core/errors.js';

/** Flag values arrive as strings; these turn them into checked numbers with a one-line complaint. */
export function wholeNumber(flag: string, value: string | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be a whole number >= ${min} (got "${value}")`);
  return n;
}

export function positiveNumber(flag: string, value: string | undefined, fallback: number): number;
export function positiveNumber(flag: string, value: string | undefined, fallback?: number): number | undefined;
export function positiveNumber(flag: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} must be a number > 0 (got "${value}")`);
  return n;
}

export function fraction(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n <= 1)) throw new UsageError(`--${flag} must be a fraction above 0 and at most 1 (got "${value}")`);
  return n;
}

/** "1,2,4,8" → [1, 2, 4, 8]: distinct whole numbers >= 1, sorted. */
export function sizeList(flag: string, value: string | undefined, fallback: readonly number[]): number[] {
  if (value === undefined) return [...fallback];
  const parts = value.split(',').map((s) => s.trim());
  const sizes = parts.map(Number);
  if (parts.length === 0 || parts.some((p) => p === '') || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new UsageError(`--${flag} must be a comma-separated list of whole numbers >= 1, like 1,2,4,8 (got "${value}")`);
  }
  return [...new Set(sizes)].sort((a, b) => a - b);
}

export function choiceList<T extends string>(flag: string, value: string | undefined, allowed: readonly T[], fallback: readonly T[]): T[] {
  if (value === undefined) return [...fallback];
  const picked = value.split(',').map((s) => s.trim());
  const bad = picked.filter((p) => !(allowed as readonly string[]).includes(p));
  if (bad.length > 0 || picked.length === 0) throw new UsageError(`--${flag} takes ${allowed.join(', ')} (got "${value}")`);
  return picked as T[];
}
