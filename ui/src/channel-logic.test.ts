import { describe, expect, it } from "vitest";
import type { ReplyWindow } from "./bindings/ReplyWindow";
import {
  attachmentProblem, base64FromDataUrl, buildNewChannel, checkChannelForm, externalIdLabel, fillTemplate,
  formatTimeLeft, localStorageInfo, MAX_ATTACHMENT_BYTES, messageStatusInfo, replyWindowText, templateParamProblem,
  templateExtrasProblem, templateFileProblem, templateFrame, templateHeaderFile, templateParameterCount, templateParts,
  templateTitleTakesValue, templateValueButtons, UNCONFIRMED_TEXT, webhookUrl, windowState, type ChannelForm,
} from "./channel-logic";

const now = 1_700_000_000;
const win = (x: Partial<ReplyWindow> = {}): ReplyWindow => ({
  channel: "whatsapp", open: true, closes_at: now + 3600, needs_template: false, tagged: false, ...x,
});

describe("formatTimeLeft", () => {
  it("reads like speech and rounds down", () => {
    expect(formatTimeLeft(5 * 3600 + 12 * 60 + 59)).toBe("5 h 12 min");
    expect(formatTimeLeft(2 * 3600)).toBe("2 h");
    expect(formatTimeLeft(45 * 60 + 30)).toBe("45 min");
    expect(formatTimeLeft(60)).toBe("1 min");
    expect(formatTimeLeft(59)).toBe("less than a minute");
    expect(formatTimeLeft(-30)).toBe("less than a minute");
    expect(formatTimeLeft(6 * 86400 + 23 * 3600 + 59 * 60)).toBe("6 d 23 h");
    expect(formatTimeLeft(7 * 86400)).toBe("7 d");
    expect(formatTimeLeft(86400)).toBe("24 h");
    expect(formatTimeLeft(30 * 3600 + 5 * 60)).toBe("30 h 5 min");
  });
});

describe("reply window", () => {
  it("says how long free-form replies are allowed, and names the tag", () => {
    expect(replyWindowText(win({ closes_at: now + 5 * 3600 + 12 * 60 }), now)).toBe("Free-form replies for 5 h 12 min");
    expect(replyWindowText(win({ channel: "messenger", tagged: true, closes_at: now + 3 * 86400 + 3600 }), now))
      .toBe("Free-form replies for 3 d 1 h (HUMAN_AGENT tag)");
    expect(replyWindowText(win({ closes_at: null }), now)).toBe("Free-form replies allowed");
    expect(replyWindowText(win({ open: false }), now)).toBeNull();
    expect(replyWindowText(win({ closes_at: now }), now)).toBeNull();
  });
  it("tells free, template, closed and just-expired apart", () => {
    expect(windowState(win(), now, "Kim").kind).toBe("free");
    const t = windowState(win({ open: false, needs_template: true, closes_at: now - 5 }), now, "Kim");
    expect(t.kind).toBe("template");
    expect(t.kind === "template" && t.reason).toMatch(/Until Kim writes again, WhatsApp only allows an approved template/);
    const m = windowState(win({ channel: "messenger", open: false }), now, "Kim");
    expect(m.kind).toBe("closed");
    expect(m.kind === "closed" && m.reason).toMatch(/Messenger .* Kim must write first/);
    expect(windowState(win({ closes_at: now - 1 }), now, "Kim").kind).toBe("expired");
  });
});

