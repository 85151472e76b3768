//! The channels screen's one typed state and what its parts are given.
import type { ChannelAccountView } from "../bindings/ChannelAccountView";
import type { SetAsideView } from "../bindings/SetAsideView";
import type { TeamSummary } from "../bindings/TeamSummary";
import type { WebhookSetAsideView } from "../bindings/WebhookSetAsideView";
import type { WebhookListener } from "../bindings/WebhookListener";
import type { PageContext } from "../screens/shell";
import type { Store } from "../store";

/** An open set-aside table, with the count it was read at: re-read when the count moves. */
export type OpenAside = { rows: SetAsideView[]; count: number };

export type ChannelsState = {
  accounts: ChannelAccountView[];
  teams: TeamSummary[];
  /** Null: its state could not be read (the page works without it). */
  listener: WebhookListener | null;
  /** Set-aside tables that are open, by account: they survive the card being rebuilt by a live refresh. */
  asides: ReadonlyMap<number, OpenAside>;
  /** Open tables of webhook items set aside (WhatsApp, Messenger), by account. */
  webhookAsides: ReadonlyMap<number, WebhookSetAsideView[]>;
  /** The last thing done, in the status line. */
  done: string;
};

export type ChannelsDeps = {
  ctx: PageContext;
  store: Store<ChannelsState>;
  /** Put a message in the status line. */
  say(message: string): void;
};

/** These accounts, with the open set-aside tables of accounts that are gone dropped. */
export function withAccounts(s: ChannelsState, accounts: ChannelAccountView[]): Pick<ChannelsState, "accounts" | "asides"> {
  const ids = new Set(accounts.map((a) => a.id));
  const asides = Array.from(s.asides.keys()).every((id) => ids.has(id))
    ? s.asides
    : new Map(Array.from(s.asides).filter(([id]) => ids.has(id)));
  return { accounts, asides };
}

/** The accounts with `created` added at the end (or moved there, replacing the one with its id). */
export function addedAccount(s: ChannelsState, created: ChannelAccountView): Pick<ChannelsState, "accounts" | "asides"> {
  return withAccounts(s, [...s.accounts.filter((x) => x.id !== created.id), created]);
}
