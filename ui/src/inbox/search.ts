//! Full-text search: the search field (shown in the left column) and its results, which take the
//! list's place until the search is cleared.
import * as api from "../api";
import type { SearchHit } from "../bindings/SearchHit";
import { h, replaceChildren } from "../h";
import { formatDateTime } from "../logic";
import type { Part } from "../store";
import { input } from "../ui";
import { channelBadge } from "./badges";
import { relativeTime, splitSnippet } from "./logic";
import { now, type Deps, type InboxState, type SearchState } from "./state";

export type SearchPart = Part<InboxState> & {
  /** The search field, placed in the left column. */
  input: HTMLInputElement;
  run(): Promise<void>;
  clear(focusList: boolean): void;
  focus(): void;
};

function snippetNodes(snippet: string): Node[] {
  return splitSnippet(snippet).map((p) => (p.mark ? h("mark", null, p.text) : document.createTextNode(p.text)));
}

export function createSearch(deps: Deps): SearchPart {
  const { ctx, store, actions } = deps;
  const searchInput = input("search-input", { type: "search", placeholder: "Search messages", "aria-keyshortcuts": "/",
    enterkeyhint: "search" });
  searchInput.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter") { ev.preventDefault(); void run(); }
    else if (ev.key === "Escape") { ev.preventDefault(); ev.stopPropagation(); clear(true); }
  });
  const el = h("div", { id: "search-results", class: "search-results", hidden: true, role: "region",
    "aria-label": "Search results" });

  let gen = 0;
  async function run(): Promise<void> {
    const text = searchInput.value.trim();
    if (!text) { clear(false); return; }
    const mine = ++gen;
    ctx.error.textContent = "";
    store.set({ search: { text, hits: null, busy: true } });
    let hits: SearchHit[];
    try {
      hits = await api.search(text);
    } catch (err) {
      if (mine !== gen || !ctx.current()) return;
      store.set({ search: { text, hits: null, busy: false } });
      ctx.app.fail(err, ctx.error);
      return;
    }
    if (mine !== gen || !ctx.current()) return;
    store.set({ search: { text, hits, busy: false } });
  }

  function clear(focusList: boolean): void {
    gen++;
    searchInput.value = "";
    if (store.get().search !== null) store.set({ search: null });
    if (focusList) actions.focusList();
  }

  let shown: SearchState | null = null;
  function update(s: InboxState): void {
    el.hidden = s.search === null;
    if (s.search === shown) return;
    shown = s.search;
    const search = s.search;
    if (search === null) { el.removeAttribute("aria-busy"); el.replaceChildren(); return; }
    if (search.busy) {
      el.setAttribute("aria-busy", "true");
      el.replaceChildren(h("p", { class: "loading" }, "Searching…"));
      return;
    }
    el.removeAttribute("aria-busy");
    if (search.hits === null) { el.replaceChildren(); return; }
    const at = now();
    replaceChildren(el,
      search.hits.length === 0 ? h("p", { class: "empty" }, `Nothing found for “${search.text}”.`) : null,
      ...search.hits.map((hit) => {
        const b = h("button", { type: "button", class: "hit", "data-conversation-id": hit.conversation_id,
          "data-message-id": hit.message_id ?? "" },
          h("span", { class: "row-top" },
            h("span", { class: "row-name" }, hit.contact_name),
            channelBadge(hit.channel),
            h("span", { class: "row-time", title: formatDateTime(hit.at) }, relativeTime(hit.at, at))),
          h("span", { class: "hit-snippet" }, ...snippetNodes(hit.snippet)));
        b.addEventListener("click", () => {
          store.set({ selectedId: hit.conversation_id });
          void actions.openConversation(hit.conversation_id);
        });
        return b;
      }));
  }

  const focus = () => { searchInput.focus(); searchInput.select(); };
  return { el, input: searchInput, update, dispose: () => { gen++; }, run, clear, focus };
}
