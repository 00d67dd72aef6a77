// The one panel a page shows in its place at a time (the ops room, the partner's desk; nothing
// while the sign-in shows). Every panel answers `{onEvent, unmount}`; showing another, or
// clearing the place, unmounts the one before first, so nothing of it (its live connection, its
// frame job, its timers) outlives it. It draws nothing itself.
export function slot() {
  let current = null;
  return {
    /** Unmount what is shown, then show the panel `mount()` answers. */
    show(mount) {
      this.clear();
      current = mount();
    },
    /** Unmount what is shown; the page draws something of its own in its place. */
    clear() {
      current?.unmount();
      current = null;
    },
  };
}
