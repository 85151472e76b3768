import * as api from "../api";
import type { Overview } from "../bindings/Overview";
import { h } from "../h";
import type { PageContext } from "./shell";

type Field = keyof Overview;

function value(field: Field, v: string | number): HTMLElement {
  return h("span", { class: "value", "data-field": field }, String(v));
}

function card(label: string, ...content: (HTMLElement | string)[]): HTMLElement {
  return h("div", { class: "card" }, h("h3", null, label), h("p", { class: "card-value" }, ...content));
}

export async function renderOverview(ctx: PageContext): Promise<void> {
  let o: Overview;
  try {
    o = await api.overview();
  } catch (err) {
    if (ctx.current()) { ctx.page.replaceChildren(); ctx.app.fail(err, ctx.error); }
    return;
  }
  if (!ctx.current()) return;
  const keyStore = o.key_store === "keyring" ? "System keyring" : o.key_store === "passphrase" ? "Passphrase" : null;
  ctx.page.replaceChildren(
    h("div", { id: "overview" },
      h("h1", null, "Overview"),
      h("div", { class: "cards" },
        card("Users", value("users", o.users)),
        card("Teams", value("teams", o.teams)),
        card("Conversations", value("open_conversations", o.open_conversations), h("span", { class: "muted" }, " open / "),
          value("conversations", o.conversations), h("span", { class: "muted" }, " total")),
        card("Messages", value("messages", o.messages)),
        card("Audit events", value("audit_events", o.audit_events)),
      ),
      h("h2", null, "Workspace"),
      h("dl", { class: "facts" },
        h("dt", null, "Where the data lives"), h("dd", null, value("region", o.region)),
        h("dt", null, "Data folder"), h("dd", { class: "mono" }, value("data_dir", o.data_dir)),
        h("dt", null, "Key storage"), h("dd", null, value("key_store", o.key_store),
          keyStore ? h("span", { class: "muted" }, ` (${keyStore})`) : null),
        h("dt", null, "Schema version"), h("dd", null, value("schema_version", o.schema_version)),
        h("dt", null, "Workspace ID"), h("dd", { class: "mono" }, value("workspace_id", o.workspace_id)),
      ),
    ),
  );
}
