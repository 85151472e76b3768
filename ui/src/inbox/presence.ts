//! Presence in the window: says which conversation this person has open (again every 15 s) and
//! when they type a reply or a note; shows who else is on the open conversation under its head
//! ("Kim is typing a reply…") and keeps the state's map that the list marks rows from. Events and
//! the core's answers feed it; entries lapse on their own.
import * as api from "../api";
import type { Activity } from "../bindings/Activity";
import { h } from "../h";
import type { Part } from "../store";
import {
  HEARTBEAT_MS, presenceText, presentOn, shouldSayTyping, TYPING_IDLE_MS, VIEWING_MS, withActivity, withAnswer,
  type PresenceMap,
} from "./presence-logic";
import type { ComposerMode, Deps, InboxState } from "./state";

export type PresencePart = Part<InboxState> & {
  /** A presence event from the core (ids only). */
  onEvent(e: { conversation: number; user: number; activity: Activity }): void;
  /** A key was pressed in the composer. */
  typing(mode: ComposerMode): void;
};

/** How often lapsed entries are dropped and the line re-read. */
const SWEEP_MS = 5_000;

export function createPresence(deps: Deps): PresencePart {
  const { ctx, store } = deps;
  const me = ctx.user.user_id;
  const el = h("p", { id: "presence", class: "presence", role: "status", "aria-live": "polite", hidden: true });
  /** Names learnt from the core's answers, for colleagues not in the colleague list. */
  const learnt = new Map<number, string>();
  let openId: number | null = null;
  let said: { activity: Activity; at: number } | null = null;
  let heartbeat = 0;
  let idle = 0;
  let sweep = 0;
  let gone = false;

  const setMap = (presence: PresenceMap) => store.set({ presence });

  function say(conversation: number, activity: Activity): void {
    if (activity !== "left") said = { activity, at: Date.now() };
    void api.setPresence(conversation, activity).then((entries) => {
      if (gone || activity === "left" || conversation !== openId) return;
      for (const e of entries) learnt.set(e.user, e.name);
      setMap(withAnswer(store.get().presence, conversation, entries, Date.now()));
    }).catch(() => { /* presence is a help: a lock or a lost hub shows elsewhere */ });
  }

  function beat(): void {
    heartbeat = deps.later(() => {
      if (openId !== null) say(openId, "viewing");
      beat();
    }, HEARTBEAT_MS);
  }

  function sweepLater(): void {
    sweep = deps.later(() => {
      const s = store.get();
      const at = Date.now();
      let changed = false;
      const next = new Map(s.presence);
      for (const [conversation, people] of s.presence) {
        const live = new Map([...people].filter(([, seen]) => at - seen.at <= VIEWING_MS));
        if (live.size !== people.size) { changed = true; if (live.size) next.set(conversation, live); else next.delete(conversation); }
      }
      if (changed) setMap(next);
      else render(s);
      sweepLater();
    }, SWEEP_MS);
  }
  sweepLater();

  function render(s: InboxState): void {
    const names = new Map<number, string>(learnt);
    for (const c of s.colleagues) names.set(c.id, c.display_name);
    const text = s.openId === null ? null : presenceText(presentOn(s.presence, s.openId, Date.now()), names);
    el.hidden = text === null;
    if (el.textContent !== (text ?? "")) el.textContent = text ?? "";
  }

  function update(s: InboxState): void {
    if (s.openId !== openId) {
      if (openId !== null) say(openId, "left");
      openId = s.openId;
      said = null;
      deps.cancel(heartbeat);
      deps.cancel(idle);
      if (openId !== null) { say(openId, "viewing"); beat(); }
    }
    render(s);
  }

  return {
    el,
    update,
    onEvent(e) {
      setMap(withActivity(store.get().presence, e.conversation, e.user, e.activity, Date.now(), me));
    },
    typing(mode) {
      if (openId === null) return;
      const activity: Activity = mode === "reply" ? "typing_reply" : "typing_note";
      if (shouldSayTyping(said, activity, Date.now())) say(openId, activity);
      deps.cancel(idle);
      const id = openId;
      idle = deps.later(() => { if (openId === id) say(id, "viewing"); }, TYPING_IDLE_MS);
    },
    dispose() {
      if (openId !== null) say(openId, "left");
      gone = true;
      deps.cancel(heartbeat);
      deps.cancel(idle);
      deps.cancel(sweep);
    },
  };
}
