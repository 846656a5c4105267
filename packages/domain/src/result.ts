/** A rule the domain refused, with the SPEC.md rule id that refused it. */
export interface RuleViolation {
  ok: false;
  rule: string;
  message: string;
}

export type Decision<T> = { ok: true; value: T } | RuleViolation;

export const allow = <T>(value: T): Decision<T> => ({ ok: true, value });
export const refuse = (rule: string, message: string): RuleViolation => ({ ok: false, rule, message });
