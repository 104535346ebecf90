/** Conversions between what the two databases return and what the API promises. */

export function toIso(value: Date | string): string {
  return value instanceof Date ? value.toISOString() : value
}

export function toIsoOrNull(value: Date | string | null): string | null {
  return value === null ? null : toIso(value)
}

export function toFlag(value: boolean): 0 | 1 {
  return value ? 1 : 0
}

export function nowIso(): string {
  return new Date().toISOString()
}
