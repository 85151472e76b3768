//! A tiny typed store for screens built from parts: one state object, `set` merges a patch and
//! calls the one render function synchronously. A `set` made while rendering (a part starting a
//! load) renders again once the current pass is done, so every part ends on the latest state.

/** A piece of a screen: its element, one render path from the state, and its clean-up. */
export type Part<S> = { el: HTMLElement; update(state: S): void; dispose(): void };

export type Store<S> = {
  get(): S;
  /** Merge `patch` into the state and render. */
  set(patch: Partial<S>): void;
  /** The one render function, called after every change (and once now). */
  render(fn: (state: S) => void): void;
};

/** Renders in one pass are capped: a part that keeps changing the state is a bug, not a loop. */
const MAX_PASSES = 20;

export function createStore<S extends object>(initial: S): Store<S> {
  let state = initial;
  let renderFn: ((state: S) => void) | null = null;
  let rendering = false;
  let dirty = false;
  function run(): void {
    if (!renderFn) return;
    if (rendering) { dirty = true; return; }
    rendering = true;
    try {
      let passes = 0;
      do {
        dirty = false;
        renderFn(state);
      } while (dirty && ++passes < MAX_PASSES);
    } finally {
      rendering = false;
      dirty = false;
    }
  }
  return {
    get: () => state,
    set(patch) {
      state = { ...state, ...patch };
      run();
    },
    render(fn) {
      renderFn = fn;
      run();
    },
  };
}
