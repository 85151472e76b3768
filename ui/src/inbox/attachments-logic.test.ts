// The files of a reply (issue 22 item 5): one elsewhere (a new one replaces it), up to ten on
// e-mail, and how much of the mailbox's limit they take, said in words when over.
import { describe, expect, it } from "vitest";
import { filesProblem, filesSummary, MAX_MAIL_FILES, withFile } from "./attachments-logic";

const file = (name: string, size: number) => ({ file_name: name, mime_type: "text/plain", data_base64: "", size });

describe("files of a reply", () => {
  it("replaces the one file elsewhere and adds up to ten on e-mail", () => {
    expect(withFile([file("a", 1)], file("b", 1), false).list.map((f) => f.file_name)).toEqual(["b"]);
    expect(withFile([file("a", 1)], file("b", 1), true).list.map((f) => f.file_name)).toEqual(["a", "b"]);
    const ten = Array.from({ length: MAX_MAIL_FILES }, (_, i) => file(`f${i}`, 1));
    const eleventh = withFile(ten, file("x", 1), true);
    expect(eleventh.list).toHaveLength(MAX_MAIL_FILES);
    expect(eleventh.problem).toMatch(/at most 10 files/);
  });

  it("says how much of the limit the files take, and when they are over it", () => {
    const mb = 1024 * 1024;
    expect(filesSummary([file("a", 1.5 * mb), file("b", 0.5 * mb)], 20 * mb)).toBe("2 files, 2.0 MB of 20.0 MB");
    expect(filesSummary([], 20 * mb)).toBe("");
    expect(filesSummary([file("a", 1)], null)).toBe("");
    expect(filesProblem([file("a", 12 * mb), file("b", 9 * mb)], 20 * mb))
      .toBe("The files are 21.0 MB together; this mailbox sends at most 20.0 MB of files in one mail. Remove one, or send it in a second reply.");
    expect(filesProblem([file("a", 20 * mb)], 20 * mb)).toBeNull();
    expect(filesProblem([file("a", 99 * mb)], null)).toBeNull();
  });
});
