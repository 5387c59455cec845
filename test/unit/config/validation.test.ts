import { describe, expect, test } from "bun:test";
import { DomainError } from "../../../src/errors.ts";
import {
  checkAttributes,
  checkContent,
  checkDataId,
  checkGroup,
  checkNamespace,
  checkNamespaceId,
  checkNamespaceName,
  checkTag,
  isValidName,
  parseBetaIps,
} from "../../../src/config/model/validation.ts";
import { configTypeOf, mediaTypeOf } from "../../../src/config/model/config-type.ts";
import { groupKeyOf, normalizeNamespace } from "../../../src/config/model/config-key.ts";
import { md5Hex } from "../../../src/config/model/md5.ts";

function refusal(fn: () => void): DomainError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    return err as DomainError;
  }
  throw new Error("expected a refusal");
}

describe("names", () => {
  test("letters and digits of any script plus _ - . : are valid", () => {
    for (const ok of ["a", "app.yaml", "my-app_1:prod", "配置", "ÉTÉ"]) expect(isValidName(ok)).toBe(true);
    for (const bad of ["", "a b", "a/b", "a+b", "a%b", "a\u0002b", "a@b", "#"]) expect(isValidName(bad)).toBe(false);
  });

  test("a bad dataId is refused with Nacos's message and code 20002", () => {
    const e = refusal(() => checkDataId("a b"));
    expect(e.kind).toBe("invalid");
    expect(e.message).toBe("invalid dataId : a b");
    expect(e.nacosCode).toBe(20002);
    expect(refusal(() => checkDataId("")).message).toBe("invalid dataId : ");
    expect(refusal(() => checkGroup("g/h")).message).toBe("invalid group : g/h");
  });

  test("length limits are explicit", () => {
    checkDataId("d".repeat(255));
    expect(refusal(() => checkDataId("d".repeat(256))).message).toBe("too long dataId, over 255");
    checkGroup("g".repeat(128));
    expect(refusal(() => checkGroup("g".repeat(129))).message).toBe("too long group, over 128");
    expect(refusal(() => checkNamespace("n".repeat(129))).message).toBe("too long tenant, over 128");
    expect(refusal(() => checkTag("t".repeat(17))).message).toBe("too long tag, over 16");
  });

  test('"" and "public" are the same namespace', () => {
    expect(normalizeNamespace("public")).toBe("");
    expect(normalizeNamespace("")).toBe("");
    expect(normalizeNamespace(undefined)).toBe("");
    expect(normalizeNamespace(" dev ")).toBe("dev");
    checkNamespace("");
    checkNamespace("public");
  });
});

describe("content and attributes", () => {
  test("blank content is refused", () => {
    expect(refusal(() => checkContent("  ", 100)).message).toBe("content is blank :   ");
  });

  test("the size limit counts UTF-8 bytes", () => {
    checkContent("x".repeat(100), 100);
    expect(refusal(() => checkContent("x".repeat(101), 100)).message).toBe("invalid content, over 100 bytes");
    // 34 three-byte characters are 102 bytes: over a 100-byte limit although only 34 characters.
    expect(refusal(() => checkContent("中".repeat(34), 100)).message).toContain("over 100 bytes");
    checkContent("中".repeat(33), 100);
  });

  test("advance info limits follow Nacos ParamUtils", () => {
    checkAttributes({ configTags: "a,b,c,d,e", desc: "d".repeat(128), type: "yaml" });
    expect(refusal(() => checkAttributes({ configTags: "a,b,c,d,e,f" })).message).toBe("too much config_tags, over 5");
    expect(refusal(() => checkAttributes({ configTags: "x".repeat(65) })).message).toBe("too long tag, over 64");
    expect(refusal(() => checkAttributes({ desc: "d".repeat(129) })).message).toBe("too long desc, over 128");
    expect(refusal(() => checkAttributes({ type: "t".repeat(33) })).message).toBe("too long type, over 32");
  });

  test("beta IPs are a comma list of addresses", () => {
    expect(parseBetaIps(" 10.0.0.1, 10.0.0.2 ,")).toEqual(["10.0.0.1", "10.0.0.2"]);
    expect(refusal(() => parseBetaIps(",")).message).toBe("betaIps holds no address");
    expect(refusal(() => parseBetaIps("10.0.0.1;rm")).message).toContain("invalid beta ip");
  });

  test("namespace ids and names follow the console's rules", () => {
    checkNamespaceId("dev-1_a");
    expect(refusal(() => checkNamespaceId("dev.1")).nacosCode).toBe(22000);
    checkNamespaceName("Dev (team 1)");
    expect(refusal(() => checkNamespaceName("a#b")).nacosCode).toBe(22000);
    expect(refusal(() => checkNamespaceName(" ")).nacosCode).toBe(10000);
  });
});

describe("types, md5 and group keys", () => {
  test("unknown types become text; media types follow FileTypeEnum", () => {
    expect(configTypeOf("YAML")).toBe("yaml");
    expect(configTypeOf("yml")).toBe("yaml");
    expect(configTypeOf("nope")).toBe("text");
    expect(configTypeOf(undefined)).toBe("text");
    expect(mediaTypeOf("json")).toBe("application/json;charset=UTF-8");
    expect(mediaTypeOf("yaml")).toBe("text/plain;charset=UTF-8");
  });

  test("md5 is the hex digest of the UTF-8 bytes", () => {
    expect(md5Hex("a")).toBe("0cc175b9c0f1b6a831c399e269772661");
    expect(md5Hex("中")).toBe("aed1dfbc31703955e64806b799b67645");
  });

  test("fuzzy-watch group keys spell out the public namespace", () => {
    expect(groupKeyOf({ namespace: "", group: "G", dataId: "d" })).toBe("d+G+public");
    expect(groupKeyOf({ namespace: "dev", group: "G", dataId: "d" })).toBe("d+G+dev");
  });
});
