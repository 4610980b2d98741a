import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeEmail } from "./email.js";
import { isJunkEmail, isKeyboardRun, JUNK_EMAIL_LOCAL_PARTS } from "./junk-email.js";

describe("isJunkEmail", () => {
  it.each([
    "test@test.com",
    "null@null.com",
    "asdf@asdf.com",
    "a@a.co",
    "test@gmail.com",
    "test123@gmail.com",
    "test+1@acme.io",
    "noreply@acme.io",
    "no-reply@mailer.acme.io",
    "donotreply@acme.io",
    "undefined@gmail.com",
    "none@yahoo.com",
    "asdf@gmail.com",
    "qwerty@hotmail.com",
    "asdfasdf@gmail.com",
    "aaaa@gmail.com",
    "xxx@acme.io",
    "123456@qq.com",
    "abc@gmail.com",
    "jane@test.com",
    "jane@noemail.net",
    "jane@asdf.io",
    "jane@xxxx.com",
  ])("%j is junk", (email) => {
    expect(isJunkEmail(email)).toBe(true);
  });

  it.each([
    "jane.doe@acme.io",
    "jane@gmail.com",
    "j@acme.io",
    "bob@bobsburgers.com",
    "stu@acme.io",
    "anna@mail.ru",
    "info@acme.io", // a role mailbox (its own rule), not junk
    "user123@gmail.com",
    "jane@abc.com",
    "tester.jones@acme.io",
    "1994jane@gmail.com",
  ])("%j is not junk", (email) => {
    expect(isJunkEmail(email)).toBe(false);
  });

  it("keyboard runs", () => {
    for (const run of ["asdf", "qwer", "zxcv", "1234", "4321", "abcd", "aaa", "111", "asd", "qwe"])
      expect(isKeyboardRun(run)).toBe(true);
    for (const word of ["jane", "bob", "stu", "ab", "miko", "anna", "1994"])
      expect(isKeyboardRun(word)).toBe(false);
  });

  it("a junk local part is junk on any domain, with any tag, digits and case (property)", () => {
    const domain = fc.constantFrom("gmail.com", "acme.io", "mail.example.org", "x.co.uk");
    fc.assert(
      fc.property(
        fc.constantFrom(...JUNK_EMAIL_LOCAL_PARTS),
        domain,
        fc.option(fc.integer({ min: 0, max: 9999 }), { nil: undefined }),
        fc.option(fc.stringMatching(/^[a-z0-9]{1,6}$/), { nil: undefined }),
        fc.boolean(),
        (word, host, digits, tag, upper) => {
          const raw = `${word}${digits ?? ""}${tag ? `+${tag}` : ""}@${host}`;
          const email = normalizeEmail(upper ? ` ${raw.toUpperCase()} ` : raw);
          expect(email).not.toBeNull();
          expect(isJunkEmail(email as string)).toBe(true);
        },
      ),
    );
  });

  it("an address whose local part is its domain's first label is junk (property)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/),
        fc.constantFrom("com", "io", "net", "co.uk"),
        (label, tld) => {
          expect(isJunkEmail(`${label}@${label}.${tld}`)).toBe(true);
        },
      ),
    );
  });
});