describe("a template's title and buttons", () => {
  const shipped = {
    header: { format: "text", text: "Hi {{1}}", parameters: 1 },
    buttons: [
      { kind: "url", text: "Track", url: "https://shop.example/t/{{1}}", parameters: 1 },
      { kind: "quick_reply", text: "Stop", url: "", parameters: 0 },
      { kind: "copy_code", text: "Copy code", url: "", parameters: 1 },
    ],
  };
  it("asks for the title's value and one value per link or code button", () => {
    expect(templateTitleTakesValue(shipped)).toBe(true);
    expect(templateTitleTakesValue({ header: { format: "text", text: "Your order", parameters: 0 } })).toBe(false);
    expect(templateValueButtons(shipped).map((b) => b.kind)).toEqual(["url", "copy_code"]);
    expect(templateExtrasProblem(shipped, "Ana", ["A17", "SAVE10"])).toBeNull();
    expect(templateExtrasProblem(shipped, " ", ["A17", "SAVE10"])).toEqual({ which: "title", message: "Fill in the title's value." });
    expect(templateExtrasProblem(shipped, "Ana", ["", "SAVE10"])?.which).toBe(0);
    expect(templateExtrasProblem(shipped, "Ana", ["A17"])).toEqual({ which: 1, message: "Fill in the offer code." });
    expect(templateExtrasProblem(shipped, "Ana", ["A17", "SIXTEEN-LETTERS!"])?.message).toMatch(/at most 15/);
  });
  it("shows the title and buttons as the customer will see them", () => {
    expect(templateFrame(shipped, "Ana", ["A17", "SAVE10"])).toEqual({
      title: "Hi Ana", buttons: "[Track: https://shop.example/t/A17] [Stop] [Copy code: SAVE10]",
    });
    expect(templateFrame(shipped, "", [])).toEqual({
      title: "Hi {{1}}", buttons: "[Track: https://shop.example/t/{{1}}] [Stop] [Copy code: …]",
    });
  });
  it("takes a file of the title's kind within WhatsApp's size", () => {
    const picture = { header: { format: "image", text: "", parameters: 0 } };
    expect(templateHeaderFile(picture)?.accept).toBe("image/jpeg,image/png");
    expect(templateHeaderFile(shipped)).toBeNull();
    expect(templateFileProblem(picture, "image/png", 1000)).toBeNull();
    expect(templateFileProblem(picture, "application/pdf", 1000)).toBe("Choose a JPEG or PNG picture.");
    expect(templateFileProblem(picture, "image/png", 6 * 1024 * 1024)).toMatch(/up to 5 MB/);
    expect(templateFileProblem({ header: { format: "document", text: "", parameters: 0 } }, "application/pdf", 1000)).toBeNull();
    expect(templateFileProblem(shipped, "image/png", 1)).toMatch(/no picture/);
  });
});

describe("templates", () => {
  const body = "Hello {{1}}, your order {{2}} has shipped. Thanks, {{1}}!";
  it("counts parameters from the body, or Meta's count if higher", () => {
    expect(templateParameterCount({ body, parameters: 0 })).toBe(2);
    expect(templateParameterCount({ body: "No parameters", parameters: 0 })).toBe(0);
    expect(templateParameterCount({ body: "Hi {{ 3 }}", parameters: 1 })).toBe(3);
    expect(templateParameterCount({ body: "Hi", parameters: 2 })).toBe(2);
  });
  it("fills placeholders, leaving empty ones visible", () => {
    expect(fillTemplate(body, ["Kim", "A-17"])).toBe("Hello Kim, your order A-17 has shipped. Thanks, Kim!");
    expect(fillTemplate(body, ["Kim"])).toBe("Hello Kim, your order {{2}} has shipped. Thanks, Kim!");
    expect(fillTemplate(body, ["  ", ""])).toBe("Hello {{1}}, your order {{2}} has shipped. Thanks, {{1}}!");
    expect(fillTemplate("Plain", ["x"])).toBe("Plain");
    // A value that looks like a placeholder is not filled again.
    expect(fillTemplate("{{1}} and {{2}}", ["{{2}}", "b"])).toBe("{{2}} and b");
  });
  it("splits the body into text and parameter parts for the preview", () => {
    expect(templateParts("Hi {{1}}.", ["Kim"])).toEqual([
      { text: "Hi ", param: null, filled: false },
      { text: "Kim", param: 1, filled: true },
      { text: ".", param: null, filled: false },
    ]);
    expect(templateParts("{{1}}", [])).toEqual([{ text: "{{1}}", param: 1, filled: false }]);
  });
  it("checks parameters the way Meta does", () => {
    expect(templateParamProblem(["Kim", "A-17"], 2)).toBeNull();
    expect(templateParamProblem(["Kim", " "], 2)).toEqual({ index: 1, message: "Fill in parameter {{2}}." });
    expect(templateParamProblem(["Kim"], 2)).toEqual({ index: 1, message: "Fill in parameter {{2}}." });
    expect(templateParamProblem(["a\tb"], 1)?.message).toMatch(/line breaks or tabs/);
    expect(templateParamProblem(["a     b"], 1)?.message).toMatch(/more than 4 spaces/);
    expect(templateParamProblem([], 0)).toBeNull();
  });
});

