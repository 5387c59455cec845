import { describe, expect, test } from "bun:test";
import type { AccessChecker, AccessRequest } from "../../../src/auth/access.ts";
import { allowAll } from "../../../src/auth/access.ts";
import { DomainError, invalid } from "../../../src/errors.ts";
import { ConnectionRegistry } from "../../../src/grpc/connection-registry.ts";
import { HandlerRegistry } from "../../../src/grpc/handler-registry.ts";
import { registerHealthCheck } from "../../../src/grpc/handlers/health-check.ts";
import { registerServerCheck } from "../../../src/grpc/handlers/server-check.ts";
import { makePayload, type JsonObject } from "../../../src/grpc/payload.ts";
import { RequestDispatcher } from "../../../src/grpc/request-dispatcher.ts";
import { requireFields } from "../../../src/grpc/validate.ts";
import type { Payload } from "../../../src/grpc/generated/nacos_grpc_service.ts";
import { silentLogger } from "../../../src/log.ts";
import { fakeCall, fakeConnection, fakeSession } from "./fakes.ts";

function setup(opts: { access?: AccessChecker; notServing?: () => string | undefined } = {}) {
  const handlers = new HandlerRegistry();
  const connections = new ConnectionRegistry(silentLogger);
  registerServerCheck(handlers);
  registerHealthCheck(handlers);
  let clock = 5000;
  const dispatcher = new RequestDispatcher({
    handlers,
    connections,
    access: opts.access ?? allowAll,
    notServing: opts.notServing ?? (() => undefined),
    log: silentLogger,
    now: () => clock,
  });
  const session = fakeSession();
  const call = fakeCall(session);
  const registerConnection = () => {
    const c = fakeConnection(session, {}, 1000);
    connections.register(c.connection);
    return c.connection;
  };
  const send = async (type: string, body: JsonObject | string | Uint8Array, headers: Record<string, string> = {}) => {
    const raw = typeof body === "string" ? new TextEncoder().encode(body) : body instanceof Uint8Array ? body : undefined;
    const p: Payload = raw ? { metadata: { type, clientIp: "192.168.1.9", headers }, body: { typeUrl: "", value: raw } } : makePayload(type, body as JsonObject, headers, "192.168.1.9");
    const out = await dispatcher.dispatch(p, call);
    return { type: out.metadata!.type, body: JSON.parse(new TextDecoder().decode(out.body!.value)) as JsonObject };
  };
  return { handlers, connections, send, registerConnection, session, setClock: (t: number) => (clock = t) };
}

