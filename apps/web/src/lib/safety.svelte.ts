import { SafetyFeed } from '@holdspace/client';
import { instruments } from '@holdspace/domain';
import type { CareAlert, SafetyAlert } from '@holdspace/protocol';
import { api } from './api';

const sameCare = (a: CareAlert, b: CareAlert) => a.circleId === b.circleId && a.alertId === b.alertId;

/** Newest first. */
const newestFirst = (a: SafetyAlert, b: SafetyAlert) => b.raisedAt.localeCompare(a.raisedAt) || a.id.localeCompare(b.id);

/**
 * One list from several copies of the same alerts (the page's load, the live feed, answers to acknowledging): one
 * entry per alert, the acknowledged copy winning (acknowledging cannot be undone), newest first.
 */
export function mergeAlerts(...lists: readonly (readonly SafetyAlert[])[]): SafetyAlert[] {
  const byId: Record<string, SafetyAlert> = {};
  for (const alert of lists.flat()) {
    const known = byId[alert.id];
    if (!known || (!known.acknowledgedAt && alert.acknowledgedAt)) byId[alert.id] = alert;
  }
  return Object.values(byId).sort(newestFirst);
}

/** "Jordan Ellis (River)": the person's name, and the display names their cohorts know them by. */
export function alertWho(alert: SafetyAlert): string {
  const names = alert.cohorts.map((c) => c.displayName).filter((n, i, all) => all.indexOf(n) === i && n !== alert.participant.name);
  return names.length === 0 ? alert.participant.name : `${alert.participant.name} (${names.join(', ')})`;
}

/** The question of an alert as a reference ("PHQ-9 question 9") and its words. */
export function alertQuestion(alert: SafetyAlert): { ref: string; text: string } {
  const instrument = instruments[alert.instrument];
  const item = instrument.item.find((i) => alert.question.endsWith(i.text));
  if (!item) return { ref: instrument.shortTitle, text: alert.question };
  return { ref: `${instrument.shortTitle} question ${item.prefix.replace('.', '')}`, text: item.text };
}

/** The opening words of a question, up to its first pause: “Thoughts that you would be better off dead…”. */
export function shortQuestion(text: string, max = 60): string {
  const pause = text.search(/[,;:.]/);
  if (pause > 0 && pause <= max) return `${text.slice(0, pause)}…`;
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(' ', max);
  return `${text.slice(0, cut > 0 ? cut : max)}…`;
}

/** Safety alert: Jordan Ellis (River) answered PHQ-9 question 9 “Thoughts that you would be better off dead…”: Several days */
export function alertSentence(alert: SafetyAlert): string {
  const q = alertQuestion(alert);
  return `${alertWho(alert)} answered ${q.ref} “${shortQuestion(q.text)}”: ${alert.answer}`;
}

/**
 * The safety alerts open for this clinician, live (CRS1). One feed per page session: the push brings a new alert the
 * moment it is raised; the list over HTTP is the record, fetched again on every (re)connect and when the page is
 * looked at again, so alerts raised while away, and those acknowledged by a colleague, are caught up.
 */
class SafetyAlerts {
  /** Open alerts, newest first. */
  open = $state<SafetyAlert[]>([]);
  /** ALR3: alerts acknowledged since this page loaded, by anyone on any screen: pages that loaded them open drop them. */
  acknowledgedLive = $state<SafetyAlert[]>([]);
  /** CARE2: calls for support from people under care after their circle closed, newest first. */
  care = $state<CareAlert[]>([]);
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
  #arrivals: SafetyAlert[] = [];

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
        this.care = [alert, ...this.care.filter((a) => !sameCare(a, alert))];
        this.announcement = `Asked for support after the circle closed: ${alert.participant.displayName}, ${alert.circleTitle}.`;
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
        this.open = mergeAlerts(result.data, pushedMeanwhile).filter((a) => !a.acknowledgedAt);
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
  acknowledged(alert: SafetyAlert): void {
    this.#seen[alert.id] = true;
    this.open = this.open.filter((a) => a.id !== alert.id);
    this.acknowledgedLive = mergeAlerts(this.acknowledgedLive, [alert]);
  }

  /** The open safety alert a dashboard's crisis shows (CRS2), fetched again when this page has not heard of it. */
  async find(alertId: string): Promise<SafetyAlert | null> {
    const known = this.open.find((a) => a.id === alertId) ?? this.acknowledgedLive.find((a) => a.id === alertId);
    if (known) return known;
    await this.refresh();
    return this.open.find((a) => a.id === alertId) ?? null;
  }

  careAcknowledged(alert: CareAlert): void {
    this.care = this.care.filter((a) => !sameCare(a, alert));
  }

  #add(alerts: SafetyAlert[]): void {
    const fresh = alerts.filter((a) => !a.acknowledgedAt);
    if (fresh.length === 0) return;
    this.open = mergeAlerts(this.open, fresh).filter((a) => !a.acknowledgedAt);
    this.#announce(fresh);
  }

  #announce(alerts: readonly SafetyAlert[]): void {
    const news = alerts.filter((a) => !a.acknowledgedAt && !this.#seen[a.id]);
    for (const a of news) this.#seen[a.id] = true;
    if (news.length === 0) return;
    this.announcement = news.map((a) => `Safety alert: ${alertSentence(a)}.`).join(' ');
  }
}

export const safety = new SafetyAlerts();
