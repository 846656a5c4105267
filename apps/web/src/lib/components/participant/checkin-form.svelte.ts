import type { CommandAck, Result } from '@holdspace/protocol';
import type { Checked } from '$lib/checkin';
import { focusFirstInvalid } from '$lib/form.svelte';

/** What a check-in form shows besides its fields: the errors beside them, and the server's refusal in its words. */
export class CheckinForm {
  errors = $state<Partial<Record<string, string>>>({});
  refusal = $state<string | null>(null);

  /** Sends the answers once they are complete; otherwise shows what is missing and moves focus to it. */
  async save<T>(checked: Checked<T>, form: HTMLElement | undefined, send: (value: T) => Promise<Result<CommandAck>>): Promise<void> {
    if (!checked.ok) {
      this.errors = checked.errors;
      await focusFirstInvalid(form);
      return;
    }
    this.errors = {};
    this.refusal = null;
    const result = await send(checked.value);
    if (result.ok) return;
    this.refusal = result.message;
    // TXT1: a field the server refused (a broken character, say) is shown beside that field.
    for (const issue of result.issues ?? []) {
      const field = issue.path.replace(/^command\./, '');
      if (field && !field.includes('.')) this.errors[field] = issue.message;
    }
  }

  /** A field was changed: its old error no longer applies. */
  clear(field: string): void {
    delete this.errors[field];
  }
}