describe("RequestDispatcher: bridge answers", () => {
  test("ServerCheckRequest works without a connection and returns the connection id", async () => {
    const { send, session } = setup();
    const r = await send("ServerCheckRequest", { requestId: "7" });
    expect(r.type).toBe("ServerCheckResponse");
    expect(r.body).toEqual({ connectionId: session.id, supportAbilityNegotiation: false, resultCode: 200, errorCode: 0, requestId: "7", success: true });
  });

  test("not ready: every request, ServerCheck included, gets ErrorResponse 300", async () => {
    const { send } = setup({ notServing: () => "Server is starting,please try later." });
    const r = await send("ServerCheckRequest", {});
    expect(r).toEqual({ type: "ErrorResponse", body: { resultCode: 500, errorCode: 300, message: "Server is starting,please try later.", requestId: "", success: false } });
  });

  test("unknown type: ErrorResponse 302 RequestHandler Not Found (before the connection check, as Nacos)", async () => {
    const { send } = setup();
    const r = await send("NoSuchRequest", { requestId: "r1" });
    expect(r.type).toBe("ErrorResponse");
    expect(r.body).toMatchObject({ resultCode: 500, errorCode: 302, message: "RequestHandler Not Found", requestId: "r1", success: false });
  });

  test("a request before ConnectionSetupRequest: 301 Connection is unregistered.", async () => {
    const { send } = setup();
    const r = await send("HealthCheckRequest", { requestId: "h" });
    expect(r.body).toMatchObject({ errorCode: 301, message: "Connection is unregistered.", requestId: "h", success: false });
  });

  test("HealthCheckRequest on a registered connection succeeds and refreshes activity", async () => {
    const { send, registerConnection, setClock } = setup();
    const c = registerConnection();
    setClock(9999);
    const r = await send("HealthCheckRequest", { requestId: "h" });
    expect(r).toEqual({ type: "HealthCheckResponse", body: { resultCode: 200, errorCode: 0, requestId: "h", success: true } });
    expect(c.lastActiveAt).toBe(9999);
  });

  test("malformed bodies: 400 with a reason, never a crash", async () => {
    const { send, registerConnection } = setup();
    registerConnection();
    for (const [body, why] of [
      ["{not json", "not valid JSON"],
      ["[1,2]", "must be a JSON object, got an array"],
      ["42", "must be a JSON object, got number"],
    ] as const) {
      const r = await send("HealthCheckRequest", body);
      expect(r.type).toBe("ErrorResponse");
      expect(r.body.errorCode).toBe(400);
      expect(String(r.body.message)).toContain(why);
    }
    const bad = await send("HealthCheckRequest", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    expect(bad.body).toMatchObject({ errorCode: 400, message: "invalid HealthCheckRequest: body is not valid UTF-8" });
    const empty = await send("HealthCheckRequest", new Uint8Array(0));
    expect(empty.body.success).toBe(true);
  });
});

describe("RequestDispatcher: handlers", () => {
  test("a handler gets the parsed request and the context; the bridge adds the base fields", async () => {
    const { handlers, send, registerConnection, session } = setup();
    registerConnection();
    let seen: unknown;
    handlers.register("EchoRequest", (req, ctx) => {
      seen = { req, ctx: { ...ctx, signal: undefined } };
      return { type: "EchoResponse", body: { got: req.value } };
    });
    const r = await send("EchoRequest", { requestId: "e1", value: 42, headers: { fromBody: "b", both: "body" } }, { accessToken: "t", both: "meta" });
    expect(r).toEqual({ type: "EchoResponse", body: { got: 42, resultCode: 200, errorCode: 0, requestId: "e1", success: true } });
    expect(seen).toMatchObject({
      req: { value: 42 },
      ctx: {
        requestType: "EchoRequest",
        requestId: "e1",
        connectionId: session.id,
        clientIp: "192.168.1.9",
        remoteIp: "10.0.0.5",
        remotePort: 50001,
        headers: { fromBody: "b", both: "meta", accessToken: "t" },
        connection: { clientVersion: "Nacos-Java-Client:v2.3.0", tenant: "ns1", appName: "app1" },
      },
    });
  });

  test("a DomainError becomes ErrorResponse with its nacosCode, or the handler's chosen type", async () => {
    const { handlers, send, registerConnection } = setup();
    registerConnection();
    handlers.register("AReq", () => {
      throw new DomainError("conflict", "md5 mismatch");
    });
    handlers.register("BReq", () => {
      throw new DomainError("not_found", "config data not exist", 300);
    }, { errorResponseType: "BResponse" });
    expect(await send("AReq", { requestId: "a" })).toEqual({ type: "ErrorResponse", body: { resultCode: 500, errorCode: 409, message: "md5 mismatch", requestId: "a", success: false } });
    expect(await send("BReq", {})).toMatchObject({ type: "BResponse", body: { errorCode: 300, message: "config data not exist", success: false } });
  });

  test("a result with `error` fails under the handler's own type, keeping its fields", async () => {
    const { handlers, send, registerConnection } = setup();
    registerConnection();
    handlers.register("CReq", () => ({ type: "CResponse", body: { content: null, tag: "x" }, error: { code: 300, message: "not found" } }));
    expect(await send("CReq", { requestId: "c" })).toEqual({ type: "CResponse", body: { tag: "x", resultCode: 500, errorCode: 300, message: "not found", requestId: "c", success: false } });
  });

  test("anything else thrown (or a bad result) is errorCode 500 and the dispatcher keeps going", async () => {
    const { handlers, send, registerConnection } = setup();
    registerConnection();
    handlers.register("BoomRequest", () => {
      throw new TypeError("x is undefined");
    });
    handlers.register("AsyncBoomRequest", async () => Promise.reject("string rejection"));
    handlers.register("NoTypeRequest", () => ({}) as never);
    for (const t of ["BoomRequest", "AsyncBoomRequest", "NoTypeRequest"]) {
      const r = await send(t, {});
      expect(r.type).toBe("ErrorResponse");
      expect(r.body).toMatchObject({ resultCode: 500, errorCode: 500, success: false });
    }
    expect((await send("HealthCheckRequest", {})).body.success).toBe(true);
  });

  test("requireFields: 400 naming every missing or blank field", async () => {
    const { handlers, send, registerConnection } = setup();
    registerConnection();
    handlers.register("VReq", (req) => {
      const r = requireFields(req, ["dataId", "group", "tenant"]);
      return { type: "VResponse", body: { dataId: r.dataId } };
    });
    expect((await send("VReq", { dataId: "d", group: " ", tenant: null })).body).toMatchObject({ errorCode: 400, message: "missing required fields: group, tenant" });
    expect((await send("VReq", { dataId: "d", group: "g", tenant: "t" })).body).toMatchObject({ dataId: "d", success: true });
    expect(() => requireFields({}, ["a"])).toThrow(invalid("missing required field: a"));
  });

  test("registering a type twice or a bad type name is a programming error", () => {
    const { handlers } = setup();
    expect(() => handlers.register("HealthCheckRequest", () => ({ type: "X" }))).toThrow(/already registered/);
    expect(() => handlers.register("bad type", () => ({ type: "X" }))).toThrow(/invalid Nacos request type/);
    expect(handlers.types()).toEqual(["HealthCheckRequest", "ServerCheckRequest"]);
  });
});

describe("RequestDispatcher: access", () => {
  test("the accessToken header goes to the checker with action and resource; denial is 403", async () => {
    const asked: AccessRequest[] = [];
    const access: AccessChecker = {
      check: async (req) => {
        asked.push(req);
        return req.accessToken === "good" ? { allowed: true, identity: "nacos" } : { allowed: false, message: "no permission for config" };
      },
    };
    const { handlers, send, registerConnection } = setup({ access });
    registerConnection();
    handlers.register("WReq", (_req, ctx) => ({ type: "WResponse", body: { who: ctx.identity as string } }), {
      access: { action: "write", resource: (req) => ({ kind: "config", namespace: String(req.tenant), group: String(req.group), name: String(req.dataId) }) },
      errorResponseType: "WResponse",
    });
    const denied = await send("WReq", { tenant: "ns", group: "g", dataId: "d" }, { accessToken: "bad" });
    expect(denied).toMatchObject({ type: "WResponse", body: { errorCode: 403, message: "no permission for config", success: false } });
    const ok = await send("WReq", { tenant: "ns", group: "g", dataId: "d" }, { accessToken: "good" });
    expect(ok.body).toMatchObject({ who: "nacos", success: true });
    expect(asked[0]).toMatchObject({ accessToken: "bad", action: "write", resource: { kind: "config", namespace: "ns", group: "g", name: "d" }, clientIp: "192.168.1.9", source: { protocol: "grpc", requestType: "WReq" } });
    // public handlers skip the checker
    const before = asked.length;
    await send("HealthCheckRequest", {}, { accessToken: "bad" });
    expect(asked.length).toBe(before);
  });

  test("a checker that throws gives 500, not a crash", async () => {
    const { handlers, send, registerConnection } = setup({ access: { check: () => Promise.reject(new Error("ldap down")) } });
    registerConnection();
    handlers.register("XReq", () => ({ type: "XResponse" }));
    expect((await send("XReq", {})).body).toMatchObject({ errorCode: 500, message: "access check failed: ldap down" });
  });
});
