import { expect, test } from "bun:test";
import { DomainError } from "../../../src/errors.ts";
import { params, queryOf, serviceKeyFrom } from "../../../src/http/openapi/naming-http.ts";

test("query strings decode like URLSearchParams; the first value of a repeated key wins", () => {
  expect(queryOf("http://h/p?serviceName=DEFAULT_GROUP%40%40svc&clusters=&x=a+b&x=second&flag")).toEqual({ serviceName: "DEFAULT_GROUP@@svc", clusters: "", x: "a b", flag: "" });
  expect(queryOf("http://h/p")).toEqual({});
  expect(queryOf("http://h/p?a=1#frag")).toEqual({ a: "1" });
  expect(() => queryOf("http://h/p?a=%E0%A4%A")).toThrow(DomainError);
});

test("query parameters come before form or JSON body fields; non-strings are made text", () => {
  expect(params({ ip: "1.1.1.1" }, { ip: "2.2.2.2", port: 80, healthy: false, nested: { x: 1 } })).toEqual({ ip: "1.1.1.1", port: "80", healthy: "false" });
  expect(params({}, "not an object")).toEqual({});
});

test("serviceName carries its group, or takes groupName, or the default group; namespace defaults to public", () => {
  expect(serviceKeyFrom({ serviceName: "G@@svc", groupName: "ignored" })).toEqual({ namespace: "public", group: "G", name: "svc" });
  expect(serviceKeyFrom({ serviceName: "svc", groupName: "G2", namespaceId: "dev" })).toEqual({ namespace: "dev", group: "G2", name: "svc" });
  expect(serviceKeyFrom({ serviceName: " svc ", namespaceId: "" })).toEqual({ namespace: "public", group: "DEFAULT_GROUP", name: "svc" });
  expect(() => serviceKeyFrom({})).toThrow("Param 'serviceName' is required.");
});
