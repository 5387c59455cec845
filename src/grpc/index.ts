// The Nacos 2.x gRPC bridge: the wire protocol of every modern Nacos SDK, served on the gRPC port (9848).
//
// Building it (composition root, src/server.ts):
//
//   const grpc = createGrpcServer({
//     host: settings.sdkHost, port: settings.grpcPort,
//     maxMessageBytes: settings.grpcMaxMessageSize, maxConnections: settings.grpcMaxConnections,
//     detectionTimeoutMs: settings.grpcDetectionTimeoutSecond * 1000, logDetection: settings.enableGrpcDetectionLog,
//     log: log.child("grpc"), access: allowAll, isReady: () => raft.ready,
//   });
//   configGrpcHandlers(grpc.handlers, configService);      // domains register their handlers
//   namingGrpcHandlers(grpc.handlers, grpc.connections, (id, type, body) => grpc.push(id, type, body), namingService);
//   await grpc.start();                                     // rejects "gRPC port 0.0.0.0:9848 is already in use"
//   ...
//   await grpc.drain();                                     // on SIGTERM: ConnectResetRequest to all, then close
//
// A handler (one file per request type under src/grpc/handlers/, r-nacos style) translates and nothing else:
//
//   handlers.register("ConfigQueryRequest", async (req, ctx) => {
//     const r = requireFields(req, ["dataId", "group"]);              // 400 naming the missing fields
//     const config = await configs.get(ns(req.tenant), r.group, r.dataId);   // DomainError → error response
//     if (!config) return { type: "ConfigQueryResponse", error: { code: 300, message: "config data not exist" } };
//     return { type: "ConfigQueryResponse", body: { content: config.content, md5: config.md5 } };
//   }, { errorResponseType: "ConfigQueryResponse", access: { action: "read", resource: (req) => ({ kind: "config", ... }) } });
//
// The bridge fills resultCode (200/500), errorCode (0 on success), success and requestId (echoed).
// Errors map as follows (all with gRPC status OK; SDKs read the Nacos codes):
//   node not ready / draining → ErrorResponse 300 "Server is starting,please try later."
//   unknown request type      → ErrorResponse 302 "RequestHandler Not Found"
//   no ConnectionSetupRequest → ErrorResponse 301 "Connection is unregistered." (clients reconnect)
//   body not a JSON object    → 400 "invalid XxxRequest: ..."   (errorResponseType or ErrorResponse)
//   AccessChecker denies      → 403 with the checker's message
//   handler throws DomainError→ its nacosCode and message
//   handler throws anything   → 500 "internal error handling XxxRequest: ...", logged with the stack
// Transport problems get real gRPC statuses: unknown path UNIMPLEMENTED, oversize RESOURCE_EXHAUSTED,
// grpc-timeout passed DEADLINE_EXCEEDED, too many connections RESOURCE_EXHAUSTED, non-gRPC content-type 415.
// A connection that has not sent ConnectionSetupRequest (nor called a /rnacos.cluster. method) within
// handshakeTimeoutMs is closed, once no unary call of it is being handled (handshake-deadline.ts). Streams
// beyond maxConcurrentStreams get RST_STREAM REFUSED_STREAM from Bun's HTTP/2 server itself.
//
// Pushing (naming NotifySubscriberRequest, config ConfigChangeNotifyRequest):
//
//   const ack = await grpc.push(connectionId, "NotifySubscriberRequest", { serviceInfo, module: "naming" });
//
// Resolves with the client's response body; pushes to one connection are delivered in order, one at a
// time; rejects with PushError whose `reason` is not_connected | queue_full | buffer_full | timeout |
// rejected | closed. Subscribe to connection lifetime with
//   grpc.connections.on("disconnected", (conn, reason) => naming.removeConnection(conn.id));
export { createGrpcServer, REQUEST_PATH, BI_STREAM_PATH, type GrpcServer, type GrpcServerOptions } from "./grpc-server.ts";
export { HandlerRegistry, type HandlerOptions, type HandlerResult, type RequestContext, type RequestHandler } from "./handler-registry.ts";
export { ConnectionRegistry, type ConnectionEvents, type ConnectionInfo } from "./connection-registry.ts";
export { PushError, type PushFailure, type PushOptions } from "./push.ts";
export { requireFields, stringField } from "./validate.ts";
export { NacosErrorCode, ResultCode } from "./response.ts";
export type { JsonObject } from "./payload.ts";
export { codecOf, type BidiMethod, type CallContext, type Method, type MessageCodec, type ServerStream, type UnaryMethod } from "./method.ts";
export { GrpcError, GrpcStatus, type GrpcStatusCode } from "./status.ts";