describe("messageStatusInfo", () => {
  it("labels and ticks each status", () => {
    expect(messageStatusInfo("queued", null)).toMatchObject({ label: "Queued", tick: "", retry: false });
    expect(messageStatusInfo("sending", null)).toMatchObject({ label: "Sending…", tick: "" });
    expect(messageStatusInfo("sent", null)).toMatchObject({ label: "Sent", tick: "✓", tone: "sent" });
    expect(messageStatusInfo("delivered", null)).toMatchObject({ label: "Delivered", tick: "✓✓", tone: "delivered" });
    expect(messageStatusInfo("read", null)).toMatchObject({ label: "Read", tick: "✓✓", tone: "read" });
  });
  it("explains failures and offers to send again", () => {
    const f = messageStatusInfo("failed", "Meta error 131047: outside the 24-hour window: send a template");
    expect(f).toMatchObject({ label: "Failed", tone: "failed", retry: true });
    expect(f.problem).toBe("Meta error 131047: outside the 24-hour window: send a template");
    expect(messageStatusInfo("failed", null).problem).toBe("This message could not be sent.");
    expect(messageStatusInfo("unconfirmed", null)).toMatchObject({ label: "Unconfirmed", problem: UNCONFIRMED_TEXT, retry: true });
    expect(messageStatusInfo("unconfirmed", "  ").problem).toBe(UNCONFIRMED_TEXT);
  });
  it("shows an unknown status as it is", () => {
    expect(messageStatusInfo("received", null)).toMatchObject({ label: "Received", tone: "other", retry: false });
  });
});

describe("attachments", () => {
  it("allows up to 16 MB", () => {
    expect(attachmentProblem("a.pdf", 1024)).toBeNull();
    expect(attachmentProblem("a.pdf", MAX_ATTACHMENT_BYTES)).toBeNull();
    expect(attachmentProblem("big.mp4", 18.25 * 1024 * 1024)).toBe("“big.mp4” is 18.3 MB. Files can be at most 16 MB.");
    expect(attachmentProblem("empty.txt", 0)).toBe("“empty.txt” is empty.");
  });
  it("takes the base64 out of a data URL", () => {
    expect(base64FromDataUrl("data:image/png;base64,iVBORw0=")).toBe("iVBORw0=");
    expect(base64FromDataUrl("data:;base64,QQ==")).toBe("QQ==");
    expect(() => base64FromDataUrl("data:text/plain,hello")).toThrow(/could not be read/);
    expect(() => base64FromDataUrl("hello")).toThrow();
  });
});

