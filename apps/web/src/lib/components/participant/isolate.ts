/**
 * Makes everything on the page but `node` inert (no focus, no clicks, hidden from screen readers) and returns how to
 * undo it. Used while the participant's screen covers the whole page (journey mode, hold), so keyboard focus can
 * never land on something hidden behind it.
 */
export function isolate(node: HTMLElement): () => void {
  const changed: HTMLElement[] = [];
  for (let el: HTMLElement = node; el.parentElement && el !== document.body; el = el.parentElement) {
    for (const sibling of el.parentElement.children) {
      if (sibling === el || !(sibling instanceof HTMLElement) || sibling.inert) continue;
      sibling.inert = true;
      changed.push(sibling);
    }
  }
  return () => {
    for (const el of changed) el.inert = false;
  };
}
