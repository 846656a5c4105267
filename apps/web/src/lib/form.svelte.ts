import { tick } from 'svelte';
import { fieldIssues, type Failure, type FieldIssue } from '@holdspace/protocol';

/** The part of a protocol (zod) schema a form needs: checking a value. */
export interface Checkable<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false; error: Parameters<typeof fieldIssues>[0] };
}

/** Field errors keyed by the field's path inside the request body: `email`, `program.2.startsAt`. */
export type FieldErrors = Record<string, string>;

/**
 * `body.program.2.startsAt` (from the server) and `program.2.startsAt` (from a schema checked in the browser) both
 * name the same field; the first message for a field wins.
 */
export function errorsFrom(issues: readonly FieldIssue[] | undefined): FieldErrors {
  const found: FieldErrors = {};
  for (const issue of issues ?? []) {
    const path = issue.path.replace(/^body\.?/, '') || '(body)';
    found[path] ??= issue.message;
  }
  return found;
}

/** What a Field hands to its control: the id its label points at, and the invalid state and description. */
export interface FieldControl {
  id: string;
  'aria-invalid': 'true' | undefined;
  'aria-describedby': string | undefined;
}

/** Moves focus to the first field marked invalid (a group's first option), once the errors are on the page. */
export async function focusFirstInvalid(form: HTMLElement | null | undefined): Promise<void> {
  await tick();
  const first = form?.querySelector<HTMLElement>('[aria-invalid="true"], [data-invalid="true"]');
  if (!first) return;
  const target = first.matches('input, select, textarea, button') ? first : first.querySelector<HTMLElement>('input, select, textarea, button');
  (target ?? first).focus();
}

/**
 * What one form shows while it is filled in and sent: field errors next to their fields, and one message for the
 * form as a whole (what the server said, or a pointer to the fields).
 */
export class FormState {
  errors = $state<FieldErrors>({});
  message = $state<string | null>(null);
  busy = $state(false);

  /** The error for one field, if any. */
  error(path: string): string | undefined {
    return this.errors[path];
  }

  /** A field was changed: its old error no longer applies. */
  clear(path: string): void {
    if (path in this.errors) delete this.errors[path];
  }

  reset(): void {
    this.errors = {};
    this.message = null;
  }

  /** Checks a value against a protocol schema in the browser; field errors on failure. */
  check<T>(schema: Checkable<T>, value: unknown): T | null {
    const parsed = schema.safeParse(value);
    if (parsed.success) {
      this.errors = {};
      return parsed.data;
    }
    this.errors = errorsFrom(fieldIssues(parsed.error));
    this.message = null;
    return null;
  }

  /**
   * A refused request: issues go beside their fields (those this form shows), and the message says what to do. Returns
   * true when at least one field error is shown.
   */
  failed(result: Failure, shown?: (path: string) => boolean): boolean {
    const errors = errorsFrom(result.issues);
    const visible = Object.fromEntries(Object.entries(errors).filter(([path]) => !shown || shown(path)));
    this.errors = visible;
    const count = Object.keys(visible).length;
    if (count > 0 && count === Object.keys(errors).length) {
      this.message = count === 1 ? 'Please check the highlighted field.' : 'Please check the highlighted fields.';
    } else {
      this.message = result.message;
    }
    return count > 0;
  }
}