describe("channel accounts", () => {
  it("builds the webhook URL from the listener and the path", () => {
    expect(webhookUrl({ address: "127.0.0.1:8787", error: null }, "/webhooks/whatsapp")).toBe("http://127.0.0.1:8787/webhooks/whatsapp");
    expect(webhookUrl({ address: "https://hooks.example.org/", error: null }, "webhooks/messenger")).toBe("https://hooks.example.org/webhooks/messenger");
    expect(webhookUrl({ address: null, error: "port 8787 in use" }, "/webhooks/whatsapp")).toBeNull();
    expect(webhookUrl(null, "/x")).toBeNull();
  });
  it("describes local storage", () => {
    expect(localStorageInfo(null)).toMatchObject({ label: "Not checked yet", tone: "muted" });
    const on = localStorageInfo({ status: "IN_COUNTRY_STORAGE_ENABLED", region: "DE", checked_at: null });
    expect(on).toEqual({ label: "Enabled", tone: "ok", detail: "region DE" });
    expect(localStorageInfo({ status: "IN_COUNTRY_STORAGE_DISABLED", region: null, checked_at: null })).toMatchObject({ label: "Off", tone: "warn", detail: "" });
    expect(localStorageInfo({ status: "pending", region: "DE", checked_at: 1_700_000_000 }).detail).toMatch(/^region DE · checked \d{4}-\d\d-\d\d /);
    expect(localStorageInfo({ status: "not available for this region", region: null, checked_at: null }).label).toBe("Not available for this region");
  });
  it("names the id field by kind", () => {
    expect(externalIdLabel("whatsapp")).toBe("Phone-number id");
    expect(externalIdLabel("messenger")).toBe("Page id");
  });

  const form = (x: Partial<ChannelForm> = {}): ChannelForm => ({
    kind: "whatsapp", name: " Support NL ", external_id: " 106540352242922 ", business_account_id: "102290129340398",
    access_token: " EAAG123 \n", app_secret: "s3cret", verify_token: "tea for two", default_team: "5",
    human_agent: true, poll: true, graph_base_url: "", api_version: "", ...x,
  });
  it("checks the add-account form field by field, in plain words", () => {
    expect(checkChannelForm(form())).toBeNull();
    expect(checkChannelForm(form({ name: " " }))?.field).toBe("name");
    expect(checkChannelForm(form({ external_id: "" }))).toEqual({ field: "external_id", message: "Enter the phone-number id." });
    expect(checkChannelForm(form({ external_id: "+31 6 1234" }))?.message).toMatch(/not the phone number itself/);
    expect(checkChannelForm(form({ kind: "messenger", external_id: "my-page" }))?.message).toMatch(/page id is digits only/);
    expect(checkChannelForm(form({ business_account_id: "" }))?.field).toBe("business_account_id");
    // Messenger has no business account id.
    expect(checkChannelForm(form({ kind: "messenger", business_account_id: "" }))).toBeNull();
    expect(checkChannelForm(form({ access_token: "" }))?.field).toBe("access_token");
    expect(checkChannelForm(form({ access_token: "EAAG 123" }))?.message).toMatch(/spaces/);
    expect(checkChannelForm(form({ app_secret: "" }))?.field).toBe("app_secret");
    expect(checkChannelForm(form({ verify_token: "" }))?.field).toBe("verify_token");
    // Polling Messenger needs no webhook, so no verify token.
    expect(checkChannelForm(form({ kind: "messenger", verify_token: "", poll: true }))).toBeNull();
    expect(checkChannelForm(form({ kind: "messenger", verify_token: "", poll: false }))?.field).toBe("verify_token");
    expect(checkChannelForm(form({ graph_base_url: "graph.facebook.com" }))?.field).toBe("graph_base_url");
    expect(checkChannelForm(form({ graph_base_url: "http://127.0.0.1:9000" }))).toBeNull();
    expect(checkChannelForm(form({ api_version: "21" }))?.message).toBe("The API version looks like v21.0.");
    expect(checkChannelForm(form({ api_version: "v21.0" }))).toBeNull();
  });
  it("builds the request: trimmed, optional fields null, Messenger options only for Messenger", () => {
    expect(buildNewChannel(form())).toEqual({
      kind: "whatsapp", name: "Support NL", external_id: "106540352242922", business_account_id: "102290129340398",
      access_token: "EAAG123", app_secret: "s3cret", verify_token: "tea for two", default_team: 5,
      human_agent: false, poll: false, graph_base_url: null, api_version: null,
    });
    expect(buildNewChannel(form({ kind: "messenger", default_team: "", graph_base_url: "https://graph.example/ ", api_version: "v20.0" })))
      .toMatchObject({ kind: "messenger", business_account_id: null, default_team: null, human_agent: true, poll: true,
        graph_base_url: "https://graph.example", api_version: "v20.0" });
  });
});
