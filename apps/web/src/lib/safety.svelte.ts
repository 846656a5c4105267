import { SafetyFeed } from '@holdspace/client';
import { alertKey, mergeAlerts, type ClinicAlert } from '@holdspace/domain';
import { api } from './api';

const same = (a: ClinicAlert, b: ClinicAlert) => alertKey(a) === alertKey(b);

/** "Jordan Ellis (River)": the person's name, and the display names their cohorts know them by. */
export function alertWho(alert: ClinicAlert): string {
  const names = alert.person.cohorts.map((c) => c.displayName).filter((n, i, all) => all.indexOf(n) === i && n !== alert.person.name);
  return names.length === 0 ? alert.person.name : `${alert.person.name} (${names.join(', ')})`;
}

const urgencyWords = { 1: 'Urgent', 2: 'Soon', 3: 'Note' } as const;
/** The word an alert is headed with: Crisis, Urgent, Soon or Note. */
export const alertLevel = (a: Pick<ClinicAlert, 'kind' | 'urgency'>) => (a.kind === 'crisis' ? 'Crisis' : urgencyWords[a.urgency]);

/**
 * One alert in one sentence, as the banner, the dialogs and screen readers say it:
 * "Jordan Ellis (River) answered PHQ-9 question 9 “Thoughts that you would be better off dead…”: Several days";
 * "River asked for support after Dosing circle closed"; "River: Asked for support".
 */
export function alertSentence(alert: ClinicAlert): string {
  if (alert.answer) return `${alertWho(alert)} ${alert.detail}`;
  if (alert.afterClose) return `${alert.person.name} asked for support after ${alert.circle?.title ?? 'the circle'} closed`;
  return `${alert.person.name}: ${alert.detail}`;
}

/**
 * The safety alerts open for this clinician, live (CRS1). One feed per page session: the push brings a new alert the
 * moment it is raised; the list over HTTP is the record, fetched again on every (re)connect and when the page is
 * looked at again, so alerts raised while away, and those acknowledged by a colleague, are caught up.
 */
class SafetyAlerts {
  /** Open alerts, newest first. */
  open = $state<ClinicAlert[]>([]);
  /** ALR3: alerts acknowledged since this page loaded, by anyone on any screen: pages that loaded them open drop them. */
  acknowledgedLive = $state<ClinicAlert[]>([]);
  /** CARE2: calls for support from people under care after their circle closed, newest first. */
  care = $state<ClinicAlert[]>([]);
  /** Everything open that needs a clinician: what the banner counts. */
  get count(): number {
    return this.open.length + this.care.length;
  }
  /** The latest news for screen readers: alerts that arrived while this page was open. */
  announcement = $state('');
  /** True once the open list has been fetched. */
  loaded = $state(false);

  #feed: SafetyFeed | null = null;
  /** Alerts already shown on this page (by id): only others are news. Bookkeeping, not state. */
  #seen: Record<string, true> = {};
  #refreshing: Promise<void> | null = null;
  #fetchedAt = 0;
  /** Alerts pushed since the last fetch began: a fetch answered just before one was raised must not drop it. */
  #arrivals: ClinicAlert[] = [];

  get running(): boolean {
    return this.#feed !== null;
  }

  start(): void {
    if (this.#feed) return;
    this.#feed = new SafetyFeed({
      onAlert: (alert) => {
        this.#arrivals.push(alert);
        this.#add([alert]);
      },
      onAcknowledged: (alert) => this.acknowledged(alert),
      onCareAlert: (alert) => {
        this.care = [alert, ...this.care.filter((a) => !same(a, alert))];
        this.announcement = `Asked for support after the circle closed: ${alert.person.name}, ${alert.circle?.title ?? ''}.`;
      },
      onCareAcknowledged: (alert) => this.careAcknowledged(alert),
      onConnect: () => void this.refresh(),
    });
  }

  stop(): void {
    this.#feed?.close();
    this.#feed = null;
    this.open = [];
    this.acknowledgedLive = [];
    this.care = [];
    this.announcement = '';
    this.loaded = false;
    this.#seen = {};
    this.#arrivals = [];
    this.#fetchedAt = 0;
  }

  /**
   * Fetch the open list again (HTTP is the record): drops alerts acknowledged elsewhere, adds any missed. With
   * `olderThanMs`, only when the list is at least that old: every read of alerts is audited, so moving between pages
   * does not ask each time.
   */
  refresh(olderThanMs = 0): Promise<void> {
    if (!this.#feed) return Promise.resolve();
    if (olderThanMs > 0 && Date.now() - this.#fetchedAt < olderThanMs) return Promise.resolve();
    this.#fetchedAt = Date.now();
    const mark = this.#arrivals.length;
    this.#refreshing ??= Promise.all([api.safetyAlerts('open'), api.careAlerts()])
      .then(([result, care]) => {
        if (care.ok && this.#feed) this.care = care.data;
        if (!result.ok || !this.#feed) return;
        const first = !this.loaded;
        const pushedMeanwhile = this.#arrivals.splice(0, this.#arrivals.length).slice(mark);
        this.open = mergeAlerts(result.data, pushedMeanwhile).filter((a) => !a.acknowledgement);
        this.loaded = true;
        // What was open when the page loaded is on the banner already; it is not news.
        if (first) for (const a of result.data) this.#seen[a.id] = true;
        else this.#announce(result.data);
      })
      .finally(() => {
        this.#refreshing = null;
      });
    return this.#refreshing;
  }

  /** An alert acknowledged, here or by anyone elsewhere (ALR3): it leaves the open list at once, on every page. */
  acknowledged(alert: ClinicAlert): void {
    this.#seen[alert.id] = true;
    this.open = this.open.filter((a) => a.id !== alert.id);
    this.acknowledgedLive = mergeAlerts(this.acknowledgedLive, [alert]);
  }

  /**
   * ALR3: acknowledges an alert for the clinic, from whichever screen: a crisis (here or its copy on a dashboard) as
   * the clinic's safety alert, with what was done; a call for support after the close, with an optional note. Every
   * list here drops it at once; the push tells every other clinician.
   */
  async acknowledge(alert: ClinicAlert, note: string | undefined): Promise<{ ok: true; alert: ClinicAlert } | { ok: false; message: string }> {
    const result = alert.safetyAlertId
      ? await api.acknowledgeSafetyAlert(alert.safetyAlertId, { note: note ?? '' })
      : await api.acknowledgeCareAlert(alert.circle?.id ?? '', alert.id, note ? { note } : {});
    if (!result.ok) return { ok: false, message: result.message };
    if (alert.safetyAlertId) this.acknowledged(result.data);
    else this.careAcknowledged(result.data);
    return { ok: true, alert: result.data };
  }

  careAcknowledged(alert: ClinicAlert): void {
    this.care = this.care.filter((a) => !same(a, alert));
  }

  #add(alerts: ClinicAlert[]): void {
    const fresh = alerts.filter((a) => !a.acknowledgement);
    if (fresh.length === 0) return;
    this.open = mergeAlerts(this.open, fresh).filter((a) => !a.acknowledgement);
    this.#announce(fresh);
  }

  #announce(alerts: readonly ClinicAlert[]): void {
    const news = alerts.filter((a) => !a.acknowledgement && !this.#seen[a.id]);
    for (const a of news) this.#seen[a.id] = true;
    if (news.length === 0) return;
    this.announcement = news.map((a) => `Safety alert: ${alertSentence(a)}.`).join(' ');
  }
}

export const safety = new SafetyAlerts();
