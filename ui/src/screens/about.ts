//! The About page: the app's version and build, where this workspace keeps its data, its log and
//! its settings, whether it works through a team hub, and buttons that open the data or log folder
//! in the file manager (what IT asks for first when something goes wrong).
import * as api from "../api";
import type { AboutInfo } from "../bindings/AboutInfo";
import { h } from "../h";
import { button } from "../ui";
import type { PageContext } from "./shell";

function fact(label: string, value: string | null, key: string): Node[] {
  return [h("dt", null, label), h("dd", { class: "mono", "data-field": key }, value ?? h("span", { class: "muted" }, "none"))];
}

export async function renderAbout(ctx: PageContext): Promise<void> {
  let about: AboutInfo;
  try {
    about = await api.about();
  } catch (err) {
    if (ctx.current()) { ctx.page.replaceChildren(); ctx.app.fail(err, ctx.error); }
    return;
  }
  if (!ctx.current()) return;
  const done = h("p", { id: "about-done", class: "status", role: "status" });
  const open = (which: "data" | "logs", label: string) => {
    const btn = button(`open-${which}-folder`, label, { class: "secondary" });
    btn.addEventListener("click", () => {
      done.textContent = "";
      void ctx.app.run(ctx.page, btn, ctx.error, async () => {
        await api.openFolder(which);
        done.textContent = which === "data" ? "Opened the data folder." : "Opened the log folder.";
      });
    });
    return btn;
  };
  ctx.page.replaceChildren(h("div", { id: "about" },
    h("h1", null, "About Appcare Inbox"),
    h("dl", { class: "facts" },
      fact("Version", about.version, "version"),
      fact("Build", about.build, "build"),
      fact("Workspace", about.hub ? `Team hub at ${about.hub}` : "On this computer", "mode"),
      fact("Data folder", about.data_dir, "data_dir"),
      fact("Log folder", about.log_dir, "log_dir"),
      fact("Settings folder", about.config_dir, "config_dir")),
    h("p", { class: "hint" }, "The log holds what happened and to which ids, never what customers wrote. Send it to your IT team when something goes wrong."),
    h("div", { class: "actions" }, open("data", "Open data folder"), about.log_dir ? open("logs", "Open log folder") : null),
    done));
}
