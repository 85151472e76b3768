// @vitest-environment happy-dom
// "Bot…" in a Messenger conversation (issue 21 item 7): offered only on Messenger and only to an
// agent who may act; a choice sends the take or request and says where Meta's answer shows.
import { describe, expect, it, vi } from "vitest";
import type { ConversationView } from "../bindings/ConversationView";
import { botControl } from "./bot-control";

const invoked: { cmd: string; args: unknown }[] = [];
vi.mock("@tauri-apps/api/core", () => ({
  invoke: (cmd: string, args: unknown) => { invoked.push({ cmd, args }); return Promise.resolve(null); },
}));

const view = (channel: string, can_act = true) => ({ summary: { id: 5, channel }, can_act }) as unknown as ConversationView;

describe("bot control", () => {
  it("is offered on Messenger only, and disabled for an agent who may not act", () => {
    expect(botControl(view("whatsapp"), () => {}, () => {})).toBeNull();
    const off = botControl(view("messenger", false), () => {}, () => {})!;
    expect(off.querySelector<HTMLButtonElement>("#bot-control-go")!.disabled).toBe(true);
  });

  it("sends the chosen action only with Go, and says where the answer shows", async () => {
    const said: string[] = [];
    const group = botControl(view("messenger"), (task) => void task(), (m) => said.push(m))!;
    const select = group.querySelector<HTMLSelectElement>("#bot-control")!;
    select.value = "request";
    select.dispatchEvent(new Event("change"));
    await new Promise((r) => setTimeout(r, 0));
    expect(invoked).toEqual([]); // choosing alone sends nothing
    group.querySelector<HTMLButtonElement>("#bot-control-go")!.click();
    await new Promise((r) => setTimeout(r, 0));
    expect(invoked).toEqual([{ cmd: "thread_control", args: { id: 5, action: "request" } }]);
    expect(said[0]).toMatch(/as a note/);
  });
});
